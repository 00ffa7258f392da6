import { knobRunTarget } from "../experiment/knobs.js";
import type { Experiment } from "../experiment/schema.js";
import type { LoopState } from "../experiment/state.js";
import { runCheckCommand } from "../measure/check-run.js";
import { type BestProfile, profileBest } from "../profile/snapshot.js";
import type { LoopWorktrees } from "./worktrees.js";

/**
 * The profile a planner reads: the current best checked out and built, profiled running the
 * benchmark with its knobs into `dir`, disassembled too after two iterations in a row without a
 * keep. Null when the experiment turns profiling off or the best does not build.
 */
export async function profileCurrentBest(
  experiment: Experiment,
  worktrees: LoopWorktrees,
  state: LoopState,
  dir: string,
  log: (detail: string) => void,
): Promise<BestProfile | null> {
  if (experiment.profiling?.enabled === false) return null;
  const timeoutMs = experiment.measurement.timeoutSeconds * 1000;
  if (await worktrees.prepareBest(state.best.commit)) {
    if (experiment.commands.build) {
      log("building the best");
      const built = await runCheckCommand(
        "the build",
        experiment.commands.build,
        { cwd: worktrees.bestPath },
        timeoutMs,
      );
      if (!built.ok) return null;
    }
    worktrees.markBestBuilt(state.best.commit);
  }
  log("the best, running the benchmark");
  const target = knobRunTarget(experiment.knobs, state.best.knobs);
  return profileBest({
    dir,
    cwd: worktrees.bestPath,
    command: target.args
      ? `${experiment.commands.bench} ${target.args}`
      : experiment.commands.bench,
    env: target.env,
    timeoutMs,
    disasm: state.sinceLastKeep >= 2,
    log,
    groups: { scope: experiment.scope, protect: experiment.protect },
    focus: experiment.profiling?.focus,
  });
}
