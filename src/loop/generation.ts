import type { Agent } from "../agent/types.js";
import { InterruptedError } from "../errors.js";
import type { IterationDecision } from "../experiment/events.js";
import type { LoopState } from "../experiment/state.js";
import { iterationContext } from "./context.js";
import { agentEdits } from "./edit-sources.js";
import {
  type Candidate,
  confirmKeep,
  type EditSource,
  type EvaluationEnv,
  evaluateToDecision,
  finishEvaluation,
  type PendingDecision,
} from "./evaluate.js";
import { MeasurementLane } from "./measurement-lane.js";
import { recordPlan, startIteration } from "./open-iteration.js";

export interface IterationEnv extends EvaluationEnv {
  agent: Agent;
  hotspots: string | null;
  /** The steps of one iteration, for the progress (a generation's siblings run side by side). */
  stepsOf: (iteration: number) => (step: string, detail?: string) => void;
}

export type IterationResult = { kind: "done"; decision: IterationDecision } | { kind: "exhausted" };

interface Sibling {
  candidate: Candidate;
  source: EditSource;
  env: EvaluationEnv;
  pending: Promise<PendingDecision>;
}

/**
 * One generation of the autonomous loop: `size` candidates against the same best (`run
 * --parallel`; 1 is the loop's one iteration at a time). Each sibling is opened and planned in
 * turn — told what the siblings before it try, so the plans differ — and its evaluation starts at
 * once in its own candidate worktree while the next one is planned: edits, builds and tests side by
 * side, each comparison alone in the measurement lane at alpha / size. Then at most one is kept,
 * the credible winner with the largest improvement whose fresh checkout passes; the others that
 * also improved are runner-ups. The non-keeps are recorded and committed first, the keep last, so
 * every commit carries its change from the same best.
 */
export async function runGeneration(
  env: IterationEnv,
  state: LoopState,
  size: number,
): Promise<IterationResult> {
  const { experiment, ledger, agent } = env;
  const first = state.nextIteration;
  const numbers = Array.from({ length: size }, (_, i) => first + i);
  const lane = new MeasurementLane();
  // A sibling's failure stops the others at their next step boundary, then it is rethrown.
  let failure: unknown = null;
  const checkpoint = () => {
    if (failure !== null) throw new InterruptedError("a sibling of the generation failed", false);
    env.checkpoint();
  };
  const siblings: Sibling[] = [];
  try {
    await openSiblings();
  } catch (error) {
    // Ctrl-C or a failed plan while siblings run: they stop at their next boundary first.
    failure ??= error;
  }
  const settled = await Promise.allSettled(siblings.map((s) => s.pending));
  if (failure !== null) throw failure;
  if (siblings.length === 0) return { kind: "exhausted" };
  const decided = settled.map((outcome, i) => ({
    ...(siblings[i] as Sibling),
    decision: (outcome as PromiseFulfilledResult<PendingDecision>).value,
  }));
  const winner = await chooseWinner(decided);
  const order = [...decided.filter((s) => s !== winner), ...(winner ? [winner] : [])];
  let last: IterationDecision = "drop";
  for (const sibling of order) {
    const { candidate, source, decision } = sibling;
    last = (await finishEvaluation(sibling.env, state, candidate, source, decision)).decision;
  }
  return { kind: "done", decision: last };

  /** Opens and plans each sibling in turn, starting its evaluation before the next is planned. */
  async function openSiblings(): Promise<void> {
    for (const [slot, iteration] of numbers.entries()) {
      if (failure !== null) break;
      const worktrees = env.worktrees.forSlot(slot);
      const siblingEnv: EvaluationEnv = {
        ...env,
        worktrees,
        checkpoint,
        onStep: env.stepsOf(iteration),
        ...(size > 1 && { generation: { lane, size, iterations: new Set(numbers) } }),
      };
      const usageAtStart = agent.usage?.();
      await startIteration(
        ledger,
        worktrees,
        iteration,
        state.best.commit,
        size > 1 ? { slot, size } : undefined,
      );
      siblingEnv.onStep("preparing");
      await worktrees.checkout(worktrees.candidatePath, state.best.commit);
      const context = await iterationContext(
        {
          experiment,
          root: env.root,
          dir: env.dir,
          worktree: worktrees.candidatePath,
          hotspots: env.hotspots,
        },
        state,
        iteration,
      );
      if (siblings.length > 0) context.siblings = siblings.map((s) => s.candidate.strategy);
      checkpoint();

      siblingEnv.onStep("planning");
      const plan = await agent.plan(context);
      if (!plan) {
        ledger.append({
          type: "iteration-abandoned",
          iteration,
          reason:
            slot === 0
              ? `${agent.name} has nothing left to try`
              : `${agent.name} has nothing more to try beside its ${slot} sibling(s) in this generation`,
        });
        break;
      }
      const recorded = await recordPlan(env.dir, ledger, iteration, plan, env.profile);
      if (recorded.hotspots) context.hotspots = recorded.hotspots;
      checkpoint();

      const candidate: Candidate = {
        iteration,
        strategy: plan.strategy,
        folder: recorded.folder,
        path: worktrees.candidatePath,
        firstAttempt: 1,
      };
      const source = agentEdits(agent, context, plan, usageAtStart, siblingEnv.onStep);
      const pending = evaluateToDecision(siblingEnv, state, candidate, source).then((done) => {
        if (done.kind === "retry") {
          throw new Error("the loop's agent edits every attempt itself; it is never sent back");
        }
        return done;
      });
      pending.catch((error) => {
        failure ??= error;
      });
      siblings.push({ candidate, source, env: siblingEnv, pending });
      // One at a time: each candidate is decided before the next is planned, so it plans from it.
      if (size === 1) await pending.catch(() => undefined);
    }
  }
}

/**
 * Keeps at most one: among the siblings that may be kept, the largest improvement whose fresh
 * checkout passes (one that fails it is rejected, and the next is tried); the others that may be
 * kept become runner-ups.
 */
async function chooseWinner(
  siblings: (Sibling & { decision: PendingDecision })[],
): Promise<(Sibling & { decision: PendingDecision }) | null> {
  const eligible = siblings
    .filter((s) => s.decision.decision === "keep")
    .sort((a, b) => (b.decision.record.improvement ?? 0) - (a.decision.record.improvement ?? 0));
  let winner: (Sibling & { decision: PendingDecision }) | null = null;
  for (const sibling of eligible) {
    if (winner) {
      const kept = winner.candidate;
      sibling.decision.decision = "runner-up";
      sibling.decision.reason = `${sibling.decision.reason}; iteration ${kept.iteration} (${kept.strategy}) improved more and was kept — offered again on top of it`;
      continue;
    }
    await confirmKeep(sibling.env, sibling.decision);
    if (sibling.decision.decision === "keep") winner = sibling;
  }
  return winner;
}
