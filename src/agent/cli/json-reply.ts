import { findJsonDocuments } from "../../measure/metrics/find-json.js";

const FENCE = /```(?:json)?[ \t]*\n([\s\S]*?)\n[ \t]*```/g;

/**
 * The JSON object a coding CLI was asked to reply with, wherever it put it: the whole reply, a
 * fenced block, or an object on lines of its own among prose. The last one wins (a model that
 * corrects itself puts the correction last). Null when the reply holds no JSON object.
 */
export function extractJsonObject(text: string): Record<string, unknown> | null {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);
  const parse = (candidate: string): unknown => {
    try {
      return JSON.parse(candidate);
    } catch {
      return undefined;
    }
  };
  const whole = parse(text.trim());
  if (isObject(whole)) return whole;
  const fenced = [...text.matchAll(FENCE)].map((m) => parse(m[1] ?? "")).filter(isObject);
  if (fenced.length > 0) return fenced[fenced.length - 1] ?? null;
  const documents = findJsonDocuments(text).filter(isObject);
  if (documents.length > 0) return documents[documents.length - 1] ?? null;
  const first = text.indexOf("{");
  const last = text.lastIndexOf("}");
  if (first >= 0 && last > first) {
    const inner = parse(text.slice(first, last + 1));
    if (isObject(inner)) return inner;
  }
  return null;
}
