import { UsageError } from "../../errors.js";
import type { IterationDecision, LedgerEntry } from "../../experiment/events.js";
import type { Ledger } from "../../experiment/ledger.js";
import type { Experiment } from "../../experiment/schema.js";
import { deriveState, type LoopState } from "../../experiment/state.js";
import { continueAdvice } from "../stop-advice.js";
import { stopReason } from "../stop-reason.js";

/** The agent name host-mode runs record in `run-started`: iterations after it are the host's. */
export const HOST_AGENT = "host";

/**
 * The steps of host mode, in the order the protocol expects them; `report` once a stop condition
 * holds between iterations (`next` is still allowed then: it records the stop, or goes on past
 * the target with --continue-after-target).
 */
export type HostStep = "baseline" | "next" | "plan" | "evaluate" | "reflect" | "report";

/** Whether hints name the shell commands or the MCP tools. */
export type HostInterface = "cli" | "mcp";

/** Where host mode stands, derived from the ledger alone (a crashed host resumes from it). */
export interface HostPosition {
  /** The step the protocol expects now. */
  expected: HostStep;
  /** The open iteration (plan, evaluate), the one awaiting its reflexion, or the next one. */
  iteration: number;
  /** The open or last finished iteration's strategy and folder (under iterations/), once planned. */
  strategy: string | null;
  folder: string | null;
  /** The decision of the iteration awaiting its reflexion. */
  decision: IterationDecision | null;
  /** Evaluations of the open iteration whose build or tests failed (each sends the host back). */
  failedAttempts: number;
  /**
   * An evaluation (or an iteration of the autonomous loop) began and neither finished nor was
   * rolled back: the process was killed. The next step recovers before anything else.
   */
  interrupted: boolean;
  /** The open iteration was started by host mode (not by `auto-optimize run`). */
  host: boolean;
  /** Why no further iteration starts (expected is then `report`); null otherwise. */
  stop: string | null;
  state: LoopState;
}

export function hostPosition(experiment: Experiment, ledger: Ledger): HostPosition {
  const state = deriveState(experiment, ledger);
  const entries = ledger.entries;
  const position: HostPosition = {
    expected: "next",
    iteration: state.nextIteration,
    strategy: null,
    folder: null,
    decision: null,
    failedAttempts: 0,
    interrupted: false,
    host: false,
    stop: null,
    state,
  };
  if (!state.baseline) return { ...position, expected: "baseline" };
  if (state.unfinished) {
    const { iteration, events } = state.unfinished;
    const planned = lastOf(events, (e) => e.type === "planned");
    const failedAttempts = events.filter((e) => e.type === "tested" && !e.ok).length;
    const host = startedByHost(entries, (events[0] as LedgerEntry).seq);
    return {
      ...position,
      expected: planned ? "evaluate" : "plan",
      iteration,
      strategy: planned?.type === "planned" ? planned.strategy : null,
      folder: planned?.type === "planned" ? planned.folder : null,
      failedAttempts,
      host,
      interrupted: !host || !waiting(events.at(-1) as LedgerEntry, failedAttempts, experiment),
    };
  }
  const last = state.finished.at(-1);
  if (last && awaitsReflexion(entries, last.iteration)) {
    return {
      ...position,
      expected: "reflect",
      iteration: last.iteration,
      strategy: last.strategy,
      folder: last.folder,
      decision: last.decision,
      host: true,
    };
  }
  const stop = stopReason(experiment, state);
  return stop ? { ...position, expected: "report", stop } : position;
}

/**
 * Events after which a host iteration rests between steps: opened, planned, rolled back after a
 * kill, or sent back to the host after failing tests with retries left. After any other, an
 * evaluation was cut short.
 */
function waiting(last: LedgerEntry, failedAttempts: number, experiment: Experiment): boolean {
  if (["iteration-started", "planned", "evaluation-interrupted"].includes(last.type)) return true;
  return last.type === "tested" && !last.ok && failedAttempts <= experiment.testRetries;
}

/** The run that an event at `seq` belongs to is a host-mode run. */
export function startedByHost(entries: readonly LedgerEntry[], seq: number): boolean {
  const run = lastOf(entries, (e) => e.type === "run-started" && e.seq < seq);
  return run?.type === "run-started" && run.agent === HOST_AGENT;
}

