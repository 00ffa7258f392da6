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

export function parseFraction(flag: string, text: string): number {
  const fraction = readFraction(text);
  if (typeof fraction === "number") return fraction;
  throw new UsageError(
    "bad-option",
    `${flag} must be a fraction between 0 and 1 (0.05, 5e-2 or 5% for five percent): ${fraction.problem}.`,
  );
}
