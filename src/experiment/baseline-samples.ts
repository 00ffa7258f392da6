import { join } from "node:path";
import { z } from "zod";
import { UsageError } from "../errors.js";
import type { ScopeSample } from "../measure/metric-consistency-scope.js";
import { METRIC_FORMATS } from "../measure/metrics/types.js";
import { WALL_TIME } from "../measure/observe.js";
import { readJsonFile } from "../parse-json.js";
import { FILES } from "./layout.js";

const BaselineSamples = z.object({
  samples: z.array(
    z.object({
      metrics: z.record(z.string(), z.number()),
      units: z.record(z.string(), z.string()),
      format: z.enum([...METRIC_FORMATS, WALL_TIME]),
      wallMs: z.number(),
      cpuMs: z.number().nullable(),
    }) satisfies z.ZodType<ScopeSample>,
  ),
});

/** The baseline's runs as baseline/result.json records them (metrics, units, format, times). */
export function readBaselineSamples(experimentDir: string): ScopeSample[] {
  const path = join(experimentDir, FILES.baselineResult);
  return readJsonFile(path, BaselineSamples, (problem) => {
    return new UsageError(
      "bad-baseline-result",
      `${path} ${problem}: it is the locked baseline as auto-optimize wrote it; restore it from git, or measure it again with auto-optimize baseline --force before the loop starts.`,
    );
  }).samples;
}
