import { NUMBER, textLines } from "./text.js";
import type { Metric } from "./types.js";

const NUMBER_LINE = new RegExp(`^${NUMBER}$`);

/** The seed's contract: one number alone on a line, named "value"; other (log) lines are ignored. */
export function parseNumber(stdout: string): Metric[] | null {
  const numbers = textLines(stdout).filter((line) => NUMBER_LINE.test(line));
  if (numbers.length !== 1) return null;
  return [{ name: "value", value: Number(numbers[0]) }];
}
