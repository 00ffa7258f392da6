import { type BehaviourCheck, checkBehaviour } from "./behaviour-check.js";
import type { RevisionsResult } from "./compare-revisions.js";
import type { CounterDecision } from "./counters.js";
import type { CpuPinning } from "./cpu-pinning.js";
import type { DecisionSettings, StopRule, Verdict } from "./decision.js";
import type { ContentionSummary } from "./interleaved.js";
import { loadLine } from "./load-report.js";
import { type MemoryCheck, memoryChange, memoryCheck, memoryCheckLabel } from "./memory-check.js";
import { formatDifference } from "./output-invariants.js";
import { median } from "./stats/robust.js";

export interface CompareReport {
  verdict: Verdict;
  improvement: number;
  ci: [number, number];
  rounds: number;
  looks: number;
  /** Which rule ended the comparison: a verdict, no change, no way to clear δ, rounds or time. */
  stoppedFor: StopRule;
  seed: number;
  noiseFloor: number;
  delta: number;
  minEffect: number;
  alpha: number;
  a: { revision: string; commit: string };
  b: { revision: string; commit: string };
  bench: string;
  /** Which part of A's output was read, when it had both a JSON object and key/value lines. */
  formatNote?: string;
  scenarios: {
    name: string;
    better: string;
    unit: string | null;
    verdict: Verdict;
    improvement: number;
    ci: [number, number];
    medianA: number;
    medianB: number;
    noiseFloor: number;
  }[];
  memory: {
    verdict: Verdict;
    /** The veto's conclusion: what the memory row says (its verdict is kept for JSON readers). */
    check: MemoryCheck;
    improvement: number;
    ci: [number, number];
    medianAKb: number;
    medianBKb: number;
    tolerance: number;
  } | null;
  memoryNote: string;
  /** Secondary counters (B/op, allocs/op, metrics that are 0), compared exactly. */
  counters: (CounterDecision & { unit: string | null })[];
  vetoes: string[];
  /** Whether B's runs print what A's runs print invariably; it warns, the verdict ignores it. */
  behaviour: BehaviourCheck;
  /** Other processes' CPU time per round and the share of contended rounds (Linux). */
  contention?: ContentionSummary;
  /** Whether A's and B's runs were pinned to one CPU set (`--pin-cpu`). */
  pinning?: CpuPinning;
  /** Whether the comparison went past max rounds because it was promising (`--extend`). */
  extended?: boolean;
  samples: RevisionsResult["rounds"];
}

const STOPPED_FOR: Record<StopRule, string> = {
  efficacy: "a verdict",
  equivalence: "no change within ±δ",
  futility: "futility: the improvement cannot clear δ",
  precision: "precision",
  "max-rounds": "the maximum rounds",
  time: "time: --max-minutes ran out",
};

export function compareReport(
  result: RevisionsResult,
  settings: DecisionSettings,
  seed: number,
  bench: string,
  volatile: readonly RegExp[] = [],
): CompareReport {
  const { decision } = result;
  const runsOf = (arm: "a" | "b") => [result.warmups[arm], ...result.rounds.map((r) => r[arm])];
  const behaviour = checkBehaviour(runsOf("a"), runsOf("b"), {
    scored: [...result.scenarios, ...result.counters].map((s) => s.name),
    volatile,
  });
  const values = (arm: "a" | "b", name: string) =>
    result.rounds.map((r) => r[arm].metrics[name] as number);
  const memory = decision.memory;
  return {
    verdict: decision.verdict,
    improvement: decision.overall.estimate,
    ci: [decision.overall.low, decision.overall.high],
    rounds: result.rounds.length,
    looks: result.looks,
    stoppedFor: result.stoppedFor,
    seed,
    noiseFloor: decision.noiseFloor,
    delta: decision.delta,
    minEffect: settings.minEffect,
    alpha: settings.alpha,
    a: result.a,
    b: result.b,
    bench,
    ...(result.warmups.a.formatNote && { formatNote: result.warmups.a.formatNote }),
    scenarios: decision.scenarios.map((s, i) => ({
      name: s.name,
      better: s.better,
      unit: result.scenarios[i]?.unit ?? null,
      verdict: s.verdict,
      improvement: s.improvement.estimate,
      ci: [s.improvement.low, s.improvement.high],
      medianA: median(values("a", s.name)),
      medianB: median(values("b", s.name)),
      noiseFloor: s.noiseFloor,
    })),
    memory: memory
      ? {
          verdict: memory.verdict,
          check: memoryCheck(memory, settings.memoryTolerance),
          improvement: memory.estimate,
          ci: [memory.low, memory.high],
          medianAKb: median(result.rounds.map((r) => r.a.peakRssKb as number)),
          medianBKb: median(result.rounds.map((r) => r.b.peakRssKb as number)),
          tolerance: settings.memoryTolerance,
        }
      : null,
    memoryNote: result.memoryGuarded
      ? "peak RSS from the OS for every sample"
      : `peak memory not guarded: ${result.resourceNote}`,
    counters: decision.counters.map((c, i) => ({ ...c, unit: result.counters[i]?.unit ?? null })),
    vetoes: decision.vetoes,
    behaviour,
    ...(result.contention && { contention: result.contention }),
    ...(result.pinning && { pinning: result.pinning }),
    ...(result.extended !== undefined && { extended: result.extended }),
    samples: result.rounds,
  };
}

