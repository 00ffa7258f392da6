import { execFile, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { median } from "../measure/stats/robust.js";
import { primesRepo } from "./primes-repo.js";

/**
 * What pinning, re-running contended rounds and the extension buy on this machine when a
 * CPU-bound neighbour (a busy loop) starts mid-comparison: `compare` on an A/A pair and on a known
 * 9.09% saving, each configuration in turn (interleaved), the neighbour started `--delay` seconds
 * into every comparison and stopped at its end. Reports rounds, interval width, verdicts and the
 * share of contended rounds per configuration.
 * Usage: npm run build && node dist/bench/power-under-load.js [--runs N] [--delay S] [--configs a,b]
 */
const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(name);
  return at >= 0 ? (args[at + 1] as string) : fallback;
};
const runs = Number(option("--runs", "6"));
const delaySeconds = Number(option("--delay", "6"));
const cli = fileURLToPath(new URL("../cli/main.js", import.meta.url));

const CONFIGS: Record<string, string[]> = {
  plain: ["--no-extend"],
  pinned: ["--no-extend", "--pin-cpu"],
  rerun: ["--no-extend", "--rerun-contended"],
  extend: [],
};
const configs = option("--configs", Object.keys(CONFIGS).join(",")).split(",");
const PAIRS = [
  { name: "A/A", a: "HEAD", b: "HEAD" },
  { name: "9.09% saving", a: "HEAD~1", b: "HEAD" },
];

interface Report {
  verdict: string;
  rounds: number;
  ci: [number, number];
  stoppedFor: string;
  contention?: { share: number; reruns: number; medianOtherCores: number };
}

function compare(repo: string, a: string, b: string, flags: string[]): Promise<Report> {
  return new Promise((resolve, reject) => {
    const neighbour = { process: null as ReturnType<typeof spawn> | null };
    const timer = setTimeout(() => {
      neighbour.process = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
    }, delaySeconds * 1000);
    execFile(
      process.execPath,
      [cli, "compare", a, b, "--bench", "node bench.mjs", "--json", ...flags],
      { cwd: repo, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => {
        clearTimeout(timer);
        neighbour.process?.kill("SIGKILL");
        if (error) reject(error);
        else resolve(JSON.parse(stdout) as Report);
      },
    );
  });
}

const repo = primesRepo(11, 10);
const results = new Map<string, Report[]>();
try {
  for (let i = 0; i < runs; i++) {
    for (const pair of PAIRS) {
      for (const config of configs) {
        const flags = CONFIGS[config];
        if (!flags) throw new Error(`no such configuration: ${config}`);
        const load = loadavg()[0] as number;
        const report = await compare(repo, pair.a, pair.b, flags);
        const key = `${pair.name}|${config}`;
        results.set(key, [...(results.get(key) ?? []), report]);
        process.stderr.write(
          `${pair.name} ${config} #${i + 1} (load ${load.toFixed(1)}): ${report.verdict} in ${report.rounds} rounds, width ${(100 * (report.ci[1] - report.ci[0])).toFixed(2)} points, contended ${(100 * (report.contention?.share ?? 0)).toFixed(0)}%, ${report.contention?.reruns ?? 0} re-runs\n`,
        );
      }
    }
  }
  console.log(
    "| pair | configuration | runs | verdicts | median rounds | median interval width | median contended share | re-runs (total) |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const pair of PAIRS) {
    for (const config of configs) {
      const reports = results.get(`${pair.name}|${config}`) ?? [];
      const verdicts = new Map<string, number>();
      for (const r of reports) verdicts.set(r.verdict, (verdicts.get(r.verdict) ?? 0) + 1);
      const tally = [...verdicts].map(([v, n]) => `${n} ${v}`).join(", ");
      const width = median(reports.map((r) => 100 * (r.ci[1] - r.ci[0])));
      const share = median(reports.map((r) => 100 * (r.contention?.share ?? 0)));
      const reruns = reports.reduce((sum, r) => sum + (r.contention?.reruns ?? 0), 0);
      console.log(
        `| ${pair.name} | ${config} | ${reports.length} | ${tally} | ${median(reports.map((r) => r.rounds))} | ${width.toFixed(2)} points | ${share.toFixed(0)}% | ${reruns} |`,
      );
    }
  }
} finally {
  rmSync(repo, { recursive: true, force: true });
}
