import { AutoOptimizeError } from "../../errors.js";
import {
  applyFileKnob,
  formatKnobValue,
  parseKnobValue,
  readFileKnob,
  sameKnobValue,
} from "../../experiment/knobs.js";
import type { Knob, KnobValue } from "../../experiment/schema.js";
import type { Agent, Applied, IterationContext, Outcome, Plan } from "../types.js";
import {
  type Assignment,
  formatStrategy,
  parseStrategy,
  runtimeValues,
  validValues,
} from "./assignment.js";
import { renderPlan, renderReflexion } from "./render.js";
import { type HistoryEntry, nextMove, replay, type SearchState } from "./search.js";

/** plan.json of a tuner trial. */
export interface TunerPlanData {
  agent: "tuner";
  knob: string;
  kind: Knob["kind"];
  from: KnobValue;
  to: KnobValue;
  move: "up" | "down" | "switch";
  step: number | null;
  /** The current best's values, which the trial changes in one knob. */
  base: Assignment;
  /** Every knob's value in this trial. */
  assignment: Assignment;
}

function stateOf(context: IterationContext, extra: HistoryEntry[] = []): SearchState {
  const history = [...context.tried, ...extra];
  return replay(context.experiment.knobs, history, context.best.knobs);
}

/**
 * The full assignment of a plan: plan.json's `assignment` when it is a valid one, else the
 * strategy's change applied to the current best (a plan re-read from disk may carry only that).
 */
function planAssignment(context: IterationContext, plan: Plan): Assignment {
  const knobs = context.experiment.knobs;
  const data = plan.data as Partial<TunerPlanData> | null;
  if (data && typeof data === "object" && data.assignment && typeof data.assignment === "object") {
    const valid = validValues(knobs, data.assignment);
    if (knobs.every((k) => k.name in valid)) return valid;
  }
  const change = parseStrategy(knobs, plan.strategy);
  if (!change) {
    throw new AutoOptimizeError(
      "tuner-unknown-plan",
      `the tuner cannot apply '${plan.strategy}': it is not NAME=value for a declared knob and plan.json holds no assignment.`,
    );
  }
  return { ...stateOf(context).current, [change.knob]: change.value };
}

/** Writes every file knob whose value in the worktree differs from the assignment's. */
async function writeFileKnobs(worktree: string, knobs: readonly Knob[], assignment: Assignment) {
  const written: string[] = [];
  for (const knob of knobs) {
    if (knob.kind !== "file") continue;
    const value = assignment[knob.name] ?? knob.initial;
    let current: KnobValue | null = null;
    try {
      current = parseKnobValue(knob.domain, await readFileKnob(worktree, knob));
    } catch (error) {
      // An unreadable value is rewritten below; a missing file or match fails there too.
      if (error instanceof AutoOptimizeError && error.code !== "invalid-knob-value") throw error;
    }
    if (current !== null && sameKnobValue(current, value)) continue;
    await applyFileKnob(worktree, knob, value);
    written.push(`${knob.file}: ${knob.name}=${formatKnobValue(value)}`);
  }
  return written;
}

/** The `tuner` agent: knob search without a model (see search.ts for the rules). */
export function createTunerAgent(): Agent {
  return {
    name: "tuner",

    async plan(context: IterationContext): Promise<Plan | null> {
      // Coordinate descent moves from the last outcome: one move per generation (`run --parallel`).
      if (context.siblings?.length) return null;
      const state = stateOf(context);
      const move = nextMove(state);
      if (!move) return null;
      const knob = context.experiment.knobs.find((k) => k.name === move.knob) as Knob;
      const data: TunerPlanData = {
        agent: "tuner",
        knob: move.knob,
        kind: knob.kind,
        from: move.from,
        to: move.to,
        move: move.kind,
        step: move.step,
        base: { ...state.current },
        assignment: move.assignment,
      };
      return {
        strategy: formatStrategy({ knob: move.knob, value: move.to }),
        markdown: renderPlan(state, move),
        data,
      };
    },

    async apply(context: IterationContext, plan: Plan, feedback: string | null): Promise<Applied> {
      const knobs = context.experiment.knobs;
      const assignment = planAssignment(context, plan);
      const written = await writeFileKnobs(context.worktree, knobs, assignment);
      const parts = [`${plan.strategy}; running with ${formatRuntime(knobs, assignment)}`];
      if (written.length > 0) parts.push(`rewrote ${written.join(", ")}`);
      if (feedback !== null) {
        parts.push(
          "the tuner cannot repair a failing build or test: the same values are applied again",
        );
      }
      return { summary: parts.join("; "), knobs: runtimeValues(knobs, assignment) };
    },

    async reflect(context: IterationContext, plan: Plan, outcome: Outcome): Promise<string> {
      const knobs = context.experiment.knobs;
      let assignment: Assignment | null = null;
      try {
        assignment = planAssignment(context, plan);
      } catch {
        assignment = null;
      }
      const already = context.tried.some((t) => t.iteration === context.iteration);
      const extra = already
        ? []
        : [{ iteration: context.iteration, strategy: plan.strategy, decision: outcome.decision }];
      const bestKnobs =
        outcome.decision === "keep" && assignment
          ? runtimeValues(knobs, assignment)
          : context.best.knobs;
      const after = replay(knobs, [...context.tried, ...extra], bestKnobs);
      return renderReflexion({
        iteration: context.iteration,
        knobs,
        strategy: plan.strategy,
        assignment,
        outcome,
        next: nextMove(after),
      });
    },
  };
}

function formatRuntime(knobs: readonly Knob[], assignment: Assignment): string {
  const runtime = knobs.filter((k) => k.kind !== "file");
  if (runtime.length === 0) return "no env/arg knobs";
  return runtime
    .map((k) => `${k.name}=${formatKnobValue(assignment[k.name] ?? k.initial)}`)
    .join(", ");
}
