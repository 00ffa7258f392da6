import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRng } from "../measure/stats/prng.js";
import { profileCommand } from "../profile/profile.js";
import { runTool } from "../profile/tools.js";
import type { Language } from "../profile/types.js";

/**
 * What profiling costs: each adapter's planted-hotspot program run without and with its profiler,
 * interleaved in random order, on this machine. Reports the median of the per-round ratios of the
 * profiled run (profiler attached) and of the whole `profile` (reading the profile included).
 * Usage: npm run build && node dist/bench/profile-overhead.js [--rounds N] [--only node,python…]
 */
const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const rounds = Number(arg("--rounds") ?? 7);
const only = arg("--only")?.split(",");
const targets = fileURLToPath(new URL("../../examples/profile-targets", import.meta.url));
const has = (program: string) => spawnSync("/bin/sh", ["-c", `command -v ${program}`]).status === 0;

interface Case {
  name: string;
  language: Language;
  folder: string;
  needs: string[];
  build?: [string, string[]];
  command: string;
  env?: Record<string, string>;
  /** Profile with only valgrind on PATH, as on a machine without perf. */
  hidePerf?: boolean;
}

const cases: Case[] = [
  {
    name: "node (V8 sampler)",
    language: "node",
    folder: "node",
    needs: ["node"],
    command: "node hot.js 40",
  },
  {
    name: "node short (V8 sampler, profiled again finer)",
    language: "node",
    folder: "node",
    needs: ["node"],
    command: "node hot.js 5",
  },
  {
    name: "python (built-in sampler)",
    language: "python",
    folder: "python",
    needs: ["python3"],
    command: "python3 hot.py 10",
  },
  {
    name: "python (cProfile, on request)",
    language: "python",
    folder: "python",
    needs: ["python3"],
    command: "python3 hot.py 10",
    env: { AUTO_OPTIMIZE_PYPROF_MODE: "cprofile" },
  },
  {
    name: "native C (perf)",
    language: "native",
    folder: "c",
    needs: ["gcc", "perf"],
    build: ["gcc", ["-O2", "-g", "-o", "hot", "hot.c"]],
    command: "./hot 30",
  },
  {
    name: "native C short (perf, profiled again finer)",
    language: "native",
    folder: "c",
    needs: ["gcc", "perf"],
    build: ["gcc", ["-O2", "-g", "-o", "hot", "hot.c"]],
    command: "./hot 3",
  },
  {
    name: "native C (callgrind, perf hidden)",
    language: "native",
    folder: "c",
    needs: ["gcc", "valgrind"],
    build: ["gcc", ["-O2", "-g", "-o", "hot", "hot.c"]],
    command: "./hot 1",
    hidePerf: true,
  },
  {
    name: "jvm (JFR)",
    language: "jvm",
    folder: "java",
    needs: ["javac", "java", "jfr"],
    build: ["javac", ["-d", ".", "Hot.java"]],
    command: "java -cp . Hot 15",
  },
  {
    name: "go (go test -cpuprofile)",
    language: "go",
    folder: "go",
    needs: ["go"],
    build: ["go", ["test", "-c", "-o", "/dev/null", "."]],
    command: "go test -run '^$' -bench . -benchtime 60x .",
  },
];

/** A PATH with valgrind alone (Debian's valgrind is a script that runs "$0.bin": wrap, not link). */
function valgrindOnly(path: string): string {
  const bin = mkdtempSync(join(tmpdir(), "valgrind-only-"));
  const valgrind = execFileSync("/bin/sh", ["-c", "command -v valgrind"], {
    env: { PATH: path },
    encoding: "utf8",
  }).trim();
  writeFileSync(join(bin, "valgrind"), `#!/bin/sh\nexec ${valgrind} "$@"\n`, { mode: 0o755 });
  return bin;
}

/**
 * CPU seconds used so far by this process's finished children and their waited-for descendants
 * (Linux /proc/self/stat cutime + cstime), plus this process itself: less sensitive than wall
 * time to other work on a shared machine.
 */
