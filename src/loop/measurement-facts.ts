import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { KeepBar, ScenarioMedians } from "../agent/types.js";
import { UsageError } from "../errors.js";
import { FILES } from "../experiment/layout.js";
import type { Experiment } from "../experiment/schema.js";
import type { LoopState } from "../experiment/state.js";
import { median } from "../measure/stats/robust.js";
import { readJsonFile } from "../parse-json.js";
import { readIterationRecord } from "./iteration-record-schema.js";
import { decisionSettings } from "./measure-candidate.js";

const BaselineFacts = z.object({
  metric: z.object({ noiseFloor: z.number() }),
  scenarios: z.array(z.object({ name: z.string(), median: z.number() })),
  peakMemory: z.unknown().nullable(),
});

/** The parts of result.json's `comparison` the brief states (absent when nothing was measured). */
const ComparisonFacts = z.object({
  noiseFloor: z.number(),
  samples: z.array(z.object({ b: z.object({ metrics: z.record(z.string(), z.number()) }) })),
});
type ComparisonFacts = z.infer<typeof ComparisonFacts>;

function comparisonOf(dir: string, folder: string): ComparisonFacts | null {
  const path = join(dir, FILES.iterationsDir, folder, "result.json");
  if (!existsSync(path)) return null;
  const parsed = ComparisonFacts.safeParse(readIterationRecord(path).comparison);
  return parsed.success ? parsed.data : null;
}

/**
 * What the brief tells a planner about measuring: the keep rule in numbers (the δ that applies
 * and the vetoes) and, with several scenarios, every scenario's median for baseline and best.
 */
export function measurementFacts(
  experiment: Experiment,
  dir: string,
  state: LoopState,
): { bar: KeepBar; scenarios: ScenarioMedians[] } | null {
  const path = join(dir, FILES.baselineResult);
  if (!state.baseline || !existsSync(path)) return null;
  const baseline = readJsonFile(path, BaselineFacts, (problem) => {
    return new UsageError(
      "bad-baseline-result",
      `${path} ${problem}: it is the locked baseline as auto-optimize wrote it; restore it from git.`,
    );
  });
  let noiseFloor: KeepBar["noiseFloor"] = {
    value: baseline.metric.noiseFloor,
    from: "the baseline's runs",
  };
  for (const f of [...state.finished].reverse()) {
    const comparison = comparisonOf(dir, f.folder);
    if (comparison) {
      noiseFloor = { value: comparison.noiseFloor, from: `iteration ${f.iteration}'s comparison` };
      break;
    }
  }
  const settings = decisionSettings(experiment);
  const several = baseline.scenarios.length > 1;
  const bar: KeepBar = {
    threshold: experiment.threshold,
    noiseFloor,
    regressionTolerance: several ? settings.regressionTolerance : null,
    memoryTolerance: baseline.peakMemory ? settings.memoryTolerance : null,
  };
  if (!several) return { bar, scenarios: [] };
  const bestFolder = state.finished.find((f) => f.iteration === state.best.iteration)?.folder;
  const best = bestFolder ? comparisonOf(dir, bestFolder) : null;
  const scenarios = baseline.scenarios.map(({ name, median: value }) => {
    const values = best?.samples.map((s) => s.b.metrics[name]).filter((v) => v !== undefined);
    return {
      name,
      baseline: value,
      best: bestFolder ? (values?.length ? median(values as number[]) : null) : value,
    };
  });
  return { bar, scenarios };
}
