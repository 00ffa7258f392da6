import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { primesRepo } from "./primes-repo.js";

/**
 * The decision on real processes, on this machine: `compare` run repeatedly on two identical
 * revisions of the example (A/A) and on a pair whose benchmark does a known 10% less work.
 * Usage: npm run build && node dist/bench/real-compare.js [--runs N] [--aa-only]
 */
const aaOnly = process.argv.includes("--aa-only");
const runsAt = process.argv.indexOf("--runs");
const runs = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 20;
const cli = fileURLToPath(new URL("../cli/main.js", import.meta.url));

const repo = primesRepo(11, 10);

interface Tally {
  verdicts: Record<string, number>;
  rounds: number[];
  estimates: number[];
}

function measure(a: string, b: string): Tally {
  const tally: Tally = { verdicts: {}, rounds: [], estimates: [] };
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(
      process.execPath,
      [cli, "compare", a, b, "--bench", "node bench.mjs", "--json"],
      {
        cwd: repo,
        encoding: "utf8",
      },
    );
    const report = JSON.parse(out) as {
      verdict: string;
      rounds: number;
      improvement: number;
      stoppedFor: string;
    };
    tally.verdicts[report.verdict] = (tally.verdicts[report.verdict] ?? 0) + 1;
    tally.rounds.push(report.rounds);
    tally.estimates.push(report.improvement);
    process.stderr.write(
      `${a}..${b} #${i + 1}: ${report.verdict} ${(100 * report.improvement).toFixed(2)}% in ${report.rounds} rounds (stopped for ${report.stoppedFor})\n`,
    );
  }
  return tally;
}

const line = (name: string, t: Tally) => {
  const sorted = [...t.rounds].sort((x, y) => x - y);
  const est = [...t.estimates].sort((x, y) => x - y);
  const verdicts = ["improved", "no-change", "inconclusive", "regressed"]
    .map((v) => `${t.verdicts[v] ?? 0}`)
    .join(" | ");
  return `| ${name} | ${runs} | ${verdicts} | ${sorted[Math.floor(runs / 2)]} | ${(100 * (est[Math.floor(runs / 2)] as number)).toFixed(2)}% |`;
};

try {
  const aa = measure("HEAD", "HEAD");
  const pair = aaOnly ? null : measure("HEAD~1", "HEAD");
  console.log(
    "| pair | runs | improved | no-change | inconclusive | regressed | median rounds | median estimate |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  console.log(line("A/A (same revision)", aa));
  if (pair) console.log(line("10% less work (true saving 9.09%)", pair));
} finally {
  rmSync(repo, { recursive: true, force: true });
}
