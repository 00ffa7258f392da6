import type { IterationContext } from "../../agent/types.js";
import type { LoopState } from "../../experiment/state.js";
import { iterationContext } from "../context.js";
import type { HostSession } from "./session.js";

/**
 * What a planner is told about an iteration, as the loop tells its agents; the host edits the
 * main working tree, so that is the iteration's worktree.
 */
export function hostContext(
  session: HostSession,
  state: LoopState,
  iteration: number,
  hotspots: string | null,
): Promise<IterationContext> {
  const { opened, root } = session;
  return iterationContext(
    { experiment: opened.experiment, root, dir: opened.dir, worktree: root, hotspots },
    state,
    iteration,
  );
}
