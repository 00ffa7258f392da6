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
