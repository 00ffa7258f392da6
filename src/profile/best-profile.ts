import { z } from "zod";
import { AutoOptimizeError } from "../errors.js";
import { readJsonFile } from "../parse-json.js";
import { type Hotspot, type Hotspots, LANGUAGES } from "./types.js";

const HotspotSchema = z.object({
  name: z.string(),
  file: z.string().nullable(),
  line: z.number().nullable(),
  selfPct: z.number(),
  totalPct: z.number(),
  samples: z.number(),
  lines: z
    .array(z.object({ line: z.number(), selfPct: z.number(), source: z.string().optional() }))
    .optional(),
  group: z.enum(["scope", "benchmark", "other"]).optional(),
}) satisfies z.ZodType<Hotspot>;

const HotspotsSchema = z.object({
  language: z.enum(LANGUAGES),
  profiler: z.string(),
  samples: z.number(),
  intervalUs: z.number().optional(),
  focus: z.object({ name: z.string(), pctOfAll: z.number() }).optional(),
  hotspots: z.array(HotspotSchema),
  gcPct: z.number().optional(),
  inlinedShown: z.boolean().optional(),
  sampledLines: z.record(z.string(), z.array(z.number())).optional(),
  notes: z.array(z.string()),
}) satisfies z.ZodType<Hotspots>;

/** The current best's profile for one iteration, staged until the iteration has a folder. */
export const BestProfileSchema = z.object({
  /** Staging folder of the snapshot files (outside the experiment folder). */
  dir: z.string(),
  snapshot: z
    .object({ table: z.string(), hotspots: z.array(HotspotSchema), profile: HotspotsSchema })
    .nullable(),
  /** How the benchmark ran, for a disassembly later in the iteration. */
  run: z.object({
    cwd: z.string(),
    command: z.string(),
    env: z.record(z.string(), z.string()).optional(),
    timeoutMs: z.number(),
  }),
  /** Whether disasm-snapshot.txt was already made. */
  disassembled: z.boolean(),
  /** What the planner is shown: the table, and the disassembly's findings when there is one. */
  hotspots: z.string().nullable(),
});
export type BestProfile = z.infer<typeof BestProfileSchema>;

/** A staged profile written as JSON (host mode hands it from one step's process to the next). */
export function readBestProfile(path: string): BestProfile {
  return readJsonFile(
    path,
    BestProfileSchema,
    (problem) =>
      new AutoOptimizeError(
        "bad-staged-profile",
        `${path} ${problem}: delete it and run the step again to profile the best anew.`,
      ),
  );
}
