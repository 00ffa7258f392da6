/**
 * Test-only fault injection: when AUTO_OPTIMIZE_FAULT names a step boundary, the process kills
 * itself there with SIGKILL — no cleanup, no handler — exactly like `kill -9` or a power cut.
 */
export type FaultPoint =
  | "after-start"
  | "after-plan"
  | "after-apply"
  | "after-check"
  | "after-test"
  | "after-measure"
  | "after-decide"
  | "after-artifacts"
  | "after-attempt-commit"
  | "after-commits"
  | "after-iteration";

export const FAULT_POINTS: FaultPoint[] = [
  "after-start",
  "after-plan",
  "after-apply",
  "after-check",
  "after-test",
  "after-measure",
  "after-decide",
  "after-artifacts",
  "after-attempt-commit",
  "after-commits",
  "after-iteration",
];

export function faultPoint(point: FaultPoint): void {
  if (process.env.AUTO_OPTIMIZE_FAULT === point) process.kill(process.pid, "SIGKILL");
}
