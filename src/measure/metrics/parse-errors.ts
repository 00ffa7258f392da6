import { UsageError } from "../../errors.js";
import type { MetricParser } from "./parsers.js";
import type { MetricFormat } from "./types.js";

const EXCERPT_LINES = 5;
const EXCERPT_WIDTH = 120;
const LISTED_METRICS = 20;

export function unparseableOutput(
  command: string,
  tried: readonly MetricParser[],
  stdout: string,
): UsageError {
  const formats = tried.map((parser) => parser.format).join(", ");
  return new UsageError(
    "metric-parse",
    [
      `Could not read metrics from the output of \`${command}\` (tried: ${formats}).`,
      excerpt(stdout),
      whatToPrint(tried),
      "Send logs to stderr, or print nothing on stdout to be measured by wall time.",
    ].join("\n"),
  );
}

export function missingMetrics(
  command: string,
  format: MetricFormat | "none",
  missing: string[],
  found: string[],
  stdout: string,
): UsageError {
  const has = found.length === 0 ? "none" : listed(found);
  return new UsageError(
    "metric-parse",
    [
      `The output of \`${command}\` (read as ${format}) has no metric ${listed(missing)}; it has: ${has}.`,
      excerpt(stdout),
      "The benchmark must print every expected metric on every run.",
    ].join("\n"),
  );
}

function whatToPrint(tried: readonly MetricParser[]): string {
  const [only] = tried;
  if (tried.length === 1 && only) {
    return `With format "${only.format}", the benchmark must print ${only.expects} on stdout.`;
  }
  return ["A benchmark must print on stdout one of:", ...tried.map((p) => `  - ${p.expects}`)].join(
    "\n",
  );
}

function listed(names: string[]): string {
  const shown = names.slice(0, LISTED_METRICS).map((name) => JSON.stringify(name));
  const more = names.length - shown.length;
  return shown.join(", ") + (more > 0 ? ` and ${more} more` : "");
}

function excerpt(stdout: string): string {
  const lines = stdout.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines.length === 0) return "Its stdout was empty.";
  const shown = lines.slice(0, EXCERPT_LINES).map((line) => `  | ${truncate(line)}`);
  const more = lines.length - shown.length;
  return ["Its stdout began with:", ...shown, ...(more > 0 ? [`  (${more} more lines)`] : [])].join(
    "\n",
  );
}

function truncate(line: string): string {
  return line.length > EXCERPT_WIDTH ? `${line.slice(0, EXCERPT_WIDTH - 1)}…` : line;
}
