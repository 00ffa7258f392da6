import { AutoOptimizeError, type ErrorCode } from "../errors.js";

export const LANGUAGES = ["node", "python", "native", "jvm", "go"] as const;
/** What runs: Node.js, Python, a native binary (C, C++, Rust, Go binaries), the JVM, `go test`. */
export type Language = (typeof LANGUAGES)[number];

/** A source line inside a hot function: the line its samples were executing. */
export interface HotLine {
  line: number;
  /** Share of all kept samples (0–100). */
  selfPct: number;
  /** The line's text, when the file could be read. */
  source?: string;
}

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
  /** Its hottest lines, hottest first, when the profiler tells which line a sample executed. */
  lines?: HotLine[];
  /** Which files it is in, for the reader: the scope's, the benchmark's own, or elsewhere. */
  group?: FileGroup;
}

/** The scope's files (optimizable), the benchmark's own (protected), or neither. */
export type FileGroup = "scope" | "benchmark" | "other";

export interface Hotspots {
  language: Language;
  profiler: string;
  /** Samples kept (pseudo-frames such as idle removed); for tracing profilers, calls recorded. */
  samples: number;
  /** Time between two samples, when the profiler samples at a set rate. */
  intervalUs?: number;
  /** The function the percentages are shares of (`--focus`), and its share of all samples. */
  focus?: { name: string; pctOfAll: number };
  /** Sorted by self time, highest first. */
  hotspots: Hotspot[];
  /** Share of the time in garbage collection, when the profiler tells. */
  gcPct?: number;
  /**
   * Whether code a compiler inlined still shows under its own function's name, so that a function
   * without samples did not run. False for perf without debug information and for callgrind.
   */
  inlinedShown?: boolean;
  /**
   * Every source line with samples, by file (sorted). Code a compiler inlined is counted on its
   * own lines under its caller's name (V8 does so), so a function whose lines have samples ran.
   */
  sampledLines?: Record<string, number[]>;
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
  stacks: StackSample[];
}

/** Samples that share one stack. */
export interface StackSample {
  stack: number[];
  weight: number;
  samples: number;
  /** Samples per source line the leaf was executing (a subset of `samples`), when known. */
  leafLines?: Map<number, number>;
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
  /** Time between two samples, when the profiler samples at a set rate. */
  intervalUs?: number;
  /** False when inlined code is counted for its caller only (see `Hotspots.inlinedShown`). */
  inlinedShown?: boolean;
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
  /** Time between samples asked for (adapters with a settable rate); the default when absent. */
  intervalUs?: number;
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
