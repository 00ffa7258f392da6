import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { UsageError } from "../errors.js";
import { volatilePatterns } from "../measure/behaviour-check.js";
import {
  type InvariantOptions,
  learnInvariants,
  OutputInvariants,
  type OutputRun,
} from "../measure/output-invariants.js";
import { readJsonFile } from "../parse-json.js";
import { FILES } from "./layout.js";
import type { Experiment } from "./schema.js";

/** baseline/invariants.json: what the baseline's runs print invariably, learned once at lock. */
export const BaselineInvariants = z.object({
  /** The commit the baseline measured: they continue only comparisons whose best is that code. */
  commit: z.string(),
  invariants: OutputInvariants,
});
export type BaselineInvariants = z.infer<typeof BaselineInvariants>;

/** The experiment's terms for its output invariants: its metric is scored, its patterns volatile. */
export function invariantOptions(experiment: Experiment): InvariantOptions {
  return {
    scored: [experiment.metric.name],
    volatile: volatilePatterns(experiment.volatile ?? []),
  };
}

/** The invariants of the baseline's runs (warm-ups included), or null when none hold. */
export function learnBaselineInvariants(
  experiment: Experiment,
  runs: readonly OutputRun[],
): OutputInvariants | null {
  return learnInvariants(runs, invariantOptions(experiment));
}

/** Writes baseline/invariants.json (nothing when no invariant holds). */
export function writeBaselineInvariants(
  experimentDir: string,
  commit: string,
  invariants: OutputInvariants | null,
): void {
  if (!invariants) return;
  const file: BaselineInvariants = { commit, invariants };
  writeFileSync(join(experimentDir, FILES.baselineInvariants), `${JSON.stringify(file)}\n`);
}

/** The baseline's invariants, or null for a baseline locked before they were learned. */
export function readBaselineInvariants(experimentDir: string): BaselineInvariants | null {
  const path = join(experimentDir, FILES.baselineInvariants);
  if (!existsSync(path)) return null;
  return readJsonFile(
    path,
    BaselineInvariants,
    (problem) =>
      new UsageError(
        "bad-invariants",
        `${path} ${problem}: it is what the baseline's runs printed invariably, as auto-optimize wrote it; restore it from git or lock the baseline again (auto-optimize baseline --force).`,
      ),
  );
}
