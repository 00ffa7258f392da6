import { UsageError } from "../errors.js";
import { readEffect } from "../flag-numbers.js";
import { volatilePatterns } from "../measure/behaviour-check.js";
import { globMatcher } from "../workspace/files.js";
import { parseKnob } from "./knob-syntax.js";
import type { Knob } from "./schema.js";

/** init's answers as typed at a prompt or given as flags, before any check. */
export interface RawAnswers {
  goal?: string;
  /** Globs, each entry possibly several separated by commas or spaces. */
  scope?: string[];
  metric?: string;
  direction?: string;
  target?: string;
  threshold?: string;
  iterations?: string;
  /** undefined: the project has none (an agent may write it); "" is refused as empty. */
  test?: string;
  bench?: string;
  build?: string;
  /** The behaviour check command; undefined: none (an agent writing tests may propose one). */
  check?: string;
  /** Globs added to the default protected ones. */
  protect?: string[];
  knobs?: string[];
  /** Regular expressions of output that varies between runs of the same code. */
  volatile?: string[];
}

/** The answers after every check: what the experiment is made of. */
export interface Answers {
  goal: string;
  scope: string[];
  metric: { name: string; direction: "lower" | "higher" };
  target: number;
  threshold: number;
  iterations: number;
  test?: string;
  bench?: string;
  build?: string;
  check?: string;
  /** The user's own protect globs (the defaults are added when the experiment is created). */
  protect: string[];
  knobs: Knob[];
  volatile: string[];
}

export const DEFAULT_ITERATIONS = 10;

/** Protected whatever the user says: test folders and files, benchmark folders, experiments. */
export const DEFAULT_PROTECT = [
  "test/**",
  "tests/**",
  "**/__tests__/**",
  "**/*.test.*",
  "**/*.spec.*",
  "**/*_test.*",
  "spec/**",
  "bench/**",
  "benchmarks/**",
  "experiments/**",
];

/** Answers init cannot do without, with the flag that gives each. */
export const REQUIRED: readonly { key: keyof RawAnswers; flag: string }[] = [
  { key: "goal", flag: "--goal" },
  { key: "scope", flag: "--scope" },
  { key: "metric", flag: "--metric" },
  { key: "direction", flag: "--direction" },
  { key: "target", flag: "--target" },
  { key: "threshold", flag: "--threshold" },
];

/** The flags of required answers that are missing or blank. */
export function missingFlags(raw: RawAnswers): string[] {
  return REQUIRED.filter(({ key }) => {
    const value = raw[key];
    if (value === undefined) return true;
    return Array.isArray(value) ? splitGlobs(value).length === 0 : value.trim() === "";
  }).map(({ flag }) => flag);
}