export const signedPercent = (x: number): string => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}%`;
export const range = ([low, high]: [number, number]): string =>
  `[${signedPercent(low)}, ${signedPercent(high)}]`;

function number(value: number, unit: string | null): string {
  const digits = Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 3 : 5;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ""}`;
}

export function behaviourLine(check: BehaviourCheck): string {
  if (check.firstDifference) {
    return `warning: B's output differs from A's in a line that never varies between A's runs: ${formatDifference(check.firstDifference)}. B may compute something else; the verdict does not take this into account.`;
  }
  if (check.checked === 0) return "output: not compared (fewer than two runs of A)";
  return `output: B prints every line A's ${check.learnedFrom} runs print invariably`;
}

/** "10 interleaved rounds (1 look, stopped for a verdict)" */
export function roundsSummary(report: CompareReport): string {
  const looks = `${report.looks} look${report.looks === 1 ? "" : "s"}`;
  return `${report.rounds} interleaved rounds (${looks}, stopped for ${STOPPED_FOR[report.stoppedFor]})`;
}

export const COMPARE_TABLE_HEADER = [
  "scenario",
  "better",
  "median A",
  "median B",
  "improvement",
  "interval",
  "verdict",
];

/** One row per scenario, counter and peak memory, the cells of COMPARE_TABLE_HEADER. */
export function compareTableRows(report: CompareReport): string[][] {
  const rows = report.scenarios.map((s) => [
    s.name,
    s.better,
    number(s.medianA, s.unit),
    number(s.medianB, s.unit),
    signedPercent(s.improvement),
    range(s.ci),
    s.verdict,
  ]);
  for (const c of report.counters) {
    const exact = (value: number) => `${value}${c.unit ? ` ${c.unit}` : ""}`;
    rows.push([
      c.name,
      c.better,
      exact(c.medianA),
      exact(c.medianB),
      "counter",
      "exact",
      c.verdict,
    ]);
  }
  if (report.memory) {
    const m = report.memory;
    rows.push([
      "peak memory",
      "lower",
      `${(m.medianAKb / 1024).toFixed(1)} MiB`,
      `${(m.medianBKb / 1024).toFixed(1)} MiB`,
      memoryChange(m.improvement),
      `[${memoryChange(m.ci[0])}, ${memoryChange(m.ci[1])}]`,
      memoryCheckLabel(m.check, m.tolerance),
    ]);
  }
  return rows;
}

/** The readable table of `compare` without --json. */
export function formatCompareReport(report: CompareReport): string {
  const header = COMPARE_TABLE_HEADER;
  const rows = compareTableRows(report);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  const lines = [
    `A: ${report.a.revision} (${report.a.commit.slice(0, 10)})   B: ${report.b.revision} (${report.b.commit.slice(0, 10)})`,
    `bench: ${report.bench}`,
    ...(report.formatNote ? [`note: ${report.formatNote}`] : []),
    `${roundsSummary(report)}, seed ${report.seed}`,
    "",
    line(header),
    ...rows.map(line),
    "",
    `verdict: ${report.verdict.toUpperCase()}  improvement ${signedPercent(report.improvement)} ${range(report.ci)}`,
    `threshold δ = ${(100 * report.delta).toFixed(2)}% (min-effect ${(100 * report.minEffect).toFixed(2)}%, noise floor ${(100 * report.noiseFloor).toFixed(2)}%)`,
    ...report.vetoes.map((v) => `veto: ${v}`),
    behaviourLine(report.behaviour),
  ];
  if (!report.memory) lines.push(report.memoryNote);
  const load = loadLine(report);
  if (load) lines.push(load);
  return lines.join("\n");
}
