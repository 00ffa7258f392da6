import { formatKnobValue, isKnobValueInDomain, parseKnobValue } from "../../experiment/knobs.js";
import type { Knob, KnobValue } from "../../experiment/schema.js";

/** A value for every declared knob. */
export type Assignment = Record<string, KnobValue>;

/** One changed knob, as a strategy string says it: `THREADS=4`. */
export interface KnobChange {
  knob: string;
  value: KnobValue;
}

/** The strategy string of a trial: the changed knob and its new value, `NAME=value`. */
export function formatStrategy(change: KnobChange): string {
  return `${change.knob}=${formatKnobValue(change.value)}`;
}

/**
 * Reads a strategy string back: the text before the first '=' names a declared knob (knob names
 * cannot hold '='), the rest is a value of its domain. Anything else — another agent's strategy,
 * an undeclared knob, a value outside the domain — is null.
 */
export function parseStrategy(knobs: readonly Knob[], strategy: string): KnobChange | null {
  const at = strategy.indexOf("=");
  if (at <= 0) return null;
  const knob = knobs.find((k) => k.name === strategy.slice(0, at));
  if (!knob) return null;
  try {
    return { knob: knob.name, value: parseKnobValue(knob.domain, strategy.slice(at + 1)) };
  } catch {
    return null;
  }
}

/** Identity of an assignment: its formatted values in declaration order (4 and 4.0 are equal). */
export function assignmentKey(knobs: readonly Knob[], assignment: Assignment): string {
  return JSON.stringify(knobs.map((k) => formatKnobValue(assignment[k.name] ?? k.initial)));
}

/** `values` restricted to declared knobs whose value lies in the knob's domain. */
export function validValues(
  knobs: readonly Knob[],
  values: Readonly<Record<string, unknown>>,
): Assignment {
  const out: Assignment = {};
  for (const knob of knobs) {
    const value = values[knob.name];
    if (
      (typeof value === "string" || typeof value === "number" || typeof value === "boolean") &&
      isKnobValueInDomain(knob.domain, value)
    ) {
      out[knob.name] = value;
    }
  }
  return out;
}

/** The values of env and arg knobs: what the loop runs the benchmark and tests with. */
export function runtimeValues(knobs: readonly Knob[], assignment: Assignment): Assignment {
  return Object.fromEntries(
    knobs.filter((k) => k.kind !== "file").map((k) => [k.name, assignment[k.name] ?? k.initial]),
  );
}

/** `a, b=2, c=x` — an assignment on one line, in declaration order. */
export function describeAssignment(knobs: readonly Knob[], assignment: Assignment): string {
  return knobs
    .map((k) => `${k.name}=${formatKnobValue(assignment[k.name] ?? k.initial)}`)
    .join(", ");
}
