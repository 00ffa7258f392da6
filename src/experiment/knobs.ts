import { readFile, writeFile } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import { AutoOptimizeError, UsageError } from "../errors.js";
import type { Knob, KnobValue } from "./schema.js";

/** The domain of a knob: int, float, enum or bool (the parsed form of the schema's KnobDomain). */
export type KnobDomainSpec = Knob["domain"];
type Domain = KnobDomainSpec;

/** A knob's value as text: what goes into a file, an environment variable, an argument, a strategy. */
export function formatKnobValue(value: KnobValue): string {
  if (typeof value === "number") return Number.isInteger(value) ? value.toFixed(0) : String(value);
  return String(value);
}

/**
 * Reads `text` as a value of `domain`, or throws a bad-input error that names the accepted values.
 * Booleans accept true/false, 1/0, yes/no, on/off; numbers must lie within [min, max].
 */
export function parseKnobValue(domain: Domain, text: string): KnobValue {
  const trimmed = text.trim();
  switch (domain.type) {
    case "int": {
      if (!/^[+-]?\d+$/.test(trimmed))
        throw invalid(text, `an integer in [${domain.min}, ${domain.max}]`);
      return inRange(Number(trimmed), domain, text);
    }
    case "float": {
      const value = trimmed === "" ? Number.NaN : Number(trimmed);
      if (!Number.isFinite(value))
        throw invalid(text, `a number in [${domain.min}, ${domain.max}]`);
      return inRange(value, domain, text);
    }
    case "enum": {
      if (!domain.values.includes(text)) throw invalid(text, `one of ${domain.values.join(", ")}`);
      return text;
    }
    case "bool": {
      const lower = trimmed.toLowerCase();
      if (["true", "1", "yes", "on"].includes(lower)) return true;
      if (["false", "0", "no", "off"].includes(lower)) return false;
      throw invalid(text, "true or false");
    }
  }
}

function inRange(value: number, domain: { min: number; max: number }, text: string): number {
  if (value < domain.min || value > domain.max) {
    throw invalid(text, `a value in [${domain.min}, ${domain.max}]`);
  }
  return value;
}

function invalid(text: string, expected: string): UsageError {
  return new UsageError("invalid-knob-value", `knob value '${text}' is not ${expected}.`);
}

/** True when `value` has the domain's type and lies within it. */
export function isKnobValueInDomain(domain: Domain, value: KnobValue): boolean {
  switch (domain.type) {
    case "int":
      return (
        Number.isInteger(value) &&
        (value as number) >= domain.min &&
        (value as number) <= domain.max
      );
    case "float":
      return (
        typeof value === "number" &&
        Number.isFinite(value) &&
        value >= domain.min &&
        value <= domain.max
      );
    case "enum":
      return typeof value === "string" && domain.values.includes(value);
    case "bool":
      return typeof value === "boolean";
  }
}

/** Values of the same knob are equal when their texts are: 4 and 4.0, "true" and true. */
export function sameKnobValue(a: KnobValue, b: KnobValue): boolean {
  return formatKnobValue(a) === formatKnobValue(b);
}

/** Largest domain that `domainValues` spells out; bigger integer ranges are searched, not listed. */
const MAX_LISTED_VALUES = 10_000;

/**
 * Every value of a finite domain, in order: enum values as declared, false then true, integers
 * from min to max by the domain's step. Null for floats and for integer ranges too large to list.
 */
export function domainValues(domain: Domain): KnobValue[] | null {
  switch (domain.type) {
    case "enum":
      return [...domain.values];
    case "bool":
      return [false, true];
    case "int": {
      const step = domain.step ?? 1;
      const count = Math.floor((domain.max - domain.min) / step) + 1;
      if (count > MAX_LISTED_VALUES) return null;
      return Array.from({ length: count }, (_, i) => domain.min + i * step);
    }
    case "float":
      return null;
  }
}

/** The knob values at the baseline: each knob's declared `initial`. */
export function initialKnobValues(knobs: readonly Knob[]): Record<string, KnobValue> {
  return Object.fromEntries(knobs.map((knob) => [knob.name, knob.initial]));
}

/** What env and arg knobs add to the benchmark and test commands (see RunTarget in measure/). */
export interface KnobRunTarget {
  env: Record<string, string>;
  /** Appended to the command after a space; already shell-quoted; "" when there is nothing. */
  args: string;
}

/**
 * The environment and arguments for `values` (a knob missing from `values` takes its `initial`).
 * env knobs set `knob.env` (default: the knob's name). arg knobs append, in declaration order,
 * `flag value` — or `flag=value` when the flag ends with '=', or the bare value without a flag —
 * each part shell-quoted. File knobs are edits in the checkout and add nothing here.
 */
