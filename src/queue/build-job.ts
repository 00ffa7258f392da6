import { knobRunTarget } from "../experiment/knobs.js";
import { runIsolationFor } from "../experiment/run-isolation.js";
import { type CommandResult, runCheckCommand } from "../measure/check-run.js";
import type { BuildJob } from "./jobs.js";
import type { WorkerCache } from "./worker-cache.js";

/**
 * A build/test job on a worker: the commit checked out from the worker's cache, built (when the
 * experiment has a build), then tested with its knobs — isolated like the loop's runs when
 * `isolated` (a candidate's snapshot), plainly for a keep's fresh-checkout check, as locally.
 */
export async function runBuildJob(job: BuildJob, cache: WorkerCache): Promise<CommandResult> {
  const { experiment, revision } = job;
  const timeoutMs = experiment.measurement.timeoutSeconds * 1000;
  const { set, trees } = await cache.checkout(job.repository, "build", [revision.commit]);
  try {
    const cwd = (trees[0] as { path: string }).path;
    if (experiment.commands.build) {
      const built = await runCheckCommand(
        "the build",
        experiment.commands.build,
        { cwd },
        timeoutMs,
      );
      if (!built.ok) return built;
    }
    const target = {
      cwd,
      ...knobRunTarget(experiment.knobs, revision.knobs),
      ...(job.isolated && { isolation: await runIsolationFor(experiment, cwd) }),
    };
    return await runCheckCommand("the tests", experiment.commands.test, target, timeoutMs);
  } finally {
    await set.remove();
  }
}
