import { NUMBER, textLines } from "./text.js";
import type { Metric } from "./types.js";
import { betterForUnit } from "./units.js";

const KEY_VALUE_LINE = new RegExp(
  String.raw`^([A-Za-z_][\w.\-/\[\]]*)\s*[:=]\s*(${NUMBER})(?:\s*([A-Za-zµμ%][\w/%µμ]*))?$`,
);

/** `name=value` or `name: value` lines with an optional unit (`p50: 180 ms`); other lines are ignored. */
export function parseKeyValue(stdout: string): Metric[] | null {
  const metrics: Metric[] = [];
  for (const line of textLines(stdout)) {
    const match = KEY_VALUE_LINE.exec(line);
    if (!match?.[1] || !match[2]) continue;
    const unit = match[3];
    const better = betterForUnit(unit);
    metrics.push({
      name: match[1],
      value: Number(match[2]),
      ...(unit && { unit }),
      ...(better && { better }),
    });
  }
  return metrics.length > 0 ? metrics : null;
}
