import { AutoOptimizeError, type ErrorCode } from "../errors.js";

export const LANGUAGES = ["node", "python", "native", "jvm", "go"] as const;
/** What runs: Node.js, Python, a native binary (C, C++, Rust, Go binaries), the JVM, `go test`. */
export type Language = (typeof LANGUAGES)[number];

/** One function of the profile. Percentages are of all kept samples (0–100). */
export interface Hotspot {
  name: string;
  file: string | null;
  line: number | null;
  /** Time spent in the function itself. */
  selfPct: number;
  /** Time spent in the function and everything it called. */
  totalPct: number;
  /** Samples with the function on top (for tracing profilers: its calls). */
  samples: number;
}

export interface Hotspots {
  language: Language;
  profiler: string;
  /** Samples kept (pseudo-frames such as idle removed); for tracing profilers, calls recorded. */
  samples: number;
  /** Sorted by self time, highest first. */
  hotspots: Hotspot[];
  /** Share of the time in garbage collection, when the profiler tells. */
  gcPct?: number;
  /** What the reader should know: a fallback taken, frames without symbols, a low sample count. */
  notes: string[];
}

/** A frame as the profiler named it. */
export interface Frame {
  name: string;
  file: string | null;
  /** 1-based. */
  line: number | null;
  /** 1-based, when the profiler tells (source maps need it). */
  col?: number;
}

export type WeightUnit = "none" | "nanoseconds" | "microseconds" | "milliseconds" | "seconds";

/** Stack samples from a sampling profiler; a stack lists frame indexes from the root to the leaf. */
export interface StackData {
  kind: "stacks";
  unit: WeightUnit;
  frames: Frame[];
  stacks: { stack: number[]; weight: number; samples: number }[];
}

/** Per-function totals from a tracing profiler (cProfile, callgrind) or a flat report (pprof -top). */
export interface FlatData {
  kind: "flat";
  unit: WeightUnit;
  frames: Frame[];
  entries: { frame: number; self: number; total: number; count: number }[];
  /** Weight of the whole run (the percentages' denominator). */
  totalWeight: number;
}

export type ProfileData = StackData | FlatData;

/** What an adapter hands back: which profiler ran and what it recorded. */
export interface AdapterResult {
  profiler: string;
  data: ProfileData;
  /** Frames counted as garbage collection (their time becomes `gcPct` and one GC line). */
  isGc?: (frame: Frame) => boolean;
  notes: string[];
  /** Wall time of the profiled run itself, without reading the profile afterwards. */
  runMs?: number;
}

export interface ProfileRequest {
  /** Run through /bin/sh -c. */
  command: string;
  cwd: string;
  env?: Record<string, string>;
  timeoutMs: number;
  /** Skips detection. */
  language?: Language;
  /** Where the profilers write their files (created by the caller, removed after). */
  workDir: string;
}

/** No profiler applies or none could run: says what was tried and what to install. */
export class ProfileError extends AutoOptimizeError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly tried: string[] = [],
  ) {
    super(
      code,
      tried.length ? `${message}\ntried:\n${tried.map((t) => `  - ${t}`).join("\n")}` : message,
      1,
    );
    this.name = "ProfileError";
  }
}
