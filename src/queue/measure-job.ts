import { AutoOptimizeError, InterruptedError } from "../errors.js";
import { knobRunTarget } from "../experiment/knobs.js";
import { runIsolationFor } from "../experiment/run-isolation.js";
import { BenchRunError } from "../measure/bench-failure.js";
import { runCheckCommand } from "../measure/check-run.js";
import { snapshotEnvironment } from "../measure/environment.js";
import { compareInterleaved } from "../measure/interleaved.js";
import type { Observation } from "../measure/observe.js";
import { CandidateWroteOutside, RunWatch } from "../workspace/run-watch.js";
import type { MeasureJob, MeasureResult, SentObservation } from "./jobs.js";
import type { WorkerCache } from "./worker-cache.js";

/**
 * A comparison job on a worker: the best and the candidate checked out side by side from the
 * worker's cache, both built, then compared interleaved exactly as the loop does locally (warm-ups,
 * randomized rounds, sequential looks; each run isolated, and a watch over both checkouts). What
 * goes back is the raw rounds and the machine's environment: the controller decides. A failed run
 * or a write outside its checkout comes back as the error it was, for the controller to treat as
 * the local path does.
 */
export async function runMeasureJob(
  job: MeasureJob,
  cache: WorkerCache,
  worker: string,
): Promise<MeasureResult> {
  const { experiment } = job;
  const commits = [job.best.commit, job.candidate.commit];
  const { set, trees } = await cache.checkout(job.repository, "measure", commits);
  const [best, candidate] = trees.map((tree) => tree.path) as [string, string];
  try {
    await buildBoth(job, best, candidate);
    const bestIsolation = await runIsolationFor(experiment, best);
    const watch = new RunWatch(
      [
        { label: "the best's checkout", path: best, side: "A", removable: true },
        { label: "the candidate's checkout", path: candidate, side: "B", removable: true },
      ],
      bestIsolation.confinement.kind === "bwrap",
    );
    await watch.reference();
    const environment = await snapshotEnvironment(best);
    const result = await compareInterleaved(
      {
        label: "best",
        cwd: best,
        isolation: bestIsolation,
        ...knobRunTarget(experiment.knobs, job.best.knobs),
      },
      {
        label: "candidate",
        cwd: candidate,
        isolation: await runIsolationFor(experiment, candidate),
        ...knobRunTarget(experiment.knobs, job.candidate.knobs),
      },
      {
        bench: { ...job.bench, metrics: [] },
        directions: job.directions,
        ratios: job.ratios,
        schedule: job.schedule,
        settings: job.settings,
        seed: job.seed,
        afterRun: (arm, what) => watch.afterRun(arm, `benchmark run (${what})`),
      },
    );
    return {
      outcome: "measured",
      worker,
      environment: { ...environment },
      rounds: result.rounds.map((r) => ({ ...r, a: sent(r.a), b: sent(r.b) })),
      warmups: { a: sent(result.warmups.a), b: sent(result.warmups.b) },
      scenarios: result.scenarios,
      counters: result.counters,
      resourceNote: result.resourceNote,
    };
  } catch (error) {
    return failed(error, worker);
  } finally {
    await set.remove();
  }
}

async function buildBoth(job: MeasureJob, best: string, candidate: string): Promise<void> {
  const build = job.experiment.commands.build;
  if (!build) return;
  const timeoutMs = job.experiment.measurement.timeoutSeconds * 1000;
  for (const [label, cwd, code] of [
    ["the build of the best", best, "best-build-failed"],
    ["the build of the candidate", candidate, "build-failed"],
  ] as const) {
    const built = await runCheckCommand(label, build, { cwd }, timeoutMs);
    if (!built.ok) throw new AutoOptimizeError(code, built.report);
  }
}

/** An observation as JSON carries it: its output's lines kept (RunOutput leaves JSON otherwise). */
function sent(observation: Observation): SentObservation {
  const { lines, truncated } = observation.output;
  return { ...observation, output: { lines: [...lines], truncated } };
}

/** The comparison's error as the result the controller turns back into it; others are thrown. */
function failed(error: unknown, worker: string): MeasureResult {
  if (error instanceof InterruptedError) throw error;
  const base = { outcome: "error" as const, worker };
  if (error instanceof BenchRunError) {
    return {
      ...base,
      kind: "bench-run",
      code: error.code,
      message: error.message,
      exitCode: error.exitCode,
      bench: { kind: error.kind, outputTail: error.outputTail, arm: error.arm ?? "B" },
    };
  }
  if (error instanceof CandidateWroteOutside) {
    const fields = { code: "wrote-outside-run", message: error.message, exitCode: 1 };
    return { ...base, kind: "candidate-wrote-outside", ...fields };
  }
  if (error instanceof AutoOptimizeError) {
    const fields = { code: error.code, message: error.message, exitCode: error.exitCode };
    return { ...base, kind: "tool", ...fields };
  }
  throw error;
}
