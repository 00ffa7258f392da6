import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { IterationContext } from "../agent/types.js";
import { FILES } from "../experiment/layout.js";
import type { Experiment } from "../experiment/schema.js";
import type { LoopState } from "../experiment/state.js";
import { recentReflexions } from "./artifacts.js";
import { measurementFacts } from "./measurement-facts.js";

/**
 * What an iteration's planner and executor are told: the experiment, the baseline and best, the
 * leaderboard, the last reflexions and every strategy tried so far with its outcome.
 */
export async function iterationContext(
  where: {
    experiment: Experiment;
    root: string;
    /** Absolute experiment folder. */
    dir: string;
    /** Where the agent edits: the candidate worktree (the main tree in host mode). */
    worktree: string;
    hotspots: string | null;
  },
  state: LoopState,
  iteration: number,
): Promise<IterationContext> {
  const leaderboardPath = join(where.dir, FILES.leaderboard);
  return {
    experiment: where.experiment,
    root: where.root,
    experimentDir: where.dir,
    iteration,
    worktree: where.worktree,
    baseline: { value: state.baseline?.value ?? Number.NaN },
    best: { commit: state.best.commit, value: state.best.value, knobs: state.best.knobs },
    leaderboard: existsSync(leaderboardPath) ? await readFile(leaderboardPath, "utf8") : "",
    reflexions: await recentReflexions(where.dir, state.finished),
    tried: state.finished.map((f) => ({
      iteration: f.iteration,
      strategy: f.strategy,
      decision: f.decision,
      folder: f.folder,
    })),
    hotspots: where.hotspots,
    ...measurementFacts(where.experiment, where.dir, state),
  };
}
