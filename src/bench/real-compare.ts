import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The decision on real processes, on this machine: `compare` run repeatedly on two identical
 * revisions of the example (A/A) and on a pair whose benchmark does a known 10% less work.
 * Usage: npm run build && node dist/bench/real-compare.js [--runs N] [--aa-only]
 */
const aaOnly = process.argv.includes("--aa-only");
const runsAt = process.argv.indexOf("--runs");
const runs = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 20;
const cli = fileURLToPath(new URL("../cli/main.js", import.meta.url));
const example = fileURLToPath(new URL("../../examples/primes", import.meta.url));

const repo = mkdtempSync(join(tmpdir(), "auto-optimize-real-"));
const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@localhost", ...args], {
    cwd: repo,
    encoding: "utf8",
  }).trim();

// The benchmark times WORK calls of countPrimes(100000) per measurement: 11 calls at A, 10 at B.
const bench = `import { readFileSync } from "node:fs";
import { countPrimes } from "./primes.js";
const work = Number(readFileSync("work.txt", "utf8"));
countPrimes(100000);
const times = [];
for (let r = 0; r < 3; r++) {
  const start = performance.now();
  for (let i = 0; i < work; i++) countPrimes(100000);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log("work_ms: " + times[1].toFixed(3) + " ms");
`;
git("init", "--quiet");
cpSync(join(example, "primes.js"), join(repo, "primes.js"));
writeFileSync(join(repo, "package.json"), '{ "type": "module" }\n');
writeFileSync(join(repo, "bench.mjs"), bench);
writeFileSync(join(repo, "work.txt"), "11\n");
git("add", "-A");
git("commit", "--quiet", "-m", "11 units of work");
writeFileSync(join(repo, "work.txt"), "10\n");
git("commit", "--quiet", "-am", "10 units of work");

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
