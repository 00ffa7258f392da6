import { clip } from "../agent/clip.js";
import type { BenchFailureKind, BenchRunError } from "../measure/bench-failure.js";

const MESSAGE_CHARS = 600;
const TAIL_CHARS = 600;

const WHAT: Record<BenchFailureKind, string> = {
  crashed: "crashed",
  "timed-out": "timed out",
  unreadable: "printed no readable metric",
  "not-positive": "printed a metric that is not a positive number",
};

/**
 * Why a candidate ended as bench-failed: the failure's kind, its message and the run's last lines
 * of output (each clipped), for the ledger, summary.md and the next plan's reflexion.
 */
export function benchFailedReason(failure: BenchRunError): string {
  const message = clip(failure.message.trim(), MESSAGE_CHARS);
  const tail = failure.outputTail.trim();
  const shown = tail && !failure.message.includes(tail);
  return [
    `bench-failed (${failure.kind}): the candidate's benchmark ${WHAT[failure.kind]}`,
    message,
    ...(shown ? ["--- last lines of output ---", clip(tail, TAIL_CHARS)] : []),
  ].join("\n");
}
