import { AutoOptimizeError, type ErrorCode } from "../errors.js";
import { BenchRunError } from "../measure/bench-failure.js";
import type { InterleavedResult } from "../measure/interleaved.js";
import type { MetricFormat } from "../measure/metrics/types.js";
import type { Observation } from "../measure/observe.js";
import { memorySeries, replayDecision } from "../measure/round-decision.js";
import { RunOutput } from "../measure/run-output.js";
import { CandidateWroteOutside } from "../workspace/run-watch.js";
import type { MeasureJob, MeasureResult, SentObservation } from "./jobs.js";

/** A comparison a worker ran, decided here: the loop's result plus who measured and on what. */
export interface RemoteComparison extends InterleavedResult {
  measuredBy: string;
  /** The worker's environment snapshot when it started measuring (measure/environment.ts). */
  environment: Record<string, unknown>;
}

/**
 * The worker's raw rounds, decided by the controller itself with the job's own schedule,
 * settings and seed (`replayDecision`): nothing the worker concluded is taken on trust. Its
 * errors are thrown as the local comparison throws them (a failed run of either side, a
 * candidate's write outside its checkout, the tool's own), so the loop treats both alike.
 */
export function decideRemote(job: MeasureJob, result: MeasureResult): RemoteComparison {
  if (result.outcome === "error") throw rethrown(result);
  const rounds = result.rounds.map((r) => ({ ...r, a: received(r.a), b: received(r.b) }));
  const metrics = { scenarios: result.scenarios, counters: result.counters };
  const replayed = replayDecision(metrics, rounds, job.schedule, job.settings, job.seed);
  if (!replayed || result.scenarios.length === 0) {
    throw new AutoOptimizeError(
      "bad-queue-result",
      `worker ${result.worker} sent ${rounds.length} rounds, which no comparison on this schedule (looks from ${job.schedule.minRounds} to ${job.schedule.extendTo ?? job.schedule.maxRounds} rounds) stops at: the worker runs another version of auto-optimize, or its result was altered. Run the same version on every machine.`,
    );
  }
  return {
    decision: replayed.decision,
    stoppedFor: replayed.stoppedFor,
    looks: replayed.looks,
    ...(job.schedule.extendTo !== undefined && { extended: replayed.extended }),
    rounds,
    warmups: { a: received(result.warmups.a), b: received(result.warmups.b) },
    scenarios: result.scenarios,
    counters: result.counters,
    memoryGuarded: memorySeries(rounds) !== null,
    resourceNote: result.resourceNote,
    measuredBy: result.worker,
    environment: result.environment,
  };
}

function received(observation: SentObservation): Observation {
  const { output, ...rest } = observation;
  return {
    ...rest,
    format: rest.format as MetricFormat | "wall-time",
    output: RunOutput.restored(output.lines, output.truncated),
  };
}

function rethrown(result: Extract<MeasureResult, { outcome: "error" }>): Error {
  const message = `${result.message} (on worker ${result.worker})`;
  const exitCode = result.exitCode === 2 ? 2 : 1;
  if (result.kind === "bench-run" && result.bench) {
    const { kind, outputTail, arm } = result.bench;
    return new BenchRunError(result.code as ErrorCode, message, exitCode, kind, outputTail, arm);
  }
  if (result.kind === "candidate-wrote-outside") return new CandidateWroteOutside(message);
  return new AutoOptimizeError(result.code as ErrorCode, message, exitCode);
}
