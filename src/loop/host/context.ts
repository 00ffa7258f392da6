import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { IterationContext } from "../../agent/types.js";
import { FILES } from "../../experiment/layout.js";
import { recentReflexions } from "../artifacts.js";
import type { LoopState } from "../state.js";
import type { HostSession } from "./session.js";

/**
 * What a planner is told about an iteration, as the loop tells its agents; the host edits the
 * main working tree, so that is the iteration's worktree.
 */
export async function hostContext(
  session: HostSession,
  state: LoopState,
  iteration: number,
  hotspots: string | null,
): Promise<IterationContext> {
  const { opened } = session;
  const leaderboardPath = join(opened.dir, FILES.leaderboard);
  return {
    experiment: opened.experiment,
    root: session.root,
    experimentDir: opened.dir,
    iteration,
    worktree: session.root,
    baseline: { value: state.baseline?.value ?? Number.NaN },
    best: { commit: state.best.commit, value: state.best.value, knobs: state.best.knobs },
    leaderboard: existsSync(leaderboardPath) ? await readFile(leaderboardPath, "utf8") : "",
    reflexions: await recentReflexions(
      opened.dir,
      state.finished.map((f) => f.folder),
    ),
    tried: state.finished.map((f) => ({
      iteration: f.iteration,
      strategy: f.strategy,
      decision: f.decision,
      folder: f.folder,
    })),
    hotspots,
  };
}
