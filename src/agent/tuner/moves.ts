import type { Knob, KnobValue } from "../../experiment/schema.js";

/** Float steps stop halving below this share of the range: range/4, /8, /16, /32, /64. */
const FLOAT_FINEST_SHARE = 1 / 64;

/** Significant digits float candidates are rounded to, so 0.1 + 0.2 proposes 0.3. */
const FLOAT_DIGITS = 12;

/**
 * The step sizes of a numeric knob, largest first. The first is about a quarter of the range;
 * each next one is about half the previous. Integers end at the domain's step (default 1), floats
 * at 1/64 of the range. An empty ladder (min = max) means the knob cannot move.
 */
export function stepLadder(domain: Knob["domain"]): number[] {
  if (domain.type === "int") {
    const unit = domain.step ?? 1;
    const range = domain.max - domain.min;
    if (range < unit) return [];
    const ladder = [Math.max(unit, Math.round(range / 4 / unit) * unit)];
    for (let s = ladder[0] as number; s > unit; ) {
      s = Math.min(s - unit, Math.max(unit, Math.round(s / 2 / unit) * unit));
      ladder.push(s);
    }
    return ladder;
  }
  if (domain.type === "float") {
    const range = domain.max - domain.min;
    if (!(range > 0)) return [];
    const ladder: number[] = [];
    for (let s = range / 4; s >= range * FLOAT_FINEST_SHARE * (1 - 1e-9); s /= 2) {
      ladder.push(roundFloat(s));
    }
    return ladder;
  }
  return [];
}

export function roundFloat(value: number): number {
  return Number(value.toPrecision(FLOAT_DIGITS));
}

/** `from + direction × step`, rounded to the domain's kind and clamped into [min, max]. */
export function stepValue(
  domain: Knob["domain"],
  from: number,
  direction: 1 | -1,
  step: number,
): number {
  if (domain.type !== "int" && domain.type !== "float") return from;
  const raw = from + direction * step;
  const rounded = domain.type === "int" ? Math.round(raw) : roundFloat(raw);
  return Math.min(domain.max, Math.max(domain.min, rounded));
}

/** The other values of an enum (declared order, starting after the current one) or a bool. */
export function switchValues(domain: Knob["domain"], current: KnobValue): KnobValue[] {
  if (domain.type === "bool") return [!current];
  if (domain.type !== "enum") return [];
  const at = domain.values.indexOf(String(current));
  const rotated = [...domain.values.slice(at + 1), ...domain.values.slice(0, Math.max(at, 0))];
  return rotated.filter((v) => v !== current);
}

export function isNumeric(knob: Knob): boolean {
  return knob.domain.type === "int" || knob.domain.type === "float";
}
