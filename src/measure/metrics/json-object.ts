import { findJsonDocuments } from "./find-json.js";
import { finite, isRecord, type JsonRecord } from "./json-values.js";
import type { Metric } from "./types.js";

/**
 * A JSON object whose numeric leaves are the metrics, nested keys joined with ".".
 * Arrays are skipped: they hold samples or lists whose positions make no stable names.
 * With several objects in the output, the last one that has numbers wins.
 */
export function parseJsonObject(stdout: string): Metric[] | null {
  const objects = findJsonDocuments(stdout).filter(isRecord).reverse();
  for (const object of objects) {
    const metrics = numericLeaves(object, "");
    if (metrics.length > 0) return metrics;
  }
  return null;
}

function numericLeaves(object: JsonRecord, prefix: string): Metric[] {
  return Object.entries(object).flatMap(([key, value]): Metric[] => {
    const name = prefix + key;
    const number = finite(value);
    if (number !== undefined) return [{ name, value: number }];
    return isRecord(value) ? numericLeaves(value, `${name}.`) : [];
  });
}
