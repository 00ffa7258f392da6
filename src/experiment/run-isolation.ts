import { type Confinement, detectConfinement } from "../measure/confinement.js";
import type { RunIsolation } from "../measure/run-isolation.js";
import type { Experiment } from "./schema.js";

/** How this experiment's runs are confined here: bubblewrap unless turned off or unavailable. */
async function experimentConfinement(experiment: Experiment): Promise<Confinement> {
  if (!experiment.isolation.confine)
    return { kind: "none", reason: "turned off in experiment.json (isolation.confine: false)" };
  return detectConfinement();
}

/** This experiment's isolation of a run, for any checkout (compareRevisions adds its worktree). */
export async function experimentIsolation(
  experiment: Experiment,
): Promise<Omit<RunIsolation, "writable">> {
  return {
    confinement: await experimentConfinement(experiment),
    network: experiment.isolation.network,
  };
}

/** The isolation of a test or benchmark run of this experiment in `checkout`. */
export async function runIsolationFor(
  experiment: Experiment,
  checkout: string,
): Promise<RunIsolation> {
  return { ...(await experimentIsolation(experiment)), writable: [checkout] };
}
