/** The checks besides speed that can reject a candidate: the `guard` of a rejected iteration. */
export const GUARDS = ["behaviour-changed", "metric-inconsistent"] as const;
export type GuardKind = (typeof GUARDS)[number];