/** A host iteration that was committed and has no `reflected` event yet. */
function awaitsReflexion(entries: readonly LedgerEntry[], iteration: number): boolean {
  const committed = lastOf(entries, (e) => e.type === "committed" && e.iteration === iteration);
  if (!committed) return false;
  const started = lastOf(
    entries,
    (e) => e.type === "iteration-started" && e.iteration === iteration && e.seq < committed.seq,
  );
  if (!started || !startedByHost(entries, started.seq)) return false;
  return !entries.some((e) => e.type === "reflected" && e.iteration === iteration);
}

function lastOf(
  entries: readonly LedgerEntry[],
  test: (entry: LedgerEntry) => boolean,
): LedgerEntry | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i] as LedgerEntry;
    if (test(entry)) return entry;
  }
  return undefined;
}

const COMMANDS: Record<HostInterface, Record<HostStep, string>> = {
  cli: {
    baseline: "`auto-optimize baseline`",
    next: "`auto-optimize step next`",
    plan: "`auto-optimize step plan --file PLAN.json`",
    evaluate: "`auto-optimize step evaluate`",
    reflect: "`auto-optimize step reflect --file REFLEXION.md`",
    report: "`auto-optimize report`",
  },
  mcp: {
    baseline: "the lock_baseline tool",
    next: "the next_iteration tool",
    plan: "the submit_plan tool",
    evaluate: "the evaluate tool",
    reflect: "the reflect tool",
    report: "the report tool",
  },
};

/** How to take `step` through the given interface, for hints and errors. */
export function stepCommand(step: HostStep, via: HostInterface): string {
  return COMMANDS[via][step];
}

/** What to do once a stop condition holds: the report, or how to go on deliberately instead. */
export function stopHint(stop: string, via: HostInterface): string {
  return `stop iterating (${stop}): write the final report with ${stepCommand("report", via)}, which re-measures the baseline against the best. To go on deliberately instead: ${continueAdvice(stop, via)}.`;
}

/**
 * Refuses a step the protocol does not expect now, saying which step to take instead. `next` is
 * allowed while the open iteration still waits for its plan (it hands out the same brief again).
 */
export function requireStep(
  position: HostPosition,
  step: Exclude<HostStep, "baseline">,
  via: HostInterface,
): void {
  const { expected, iteration } = position;
  if (expected === step || (step === "next" && (expected === "plan" || expected === "report")))
    return;
  const run = (s: HostStep) => stepCommand(s, via);
  const planned = position.strategy
    ? `'${position.strategy}' (iterations/${position.folder}/plan.md)`
    : "";
  const messages: Record<HostStep, string> = {
    baseline: `the baseline is not locked yet: lock it with ${run("baseline")} before any iteration.`,
    next:
      step === "reflect"
        ? `no evaluated iteration is waiting for a reflexion: run ${run("next")} to open iteration ${iteration}.`
        : `no iteration is open: run ${run("next")} to open iteration ${iteration} and get its brief${step === "evaluate" ? `, submit a plan with ${run("plan")} and make its edits; then evaluate` : ""}.`,
    plan: `iteration ${iteration} has no accepted plan yet: submit one with ${run("plan")} (${step === "evaluate" ? "evaluate measures the edits that carry out an accepted plan" : "there is nothing to reflect on before it is planned and evaluated"}).`,
    evaluate:
      step === "plan"
        ? `iteration ${iteration} already has its plan ${planned}; a plan is submitted once per iteration. Make its edits in the working tree, then run ${run("evaluate")}.`
        : step === "next"
          ? `iteration ${iteration} is open with its plan ${planned}: make the edits in the working tree and run ${run("evaluate")}; it cannot be skipped by opening another.`
          : `iteration ${iteration} is not evaluated yet (its plan is ${planned}): run ${run("evaluate")} first; the reflexion comes after the decision.`,
    reflect: `iteration ${iteration} was evaluated (${position.decision}) and waits for its reflexion: run ${run("reflect")} first — the next iteration learns from it.`,
    report: `no iteration is open and none starts: ${stopHint(position.stop ?? "", via)}`,
  };
  throw new UsageError("out-of-order", messages[expected]);
}
