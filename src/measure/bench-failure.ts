import { AutoOptimizeError, type ErrorCode, InterruptedError } from "../errors.js";
import type { Sample } from "./sample-types.js";

/** How a benchmark run failed to give a usable measurement. */
export type BenchFailureKind = "crashed" | "timed-out" | "unreadable" | "not-positive";

/** The side of an interleaved comparison a run belonged to: A the reference, B the challenger. */
export type BenchArm = "A" | "B";

const TAIL_LINES = 8;

/**
 * A benchmark run that gave no usable measurement: it crashed or timed out, its output had no
 * readable metric, or the metric was not a positive number. It keeps the code, message and exit
 * code of the failure it stands for, so a comparison the user asked for fails as before; the loop
 * reads `kind`, `outputTail` and `arm` to end a failing candidate's iteration instead of the run.
 */
export class BenchRunError extends AutoOptimizeError {
  constructor(
    code: ErrorCode,
    message: string,
    exitCode: 1 | 2,
    readonly kind: BenchFailureKind,
    /** The last lines of the run's stderr, else of its stdout. */
    readonly outputTail: string,
    /** Which side of a comparison failed, once the comparison knows (see `onArm`). */
    readonly arm: BenchArm | null = null,
  ) {
    super(code, message, exitCode);
    this.name = "BenchRunError";
  }

  /** The same failure, told which side of the comparison it happened on. */
  onArm(arm: BenchArm): BenchRunError {
    return new BenchRunError(
      this.code,
      this.message,
      this.exitCode as 1 | 2,
      this.kind,
      this.outputTail,
      arm,
    );
  }
}

/**
 * A failed run's error as a BenchRunError of `kind`, with the run's output tail; Ctrl-C stays an
 * InterruptedError and anything that is not the tool's own error is left as it is.
 */
export function benchRunError(
  error: AutoOptimizeError,
  kind: BenchFailureKind,
  sample: Pick<Sample, "stdout" | "stderr">,
): AutoOptimizeError {
  if (error instanceof InterruptedError || error instanceof BenchRunError) return error;
  const exitCode = error.exitCode === 2 ? 2 : 1;
  return new BenchRunError(error.code, error.message, exitCode, kind, outputTail(sample));
}

/** How a failed sample failed, as a benchmark failure. */
export function sampleFailureKind(sample: Pick<Sample, "failure">): BenchFailureKind {
  return sample.failure?.kind === "timeout" ? "timed-out" : "crashed";
}

function outputTail(sample: Pick<Sample, "stdout" | "stderr">): string {
  const text = sample.stderr.trim() ? sample.stderr : sample.stdout;
  return text.trimEnd().split("\n").slice(-TAIL_LINES).join("\n");
}
