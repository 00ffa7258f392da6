import type { ProfileData, WeightUnit } from "./types.js";

/** speedscope's file format (https://www.speedscope.app/file-format-schema.json), sampled profiles. */
export interface SpeedscopeFile {
  $schema: "https://www.speedscope.app/file-format-schema.json";
  shared: { frames: { name: string; file?: string; line?: number }[] };
  profiles: {
    type: "sampled";
    name: string;
    unit: WeightUnit;
    startValue: number;
    endValue: number;
    /** Frame indexes from the root to the leaf. */
    samples: number[][];
    weights: number[];
  }[];
  name: string;
  activeProfileIndex: number;
  exporter: string;
}

/**
 * The profile as a speedscope file. Tracing profilers give no stacks: each function then stands
 * as one stack of itself weighted by its self time, so the "left heavy" view still ranks them.
 */
export function toSpeedscope(data: ProfileData, name: string, exporter: string): SpeedscopeFile {
  const frames = data.frames.map((f) => ({
    name: f.name,
    ...(f.file !== null && { file: f.file }),
    ...(f.line !== null && { line: f.line }),
  }));
  const samples: number[][] = [];
  const weights: number[] = [];
  if (data.kind === "stacks") {
    for (const s of data.stacks) {
      if (s.stack.length === 0) continue;
      samples.push(s.stack);
      weights.push(s.weight);
    }
  } else {
    for (const e of data.entries) {
      if (e.self <= 0) continue;
      samples.push([e.frame]);
      weights.push(e.self);
    }
  }
  const end = weights.reduce((a, b) => a + b, 0);
  return {
    $schema: "https://www.speedscope.app/file-format-schema.json",
    shared: { frames },
    profiles: [
      { type: "sampled", name, unit: data.unit, startValue: 0, endValue: end, samples, weights },
    ],
    name,
    activeProfileIndex: 0,
    exporter,
  };
}
