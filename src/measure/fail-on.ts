import type { Verdict } from "./decision.js";

/** The verdicts a CI gate can fail on: `compare --fail-on`. */
export const FAIL_ON = ["regressed", "not-improved"] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** Whether `verdict` fails a gate set to `failOn`: not-improved also fails no-change and inconclusive. */
export function failsGate(verdict: Verdict, failOn: FailOn): boolean {
  return failOn === "regressed" ? verdict === "regressed" : verdict !== "improved";
}
