import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTunerAgent } from "../agent/tuner/index.js";
import { lockBaseline } from "../experiment/baseline.js";
import { createExperiment } from "../experiment/create.js";
import { openExperiment } from "../experiment/open.js";
import type { FinalReportResult } from "./final-report.js";
import { commitFinalReport } from "./final-report-commit.js";
import { defaultRemeasureRounds } from "./report/remeasure.js";
import { type LoopOptions, type LoopOutcome, runLoop } from "./run-loop.js";

/** The bundled example the demo optimizes: a Collatz search with a parity-test and a memo-size knob. */
export const DEMO_EXAMPLE = fileURLToPath(new URL("../../examples/collatz", import.meta.url));

export interface DemoResult {
  repository: string;
  experimentDir: string;
  outcome: LoopOutcome;
  report: FinalReportResult;
}

/**
 * The whole loop, offline and without a model: copies the example into a fresh git repository,
 * runs init with flags, locks the baseline, lets the knob tuner iterate, and writes the final
 * report with its re-measure.
 */
export async function runDemo(options: {
  directory?: string;
  onProgress: (text: string) => void;
  onStep?: LoopOptions["onStep"];
  onIteration?: LoopOptions["onIteration"];
  onReportStep: (text: string) => void;
}): Promise<DemoResult> {
  const repository = options.directory ?? mkdtempSync(join(tmpdir(), "auto-optimize-demo-"));
  cpSync(DEMO_EXAMPLE, repository, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync(
      "git",
      ["-c", "user.name=auto-optimize demo", "-c", "user.email=demo@localhost", ...args],
      {
        cwd: repository,
        stdio: "ignore",
      },
    );
  git("init", "--quiet", "--initial-branch=main");
  git("add", "-A");
  git("commit", "--quiet", "-m", "collatz example");
  options.onProgress(`example copied to ${repository} (a fresh git repository)`);

  const created = await createExperiment({
    cwd: repository,
    answers: {
      goal: "find the longest Collatz chain below 100000 faster",
      scope: ["src/**"],
      metric: "collatz_ms",
      direction: "lower",
      target: "5",
      threshold: "2%",
      iterations: "8",
      test: "node test/collatz.test.js",
      bench: "node bench/bench.js",
      // Parity first: the tuner tries it first (modulo, which measures no faster: a drop).
      knobs: [
        'parity:file:src/config.js:/PARITY = "(\\w+)"/:enum:modulo|bitmask',
        "memo:file:src/config.js:/MEMO_SIZE = (\\d+)/:int:16..1000000",
      ],
    },
    onProgress: options.onProgress,
  });
  options.onProgress(`experiment ${created.name} on branch ${created.branch}`);
  // A demo on a busy machine should still run: a noisy baseline is accepted, and says so.
  const baseline = await lockBaseline({
    cwd: repository,
    name: created.name,
    acceptNoise: true,
    onProgress: options.onProgress,
  });
  const noise = baseline.result.scenarios.find((s) => s.name === "collatz_ms")?.robustCv ?? 0;
  options.onProgress(
    noise > 0.05
      ? `baseline locked although noisy (robust CV ${(100 * noise).toFixed(1)}%): accepted for the demo, and recorded in its plan`
      : "baseline locked",
  );

  const opened = await openExperiment(repository, created.name);
  const outcome = await runLoop({
    root: repository,
    name: opened.name,
    dir: opened.dir,
    experiment: opened.experiment,
    ledger: opened.ledger,
    agent: createTunerAgent(),
    onStep: options.onStep,
    onIteration: options.onIteration,
  });
  const report = await commitFinalReport({
    root: repository,
    opened,
    remeasure: { maxRounds: defaultRemeasureRounds(opened.experiment) },
    onStep: options.onReportStep,
  });
  return { repository, experimentDir: opened.dir, outcome, report };
}