export function knobRunTarget(
  knobs: readonly Knob[],
  values: Readonly<Record<string, KnobValue>>,
): KnobRunTarget {
  const env: Record<string, string> = {};
  const args: string[] = [];
  for (const knob of knobs) {
    const text = formatKnobValue(values[knob.name] ?? knob.initial);
    if (knob.kind === "env") env[knob.env ?? knob.name] = text;
    if (knob.kind === "arg") {
      if (!knob.flag) args.push(shellQuote(text));
      else if (knob.flag.endsWith("=")) args.push(shellQuote(knob.flag) + shellQuote(text));
      else args.push(shellQuote(knob.flag), shellQuote(text));
    }
  }
  return { env, args: args.join(" ") };
}

/** POSIX shell quoting: plain words stay as they are, anything else goes in single quotes. */
export function shellQuote(text: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The pattern of a file knob, compiled. It is a regular expression source; the `m` flag is set so
 * `^` and `$` match at line boundaries, and the first capture group is the value.
 */
function filePattern(knob: Knob): { file: string; regex: RegExp } {
  if (knob.kind !== "file" || !knob.file || !knob.pattern) {
    throw new UsageError(
      "invalid-knob",
      `knob '${knob.name}' is not a file knob with both 'file' and 'pattern' set.`,
    );
  }
  let regex: RegExp;
  try {
    regex = new RegExp(knob.pattern, "md");
  } catch (error) {
    throw new UsageError(
      "invalid-knob",
      `knob '${knob.name}': pattern /${knob.pattern}/ is not a valid regular expression (${(error as Error).message}).`,
    );
  }
  return { file: knob.file, regex };
}

/** The absolute path of a repository-relative file, refused when it would leave the checkout. */
function insideCheckout(checkout: string, file: string, knob: Knob): string {
  const full = resolve(checkout, file);
  const rel = relative(checkout, full);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
    throw new UsageError(
      "invalid-knob",
      `knob '${knob.name}': file '${file}' is not inside the repository; give a repository-relative path.`,
    );
  }
  return full;
}

async function readKnobFile(path: string, knob: Knob, file: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new AutoOptimizeError(
      "knob-file-missing",
      `knob '${knob.name}': cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}); the file must exist in the checkout.`,
    );
  }
}

function locate(content: string, regex: RegExp, knob: Knob, file: string): [number, number] {
  regex.lastIndex = 0;
  const match = regex.exec(content);
  if (!match) {
    throw new AutoOptimizeError(
      "knob-pattern-not-found",
      `knob '${knob.name}': pattern /${knob.pattern}/ no longer matches ${file}; the line it points at was changed or removed — update the knob's pattern in experiment.json.`,
    );
  }
  const span = match.indices?.[1];
  if (!span) {
    throw new UsageError(
      "invalid-knob",
      `knob '${knob.name}': pattern /${knob.pattern}/ has no capture group around the value (e.g. 'THREADS = (\\d+)').`,
    );
  }
  return span;
}

/** The text the first capture group of a file knob's pattern holds in `checkout`. */
export async function readFileKnob(checkout: string, knob: Knob): Promise<string> {
  const { file, regex } = filePattern(knob);
  const content = await readKnobFile(insideCheckout(checkout, file, knob), knob, file);
  const [start, end] = locate(content, regex, knob, file);
  return content.slice(start, end);
}

/**
 * Writes `value` into the first capture group of `knob.pattern`'s first match in `knob.file`
 * under `checkout`. Fails when the pattern no longer matches, and when the rewritten file would
 * not read back as the same value (the pattern cannot hold it: `(\d+)` and 0.5, for example).
 */
export async function applyFileKnob(checkout: string, knob: Knob, value: KnobValue): Promise<void> {
  const { file, regex } = filePattern(knob);
  const path = insideCheckout(checkout, file, knob);
  const content = await readKnobFile(path, knob, file);
  const [start, end] = locate(content, regex, knob, file);
  const text = formatKnobValue(value);
  if (content.slice(start, end) === text) return;
  const updated = content.slice(0, start) + text + content.slice(end);
  regex.lastIndex = 0;
  const check = regex.exec(updated)?.indices?.[1];
  if (!check || updated.slice(check[0], check[1]) !== text || check[0] !== start) {
    throw new AutoOptimizeError(
      "knob-pattern-rejects-value",
      `knob '${knob.name}': after writing '${text}' into ${file}, pattern /${knob.pattern}/ no longer reads it back; widen the capture group so it accepts every value of the domain.`,
    );
  }
  await writeFile(path, updated);
}
