import type { Experiment } from "../../experiment/schema.js";
import type { LoopState } from "../../experiment/state.js";
import { escapeMarkup } from "./escape.js";

const WIDTH = 720;
const HEIGHT = 300;
const PAD = { left: 64, right: 16, top: 16, bottom: 40 };

const COLORS = { keep: "#1a7f37", drop: "#8c959f", failed: "#cf222e" } as const;

/** 4 significant digits without trailing zeros: 5, 22.45, 1.75, 182.4. */
const label = (x: number): string => String(Number(x.toPrecision(4)));

/**
 * The experiment at a glance, as an SVG: each iteration's measured median (green kept, grey
 * dropped; rejected, test-failed and bench-failed iterations, never measured, as red marks on the axis), the best
 * so far as a step line, the baseline and the target. Null when no iteration finished.
 */
export function progressChart(experiment: Experiment, state: LoopState): string | null {
  const baseline = state.baseline;
  if (!baseline || state.finished.length === 0) return null;
  const bestSoFar: number[] = [];
  let best = baseline.value;
  for (const f of state.finished) {
    if (f.decision === "keep" && f.value !== null) best = f.value;
    bestSoFar.push(best);
  }
  const measured = state.finished.flatMap((f) => (f.value === null ? [] : [f.value]));
  const values = [baseline.value, experiment.target, ...measured, ...bestSoFar];
  let low = Math.min(...values);
  let high = Math.max(...values);
  const margin = (high - low || Math.abs(high) || 1) * 0.08;
  low -= margin;
  high += margin;
  const count = state.finished.length;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  // Position 0 is the baseline; iteration i (1-based position) follows.
  const x = (position: number) => PAD.left + 24 + (position / count) * (plotWidth - 48);
  const y = (v: number) => PAD.top + ((high - v) / (high - low)) * plotHeight;
  const axisY = PAD.top + plotHeight;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeMarkup(`${experiment.metric.name} per iteration`)}" font-family="sans-serif" font-size="12">`,
    `<rect x="${PAD.left}" y="${PAD.top}" width="${plotWidth}" height="${plotHeight}" fill="#f6f8fa"/>`,
  ];
  for (const tick of ticks(low, high)) {
    parts.push(
      `<line x1="${PAD.left - 4}" x2="${PAD.left}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#57606a"/>`,
      `<text x="${PAD.left - 7}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end" fill="#57606a">${label(tick)}</text>`,
    );
  }
  const hline = (value: number, color: string, dash: string, text: string) => {
    parts.push(
      `<line x1="${PAD.left}" x2="${PAD.left + plotWidth}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="${color}" stroke-dasharray="${dash}"/>`,
      `<text x="${PAD.left + plotWidth - 4}" y="${(y(value) - 4).toFixed(1)}" text-anchor="end" fill="${color}">${escapeMarkup(text)}</text>`,
    );
  };
  hline(baseline.value, "#57606a", "4 3", `baseline ${label(baseline.value)}`);
  hline(experiment.target, "#0969da", "8 4", `target ${label(experiment.target)}`);
  let steps = `M${x(0).toFixed(1)},${y(baseline.value).toFixed(1)}`;
  bestSoFar.forEach((v, i) => {
    steps += ` H${x(i + 1).toFixed(1)} V${y(v).toFixed(1)}`;
  });
  parts.push(
    `<path d="${steps}" fill="none" stroke="${COLORS.keep}" stroke-width="2" opacity="0.6"><title>best so far</title></path>`,
  );
  parts.push(
    `<circle cx="${x(0).toFixed(1)}" cy="${y(baseline.value).toFixed(1)}" r="5" fill="#57606a"><title>baseline: ${label(baseline.value)}</title></circle>`,
    `<text x="${x(0).toFixed(1)}" y="${axisY + 16}" text-anchor="middle" fill="#57606a">base</text>`,
  );
  state.finished.forEach((f, index) => {
    const i = index + 1;
    const title = escapeMarkup(
      `iteration ${f.iteration}: ${f.strategy} — ${f.decision}${f.value === null ? "" : `, ${label(f.value)}`}`,
    );
    if (f.value === null) {
      parts.push(
        `<path d="M${(x(i) - 5).toFixed(1)},${axisY - 5} l10,10 m0,-10 l-10,10" stroke="${COLORS.failed}" stroke-width="2"><title>${title}</title></path>`,
      );
    } else {
      const color = f.decision === "keep" ? COLORS.keep : COLORS.drop;
      parts.push(
        `<circle cx="${x(i).toFixed(1)}" cy="${y(f.value).toFixed(1)}" r="5" fill="${color}"><title>${title}</title></circle>`,
      );
    }
    if (count <= 30 || i % Math.ceil(count / 30) === 0 || i === count) {
      parts.push(
        `<text x="${x(i).toFixed(1)}" y="${axisY + 16}" text-anchor="middle" fill="#57606a">${f.iteration}</text>`,
      );
    }
  });
  parts.push(
    `<text x="${PAD.left + plotWidth / 2}" y="${HEIGHT - 6}" text-anchor="middle" fill="#24292f">iteration — ${escapeMarkup(experiment.metric.name)}, ${experiment.metric.direction} is better</text>`,
    "</svg>",
  );
  return parts.join("\n");
}

/** About five round values between `low` and `high` for the vertical axis. */
function ticks(low: number, high: number): number[] {
  const raw = (high - low) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const values: number[] = [];
  const first = Math.ceil(low / step) * step;
  // By index, never by repeated addition: a step below the values' precision would never advance.
  for (let i = 0; i <= 10 && first + i * step <= high; i++) values.push(first + i * step);
  return values;
}
