import { UsageError } from "../errors.js";
import { type Better, METRIC_FORMATS, type MetricFormat } from "../measure/metrics/types.js";

/** A fraction given as 0.05 or 5%; bare numbers of 1 or more are refused as ambiguous. */
export function parseFraction(flag: string, text: string): number {
  const percent = text.trim().endsWith("%");
  const value = Number(percent ? text.trim().slice(0, -1) : text);
  const fraction = percent ? value / 100 : value;
  if (!Number.isFinite(fraction) || fraction < 0 || fraction >= 1) {
    throw new UsageError(
      "bad-option",
      `${flag} must be a fraction between 0 and 1 (0.05 or 5% for five percent), got '${text}'.`,
    );
  }
  return fraction;
}

export function parseDirection(text: string | undefined): Better | undefined {
  if (text === undefined) return undefined;
  if (text === "lower" || text === "higher") return text;
  throw new UsageError(
    "bad-option",
    `--direction must be 'lower' (times, memory) or 'higher' (throughput), got '${text}'.`,
  );
}

export function parseFormat(text: string | undefined): MetricFormat | "auto" {
  if (text === undefined || text === "auto") return "auto";
  if ((METRIC_FORMATS as readonly string[]).includes(text)) return text as MetricFormat;
  throw new UsageError(
    "bad-option",
    `--format must be auto or one of ${METRIC_FORMATS.join(", ")}, got '${text}'.`,
  );
}

export function parseMetricNames(text: string | undefined): string[] {
  return text
    ? text
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean)
    : [];
}

export function requireCommand(flag: string, text: string | undefined): string {
  if (!text?.trim()) {
    throw new UsageError(
      "missing-command",
      `${flag} is required: the shell command that runs the benchmark once, e.g. ${flag} 'node bench.js'.`,
    );
  }
  return text;
}
