/**
 * Test-only fault injection: when AUTO_OPTIMIZE_FAULT names a step boundary ("after-test", or
 * "after-test@2" for iteration 2 only), the process kills itself there with SIGKILL — no cleanup,
 * no handler — exactly like `kill -9` or a power cut.
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

export function faultPoint(point: FaultPoint, iteration: number): void {
  const fault = process.env.AUTO_OPTIMIZE_FAULT;
  if (fault === point || fault === `${point}@${iteration}`) process.kill(process.pid, "SIGKILL");
}
