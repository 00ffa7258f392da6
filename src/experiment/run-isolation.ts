import { type Confinement, detectConfinement } from "../measure/confinement.js";
import type { RunIsolation } from "../measure/run-isolation.js";
import type { Experiment } from "./schema.js";

/** How this experiment's runs are confined here: bubblewrap unless turned off or unavailable. */
export async function experimentConfinement(experiment: Experiment): Promise<Confinement> {
  if (!experiment.isolation.confine)
    return { kind: "none", reason: "turned off in experiment.json (isolation.confine: false)" };
  return detectConfinement();
}

/** The isolation of a test or benchmark run of this experiment in `checkout`. */
export async function runIsolationFor(
  experiment: Experiment,
  checkout: string,
): Promise<RunIsolation> {
  return {
    confinement: await experimentConfinement(experiment),
    writable: [checkout],
    network: experiment.isolation.network,
  };
}