function cpuMs(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
  const ticks = Number(fields[13]) + Number(fields[14]);
  const self = process.cpuUsage();
  return (ticks * 1000) / 100 + (self.user + self.system) / 1000;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const rng = createRng(20_260_101);
const rows: string[] = [];
const results: unknown[] = [];
for (const c of cases) {
  if (only && !only.some((o) => c.name.startsWith(o))) continue;
  const missing = c.needs.filter((n) => !has(n));
  if (missing.length > 0) {
    rows.push(`| ${c.name} | skipped: ${missing.join(", ")} not installed | | | | | | |`);
    continue;
  }
  const dir = mkdtempSync(join(tmpdir(), "profile-overhead-"));
  cpSync(join(targets, c.folder), dir, { recursive: true });
  if (c.build) execFileSync(c.build[0], c.build[1], { cwd: dir, stdio: "ignore" });
  // One warm-up of each (caches, JIT of the tools themselves).
  await runTool("/bin/sh", ["-c", c.command], { cwd: dir, timeoutMs: 600_000 });
  const plain: number[] = [];
  const run: number[] = [];
  const total: number[] = [];
  const plainCpu: number[] = [];
  const totalCpu: number[] = [];
  const samples: number[] = [];
  let interval = "";
  let profiler = "";
  const saved = process.env.PATH;
  for (let r = 0; r < rounds; r++) {
    const order = rng.next() < 0.5 ? ["plain", "profiled"] : ["profiled", "plain"];
    for (const arm of order) {
      if (arm === "plain") {
        const cpu = cpuMs();
        const t = await runTool("/bin/sh", ["-c", c.command], { cwd: dir, timeoutMs: 600_000 });
        plainCpu.push(cpuMs() - cpu);
        if (!t.ok) throw new Error(`${c.name}: the program failed: ${t.stderr}`);
        plain.push(t.wallMs);
      } else {
        if (c.hidePerf) process.env.PATH = valgrindOnly(saved ?? "");
        const start = performance.now();
        const cpu = cpuMs();
        try {
          const outcome = await profileCommand({
            command: c.command,
            cwd: dir,
            timeoutMs: 600_000,
            language: c.language,
            env: c.env,
          });
          profiler = outcome.hotspots.profiler;
          samples.push(outcome.hotspots.samples);
          const us = outcome.hotspots.intervalUs;
          interval = us === undefined ? "" : us >= 1000 ? `${us / 1000} ms` : `${us} µs`;
          run.push(outcome.runMs ?? Number.NaN);
        } finally {
          process.env.PATH = saved;
        }
        total.push(performance.now() - start);
        totalCpu.push(cpuMs() - cpu);
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const ratios = (xs: number[]) => xs.map((x, i) => x / (plain[i] as number));
  const runRatio = median(ratios(run));
  const totalRatio = median(ratios(total));
  const cpuRatio = median(totalCpu.map((x, i) => x / (plainCpu[i] as number)));
  const pct = (x: number) => `${x >= 1 ? "+" : ""}${((x - 1) * 100).toFixed(1)}%`;
  rows.push(
    `| ${c.name} | ${profiler} | ${median(samples).toFixed(0)}${interval ? ` every ${interval}` : ""} | ${median(plain).toFixed(0)} ms | ${pct(runRatio)} | ${pct(totalRatio)} | ${median(plainCpu).toFixed(0)} ms | ${pct(cpuRatio)} |`,
  );
  results.push({
    name: c.name,
    profiler,
    samples,
    plainMs: plain,
    runMs: run,
    totalMs: total,
    runRatio,
    totalRatio,
  });
  process.stderr.write(`${rows[rows.length - 1]}\n`);
}
process.stdout.write(
  [
    `${rounds} interleaved rounds per program, medians of the per-round ratios (load average ${loadavg()[0]?.toFixed(1)} at the end, ${cpus().length} CPUs)`,
    "",
    "| program | profiler | samples (median), interval | wall, unprofiled | wall, profiled run | wall, whole `profile` | CPU, unprofiled | CPU, whole `profile` |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n"),
);
if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
