import { UsageError } from "../errors.js";
import { FAIL_ON, type FailOn } from "../measure/fail-on.js";
import { type Better, METRIC_FORMATS, type MetricFormat } from "../measure/metrics/types.js";

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

export function parseFailOn(text: string | undefined): FailOn | undefined {
  if (text === undefined) return undefined;
  if ((FAIL_ON as readonly string[]).includes(text)) return text as FailOn;
  throw new UsageError(
    "bad-option",
    `--fail-on must be 'regressed' (exit 3 on a regression) or 'not-improved' (exit 3 unless improved), got '${text}'.`,
  );
}
