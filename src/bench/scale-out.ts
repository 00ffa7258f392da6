import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPatchesAgent } from "../agent/patches/index.js";
import type { Agent } from "../agent/types.js";
import { openExperiment } from "../experiment/open.js";
import { runLoop } from "../loop/run-loop.js";
import { median } from "../measure/stats/robust.js";
import { QueueClient } from "../queue/client.js";
import { checkQueueUrl } from "../queue/url.js";

/**
 * Wall time to decide 6 candidates on one machine against the same through two local workers of
 * the queue (`run --queue`), with a model stand-in: the patches agent behind a fixed planning
 * delay, so planning weighs as a model's does. Each repetition runs both setups, in alternating
 * order, on fresh copies of one initialized repository; the decisions must agree.
 * Usage: npm run bench:scale-out [-- --repetitions N] [--plan-seconds S] [--parallel K]
 */
const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const repetitions = option("--repetitions", 2);
const planSeconds = option("--plan-seconds", 3);
const parallel = option("--parallel", 1);
const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "cli", "main.js");
const CANDIDATES = 6;

const sh = (cwd: string, command: string, args: string[]) =>
  execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
const gitIn = (cwd: string, ...args: string[]) =>
  sh(cwd, "git", ["-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args]);

/** The project: its benchmark prints src/value.txt after 50 ms of sleep; six candidate commits. */
function template(): { dir: string; revisions: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "auto-optimize-scale-out-"));
  gitIn(dir, "init", "-q", "--initial-branch=main");
  const commit = (message: string, files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      execFileSync("mkdir", ["-p", dirname(join(dir, path))]);
      writeFileSync(join(dir, path), text);
    }
    gitIn(dir, "add", "-A");
    gitIn(dir, "commit", "-q", "-m", message);
    return gitIn(dir, "rev-parse", "HEAD");
  };
  commit("project", {
    "src/value.txt": "100\n",
    "src/bench.sh": "sleep 0.05\ncat src/value.txt\n",
    "test/check.sh": "! grep -q broken src/*.txt\n",
  });
  const revisions: string[] = [];
  for (let i = 1; i <= CANDIDATES; i++) {
    gitIn(dir, "checkout", "-q", "-b", `idea-${i}`, "main");
    // The first is a 20% gain; the others change a file the benchmark never reads.
    const files = i === 1 ? { "src/value.txt": "80\n" } : { [`src/note-${i}.txt`]: `${i}\n` };
    revisions.push(commit(`idea ${i}`, files));
  }
  gitIn(dir, "checkout", "-q", "main");
  const init = ["init", "--yes", "--goal", "make value smaller", "--scope", "src/**"];
  const metric = ["--metric", "value", "--direction", "lower", "--target", "10"];
  const rest = ["--threshold", "1%", "--iterations", "10", "--unconfined"];
  const commands = ["--test", "sh test/check.sh", "--bench", "sh src/bench.sh"];
  sh(dir, process.execPath, [CLI, ...init, ...metric, ...rest, ...commands]);
  sh(dir, process.execPath, [CLI, "baseline"]);
  return { dir, revisions };
}

/** The patches agent, each plan after `planSeconds`: a model's pace, compressed. */
function standIn(root: string, revisions: string[]): Agent {
  const agent = createPatchesAgent({ revisions }, root);
  return {
    ...agent,
    plan: async (context) => {
      await new Promise((resolve) => setTimeout(resolve, planSeconds * 1000));
      return agent.plan(context);
    },
  };
}

async function decideAll(
  source: string,
  revisions: string[],
  queue: string | null,
): Promise<{ ms: number; decisions: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "auto-optimize-scale-out-run-"));
  cpSync(source, dir, { recursive: true });
  try {
    const opened = await openExperiment(dir);
    const remote = queue
      ? await QueueClient.open(checkQueueUrl(queue), dir, opened.experiment)
      : undefined;
    const started = Date.now();
    const outcome = await runLoop({
      root: dir,
      name: opened.name,
      dir: opened.dir,
      experiment: opened.experiment,
      ledger: opened.ledger,
      agent: standIn(dir, revisions),
      iterations: CANDIDATES,
      parallel,
      ...(remote && { remote }),
    }).finally(() => remote?.close());
    const ms = Date.now() - started;
    return { ms, decisions: outcome.state.finished.map((it) => `${it.iteration}:${it.decision}`) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function started(child: ChildProcess, text: string, stream: "stdout" | "stderr"): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    child[stream]?.on("data", (chunk) => {
      out += chunk;
      if (out.includes(text)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`exited (${code}) before '${text}': ${out}`)));
  });
}

const port = await freePort();
const redisDir = mkdtempSync(join(tmpdir(), "auto-optimize-scale-out-redis-"));
const redis = spawn(
  "redis-server",
  [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    redisDir,
  ],
  { stdio: ["ignore", "pipe", "pipe"] },
);
await started(redis, "Ready to accept connections", "stdout");
const url = `redis://127.0.0.1:${port}`;
const workers = ["w1", "w2"].map((name) =>
  spawn(
    process.execPath,
    [CLI, "worker", "--queue", url, "--name", name, "--cache", join(redisDir, name)],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  ),
);
await Promise.all(workers.map((w) => started(w, "serving", "stderr")));

const { dir, revisions } = template();
const setups = [
  { name: `one machine (K=${parallel})`, queue: null },
  { name: `two local workers (K=${parallel}, --queue)`, queue: url },
];
const walls: number[][] = setups.map(() => []);
const decisions = new Set<string>();
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
console.log(
  `${CANDIDATES} candidates, planning ${planSeconds} s each, ${repetitions} repetitions, ${cpus().length} cores, load ${load()} at start`,
);
try {
  for (let rep = 0; rep < repetitions; rep++) {
    const order = rep % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      const setup = setups[i] as (typeof setups)[number];
      const result = await decideAll(dir, revisions, setup.queue);
      walls[i]?.push(result.ms);
      decisions.add(result.decisions.join(" "));
      console.log(
        `  ${setup.name}: ${(result.ms / 1000).toFixed(1)} s (${result.decisions.join(" ")})`,
      );
    }
  }
  console.log(`\n| setup | median wall time | runs |\n|---|---|---|`);
  for (const [i, setup] of setups.entries()) {
    const runs = walls[i] ?? [];
    console.log(
      `| ${setup.name} | ${(median(runs) / 1000).toFixed(1)} s | ${runs.map((ms) => (ms / 1000).toFixed(1)).join(", ")} |`,
    );
  }
  console.log(
    `\nload ${load()} at the end; decisions ${decisions.size === 1 ? "identical in every run" : `DIFFER: ${[...decisions].join(" / ")}`}`,
  );
} finally {
  for (const w of workers) w.kill("SIGTERM");
  redis.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
  rmSync(redisDir, { recursive: true, force: true });
}
