import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRng } from "../measure/stats/prng.js";
import { NODE_PRELOAD } from "../profile/adapters/node.js";

/**
 * What each sampling interval costs: the CPU time (user + system, the whole process tree) of the
 * planted-hotspot programs run plainly and under V8's sampler or `perf record -g` at several
 * intervals, all arms interleaved in random order. CPU time, not wall time: steadier on a shared
 * machine. Usage: npm run build && node dist/bench/profile-intervals.js [--rounds N]
 */
const at = process.argv.indexOf("--rounds");
const rounds = Number(at >= 0 ? process.argv[at + 1] : 7);
const targets = fileURLToPath(new URL("../../examples/profile-targets", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "profile-intervals-"));
cpSync(targets, dir, { recursive: true });
execFileSync("gcc", ["-O2", "-g", "-o", "c/hot", "c/hot.c"], { cwd: dir });
const preload = join(dir, "preload.cjs");
writeFileSync(preload, NODE_PRELOAD);

/** CPU milliseconds of `command` and everything it started, from GNU time. */
function cpuMs(command: string, env: Record<string, string> = {}): number {
  const run = spawnSync("/usr/bin/time", ["-f", "%U %S", "/bin/sh", "-c", command], {
    cwd: dir,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  const [user, system] = (run.stderr.trim().split("\n").pop() ?? "").split(" ").map(Number);
  return ((user ?? Number.NaN) + (system ?? Number.NaN)) * 1000;
}

function withScratch<T>(f: (scratch: string) => T): T {
  const scratch = mkdtempSync(join(tmpdir(), "profile-interval-run-"));
  try {
    return f(scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const node = "node node/hot.js 10";
const native = "./c/hot 10";
const arms: { name: string; base: string; run: () => number }[] = [
  { name: "node, unprofiled", base: "node", run: () => cpuMs(node) },
  ...[1000, 250, 100, 50].map((us) => ({
    name: `node, V8 every ${us} µs`,
    base: "node",
    run: () =>
      withScratch((scratch) =>
        cpuMs(node, {
          NODE_OPTIONS: `--require ${preload}`,
          AUTO_OPTIMIZE_CPU_PROF_DIR: scratch,
          AUTO_OPTIMIZE_CPU_PROF_INTERVAL: String(us),
        }),
      ),
  })),
  { name: "C, unprofiled", base: "C", run: () => cpuMs(native) },
  ...[999, 4000, 10000].map((hz) => ({
    name: `C, perf -g at ${hz} Hz`,
    base: "C",
    run: () =>
      withScratch((scratch) =>
        cpuMs(
          `perf record -q --no-bpf-event -e cpu-clock -F ${hz} -g -o ${scratch}/p.data -- ${native} >/dev/null`,
        ),
      ),
  })),
];

const rng = createRng(20_261_201);
const results = new Map<string, number[]>(arms.map((a) => [a.name, []]));
for (let r = 0; r < rounds; r++) {
  const order = arms.map((a) => ({ a, key: rng.next() })).sort((x, y) => x.key - y.key);
  for (const { a } of order) results.get(a.name)?.push(a.run());
}
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const rows = arms.map((a) => {
  const values = results.get(a.name) ?? [];
  const base = results.get(arms.find((b) => b.base === a.base)?.name ?? "") ?? [];
  const ratio = median(values.map((v, i) => v / (base[i] as number)));
  return `| ${a.name} | ${median(values).toFixed(0)} ms | ${ratio >= 1 ? "+" : ""}${((ratio - 1) * 100).toFixed(1)}% |`;
});
process.stdout.write(
  [
    `${rounds} interleaved rounds, medians of the per-round ratios to the unprofiled run (load average ${loadavg()[0]?.toFixed(1)} at the end, ${cpus().length} CPUs)`,
    "",
    "| run | CPU | CPU vs unprofiled |",
    "|---|---|---|",
    ...rows,
    "",
  ].join("\n"),
);
