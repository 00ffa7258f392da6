/** The checks besides speed that can reject a candidate: the `guard` of a rejected iteration. */
export const GUARDS = ["behaviour-changed", "metric-inconsistent", "wrote-outside-run"] as const;
export type GuardKind = (typeof GUARDS)[number];
