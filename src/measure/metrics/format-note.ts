import { parseJsonObject } from "./json-object.js";
import { parseKeyValue } from "./keyvalue.js";
import type { Metric, MetricFormat } from "./types.js";

const NAMED = 3;

/**
 * When the output holds both a JSON object and key/value lines with metrics, only one of them is
 * read: which one, and how to read the other instead. Undefined when there is no such choice.
 */
export function formatNote(text: string, format: MetricFormat): string | undefined {
  if (format === "json") {
    const lines = parseKeyValue(text);
    if (lines)
      return `read the JSON object; its key/value lines (${names(lines)}) were not read: --format keyvalue reads them instead`;
  }
  if (format === "keyvalue") {
    const object = parseJsonObject(text);
    if (object)
      return `read the key/value lines; its JSON object (${names(object)}) was not read: --format json reads it instead`;
  }
  return undefined;
}

function names(metrics: Metric[]): string {
  const shown = metrics.slice(0, NAMED).map((m) => m.name);
  return metrics.length > NAMED ? `${shown.join(", ")}, …` : shown.join(", ");
}
