import { z } from "zod";
import type { FlatData, Frame } from "../types.js";

/**
 * Reads cProfile's .prof files (marshal, readable only by Python) and prints one JSON object:
 * run with `python3 -c PSTATS_TO_JSON FILE…`.
 */
export const PSTATS_TO_JSON = `
import json, pstats, sys
stats = pstats.Stats(*sys.argv[1:])
out = []
for (file, line, name), (cc, nc, tt, ct, callers) in stats.stats.items():
    out.append({"file": file, "line": line, "name": name, "primitiveCalls": cc, "calls": nc, "self": tt, "total": ct})
json.dump({"totalTime": stats.total_tt, "entries": out}, sys.stdout)
`;

export const PstatsJsonSchema = z.object({
  totalTime: z.number(),
  entries: z.array(
    z.object({
      file: z.string(),
      line: z.number(),
      name: z.string(),
      primitiveCalls: z.number(),
      calls: z.number(),
      self: z.number(),
      total: z.number(),
    }),
  ),
});
export type PstatsJson = z.infer<typeof PstatsJsonSchema>;

/** The profiler's own calls, added by starting and stopping it. */
const PROFILER_FRAMES = /_lsprof\.Profiler/;

/** cProfile's per-function times (seconds) as flat data; built-ins have no file. */
export function parsePstats(json: PstatsJson): FlatData {
  const frames: Frame[] = [];
  const entries: FlatData["entries"] = [];
  let totalWeight = 0;
  for (const e of json.entries) {
    if (PROFILER_FRAMES.test(e.name)) continue;
    const builtin = e.file === "~" || e.line === 0;
    frames.push({
      name: e.name,
      file: builtin ? null : e.file,
      line: builtin ? null : e.line,
    });
    entries.push({ frame: frames.length - 1, self: e.self, total: e.total, count: e.calls });
    totalWeight += e.self;
  }
  return { kind: "flat", unit: "seconds", frames, entries, totalWeight };
}
