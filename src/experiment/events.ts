import type { Verdict } from "../measure/decision.js";

/** Decisions an iteration can end with; only `keep` moves the best forward. */
export const ITERATION_DECISIONS = ["keep", "drop", "rejected", "test-failed"] as const;
export type IterationDecision = (typeof ITERATION_DECISIONS)[number];

/** Everything the loop does is one of these, appended to ledger.jsonl; state is derived from them. */
export type LedgerEvent =
  | { type: "experiment-created"; experiment: string; branch: string; baseCommit: string }
  | {
      type: "baseline-locked";
      commit: string;
      value: number;
      medians: Record<string, number>;
      robustCv: number;
      acceptedNoise: boolean;
    }
  | { type: "run-started"; agent: string }
  | { type: "cost"; iteration: number; usd: number; tokens: number }
  | { type: "iteration-started"; iteration: number; best: string }
  | { type: "planned"; iteration: number; strategy: string; folder: string }
  | {
      type: "applied";
      iteration: number;
      attempt: number;
      changedFiles: string[];
      /** Values of env/arg knobs the candidate runs with. */
      knobs: Record<string, string | number | boolean>;
    }
  | { type: "checked"; iteration: number; violations: string[] }
  | { type: "tested"; iteration: number; attempt: number; ok: boolean; failure?: string }
  | {
      type: "measured";
      iteration: number;
      verdict: Verdict;
      improvement: number;
      ci: [number, number];
      rounds: number;
      /** The candidate's median of the experiment's metric in this comparison. */
      value: number;
      /** The current best's median of the metric in the same comparison. */
      bestValue: number;
    }
  | { type: "decided"; iteration: number; decision: IterationDecision; reason: string }
  | {
      type: "committed";
      iteration: number;
      decision: IterationDecision;
      commits: string[];
      best: string;
    }
  | { type: "iteration-abandoned"; iteration: number; reason: string }
  /**
   * Host mode: an evaluation killed before its commit was rolled back; the host's edits stay in
   * the working tree and the iteration waits for `step evaluate` again.
   */
  | { type: "evaluation-interrupted"; iteration: number; reason: string }
  /** Host mode: the host's reflexion of a committed iteration was recorded (the next may start). */
  | { type: "reflected"; iteration: number }
  | { type: "stopped"; reason: string }
  | { type: "report-written"; headline: number | null };

export type LedgerEntry = LedgerEvent & { seq: number; at: string };
