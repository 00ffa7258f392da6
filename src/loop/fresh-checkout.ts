import { knobRunTarget } from "../experiment/knobs.js";
import type { Experiment, KnobValue } from "../experiment/schema.js";
import { type CommandResult, runCheckCommand } from "../measure/check-run.js";
import type { QueueClient } from "../queue/client.js";
import { openRepository } from "../workspace/git.js";
import { WorktreeSet } from "../workspace/worktrees.js";

/**
 * The last check before a keep is final: the kept commit alone, checked out afresh in a new
 * worktree (nothing of the live tree in it: no untracked or ignored file), built and tested once.
 * A candidate that passed only because of a file its commit lacks fails here. The worktree lives
 * beside the loop's own under .git/auto-optimize/, so a build finds what is installed around the
 * repository (a parent's node_modules) as it does for the best and the candidate; it is removed
 * afterwards, on Ctrl-C and failure too (WorktreeSet's exit hook covers an exit in between).
 */
export async function testFreshCheckout(input: {
  root: string;
  experiment: Experiment;
  commit: string;
  knobs: Record<string, KnobValue>;
  onStep: (step: string) => void;
  /** Checked on a worker of the queue instead: its checkouts are fresh by construction. */
  remote?: QueueClient;
}): Promise<CommandResult> {
  const { experiment } = input;
  if (input.remote) {
    input.onStep("testing a fresh checkout of the kept commit on the queue");
    return input.remote.buildAndTest({ commit: input.commit, knobs: input.knobs }, false);
  }
  const timeoutMs = experiment.measurement.timeoutSeconds * 1000;
  const checkouts = await WorktreeSet.create(await openRepository(input.root), "fresh-checkout");
  try {
    const { path } = await checkouts.add("kept", input.commit);
    if (experiment.commands.build) {
      input.onStep("building a fresh checkout of the kept commit");
      const built = await runCheckCommand(
        "the build",
        experiment.commands.build,
        { cwd: path },
        timeoutMs,
      );
      if (!built.ok) return built;
    }
    input.onStep("testing a fresh checkout of the kept commit");
    const target = { cwd: path, ...knobRunTarget(experiment.knobs, input.knobs) };
    return await runCheckCommand("the tests", experiment.commands.test, target, timeoutMs);
  } finally {
    await checkouts.remove();
  }
}

/** Why a candidate that measured as a gain is rejected when its commit alone fails its tests. */
export function freshCheckoutReason(commit: string, report: string): string {
  return `the build or tests fail on a fresh checkout of the kept commit (${commit.slice(0, 12)}), though they passed in the live tree: the candidate depends on a file that is not part of its change (ignored or left over in the worktree)\n${report}`;
}