/** Globs from answers like "src/**, lib/*.js" or repeated flags; commas inside {a,b} are kept. */
export function splitGlobs(entries: readonly string[]): string[] {
  const globs: string[] = [];
  for (const entry of entries) {
    let depth = 0;
    let current = "";
    for (const char of entry) {
      if (char === "{") depth++;
      if (char === "}") depth = Math.max(0, depth - 1);
      if (depth === 0 && (char === "," || /\s/.test(char))) {
        if (current) globs.push(current);
        current = "";
      } else {
        current += char;
      }
    }
    if (current) globs.push(current);
  }
  return [...new Set(globs.map((g) => g.replace(/^\.\//, "")))];
}

// Words that say "better" without saying what or by how much; a goal made only of them is vague.
const VAGUE_WORDS = new Set(
  (
    "a all an and any application app as be best better bit code make made it its much more " +
    "less lower higher performance performant perf possible fast faster fastest quick quicker " +
    "quickest speed speedy up improve improved optimize optimise optimized optimal efficient " +
    "efficiency the this thing things everything program software should please just very " +
    "really way go run runs go lot lots of to than is are so good great maximum minimum max min"
  ).split(" "),
);

/** Why a goal is refused, or undefined when it is acceptable. */
export function goalProblem(text: string | undefined): string | undefined {
  const goal = text?.trim() ?? "";
  if (goal === "") return "the goal is empty: say what to make faster or smaller, and where";
  const words = goal.toLowerCase().match(/[a-z0-9_]+/g) ?? [];
  if (words.every((word) => VAGUE_WORDS.has(word))) {
    return `the goal "${goal}" is vague: name the operation and the measure, e.g. "cut the p50 latency of parse() on the 1 MB input"`;
  }
  return undefined;
}

const TARGET = /^(?:<=?|>=?|≤|≥)?\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*([a-zµ/]+)?$/i;

/** The target as a number, or the reason it is refused. */
export function parseTarget(
  text: string | undefined,
  metric = "the metric",
): number | { problem: string } {
  const answer = text?.trim() ?? "";
  const hint = `give the value of ${metric} that ends the experiment, a number in the benchmark's unit (e.g. --target 120)`;
  if (answer === "") return { problem: `no target: ${hint}` };
  if (answer.endsWith("%")) {
    return {
      problem: `the target "${answer}" is relative: ${hint}; for 30% faster than a 200 ms baseline, that is 140`,
    };
  }
  const match = TARGET.exec(answer);
  if (!match) {
    const words = answer.toLowerCase().match(/[a-z0-9_]+/g) ?? [];
    const what = words.every((word) => VAGUE_WORDS.has(word)) ? "vague" : "not a number";
    return { problem: `the target "${answer}" is ${what}: ${hint}` };
  }
  const value = Number(match[1]);
  if (!(value > 0)) return { problem: `the target must be greater than zero, got ${answer}` };
  return value;
}

/** A per-iteration threshold given as 0.05, 5e-2 or 5%, or the reason it is refused. */
export function parseThreshold(text: string | undefined): number | { problem: string } {
  const answer = text?.trim() ?? "";
  const hint =
    "give the smallest gain worth keeping as a fraction or a percentage, e.g. 0.02 or 2%";
  if (answer === "") return { problem: `no threshold: ${hint}` };
  const fraction = readEffect(answer);
  return typeof fraction === "number"
    ? fraction
    : { problem: `the threshold ${fraction.problem}; ${hint}` };
}

export function directionProblem(text: string | undefined): string | undefined {
  if (text === "lower" || text === "higher") return undefined;
  return `the direction must be 'lower' (times, memory, sizes) or 'higher' (throughput, scores), got '${text ?? ""}'`;
}

export function iterationsProblem(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const value = Number(text);
  if (Number.isInteger(value) && value >= 1) return undefined;
  return `the iteration budget must be a whole number of at least 1, got '${text}'`;
}

/** Why a scope glob list is refused given the repository's files, or undefined. */
export function scopeProblem(
  globs: readonly string[],
  files: readonly string[],
  protect: readonly string[] = DEFAULT_PROTECT,
): string | undefined {
  if (globs.length === 0) {
    return `no scope: give globs of the files the optimizer may change, e.g. 'src/**'; ${someFiles(files)}`;
  }
  const isProtected = globMatcher(protect);
  const problems: string[] = [];
  for (const glob of globs) {
    const matches = files.filter(globMatcher([glob]));
    if (matches.length === 0) {
      problems.push(`the scope '${glob}' matches no file in the repository; ${someFiles(files)}`);
    } else if (matches.every(isProtected)) {
      problems.push(
        `the scope '${glob}' matches only protected files (tests, benchmarks, experiments): nothing in it could be changed`,
      );
    }
  }
  return problems.length ? problems.join("\n") : undefined;
}

function someFiles(files: readonly string[]): string {
  if (files.length === 0) return "the repository has no files yet";
  const isProtected = globMatcher(DEFAULT_PROTECT);
  const shown = [...files.filter((f) => !isProtected(f)), ...files.filter(isProtected)].slice(0, 8);
  const more = files.length - shown.length;
  return `files that exist: ${shown.join(", ")}${more > 0 ? ` (and ${more} more)` : ""}`;
}

function commandProblem(flag: string, text: string | undefined): string | undefined {
  if (text === undefined || text.trim() !== "") return undefined;
  return `${flag} is empty: give the shell command, or leave it out when the project has none`;
}

/**
 * Checks every answer and returns them typed, or throws one UsageError listing every problem
 * (each with its flag and what to give instead). `files` are the repository's files.
 */
export async function validateAnswers(
  raw: RawAnswers,
  root: string,
  files: readonly string[],
): Promise<Answers> {
  const problems: string[] = [];
  const note = (flag: string, problem: string | undefined) => {
    if (problem) problems.push(`${flag}: ${problem}`);
  };
  const metric = raw.metric?.trim() ?? "";
  note("--goal", goalProblem(raw.goal));
  const protect = splitGlobs(raw.protect ?? []);
  const scope = splitGlobs(raw.scope ?? []);
  note("--scope", scopeProblem(scope, files, [...DEFAULT_PROTECT, ...protect]));
  if (metric === "") note("--metric", "no metric: give the name the benchmark prints, e.g. 'ms'");
  note("--direction", directionProblem(raw.direction));
  const target = parseTarget(raw.target, metric ? `'${metric}'` : undefined);
  if (typeof target !== "number") note("--target", target.problem);
  const threshold = parseThreshold(raw.threshold);
  if (typeof threshold !== "number") note("--threshold", threshold.problem);
  note("--iterations", iterationsProblem(raw.iterations));
  note("--test", commandProblem("--test", raw.test));
  note("--bench", commandProblem("--bench", raw.bench));
  note("--check", commandProblem("--check", raw.check));

  const knobs: Knob[] = [];
  for (const spec of raw.knobs ?? []) {
    try {
      knobs.push(await parseKnob(spec, root));
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problems.push(error.message);
    }
  }
  const volatile = raw.volatile ?? [];
  try {
    volatilePatterns(volatile);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    problems.push(error.message);
  }
  const isProtected = globMatcher([...DEFAULT_PROTECT, ...protect]);
  const seen = new Set<string>();
  for (const knob of knobs) {
    if (seen.has(knob.name)) note("--knob", `two knobs are named '${knob.name}'`);
    seen.add(knob.name);
    if (knob.file && isProtected(knob.file)) {
      note("--knob", `knob '${knob.name}' edits ${knob.file}, which is protected`);
    }
  }

  if (problems.length > 0) {
    throw new UsageError(
      "vague-answers",
      `init refused these answers:\n${problems.map((p) => `  - ${p.replaceAll("\n", "\n    ")}`).join("\n")}`,
    );
  }
  const build = raw.build?.trim();
  return {
    goal: (raw.goal as string).trim(),
    scope,
    metric: { name: metric, direction: raw.direction as "lower" | "higher" },
    target: target as number,
    threshold: threshold as number,
    iterations: raw.iterations?.trim() ? Number(raw.iterations) : DEFAULT_ITERATIONS,
    ...(raw.test !== undefined && { test: raw.test.trim() }),
    ...(raw.bench !== undefined && { bench: raw.bench.trim() }),
    ...(build && { build }),
    ...(raw.check !== undefined && { check: raw.check.trim() }),
    protect,
    knobs,
    volatile,
  };
}
