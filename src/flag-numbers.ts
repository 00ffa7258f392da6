import { UsageError } from "./errors.js";

/** Numbers given as command-line flags (or their settings): a clear refusal, exit code 2. */
export function parseInteger(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(
      "bad-option",
      `${flag} must be a whole number of at least ${min}, got '${text}'.`,
    );
  }
  return value;
}

export function parsePositive(flag: string, text: string, unit: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError(
      "bad-option",
      `${flag} must be a positive number of ${unit}, got '${text}'.`,
    );
  }
  return value;
}

export function parseSeconds(flag: string, text: string): number {
  return parsePositive(flag, text, "seconds");
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * A fraction from 0 up to (not including) 1, given as 0.05, 5e-2 or 5%, or why it is refused,
 * said of the text as it was given ("5 is ambiguous: …"). A bare number of 1 or more is refused
 * rather than read as a percentage: 5 could mean 5% or 500%.
 */
export function readFraction(text: string): number | { problem: string } {
  const answer = text.trim();
  const percent = answer.endsWith("%");
  const number = percent ? answer.slice(0, -1).trim() : answer;
  if (!DECIMAL.test(number)) return { problem: `"${answer}" is not a number` };
  const value = Number(number);
  if (value < 0) return { problem: `${answer} is negative` };
  if (!percent && value >= 1) {
    return {
      problem: `${answer} is ambiguous: write ${value}% for ${value} percent, or a fraction below 1`,
    };
  }
  if (percent && value >= 100) return { problem: `${answer} is 100% or more` };
  return percent ? value / 100 : value;
}

/** The smallest effect above 0 accepted: a finer one is below what any comparison resolves. */
export const MIN_EFFECT = 0.001;

/**
 * A minimum effect (init's threshold, compare's --min-effect): a fraction as `readFraction` reads
 * it, 0 (the noise floor alone sets the bar) or at least MIN_EFFECT.
 */
export function readEffect(text: string): number | { problem: string } {
  const fraction = readFraction(text);
  if (typeof fraction !== "number" || fraction === 0 || fraction >= MIN_EFFECT) return fraction;
  return {
    problem: `${text.trim()} is below ${100 * MIN_EFFECT}%, finer than any comparison here can resolve (40 rounds of a benchmark with a 1% robust CV resolve 0.16%, and the bar never drops below the noise floor measured): give ${100 * MIN_EFFECT}% or more, e.g. 1%, or 0 to let the noise floor alone set the bar`,
  };
}

export function parseEffect(flag: string, text: string): number {
  return orRefused(flag, readEffect(text));
}

export function parseFraction(flag: string, text: string): number {
  return orRefused(flag, readFraction(text));
}

function orRefused(flag: string, fraction: number | { problem: string }): number {
  if (typeof fraction === "number") return fraction;
  throw new UsageError(
    "bad-option",
    `${flag} must be a fraction between 0 and 1 (0.05, 5e-2 or 5% for five percent): ${fraction.problem}.`,
  );
}
