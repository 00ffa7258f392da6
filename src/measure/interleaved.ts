import { InterruptedError, UsageError } from "../errors.js";
import { BenchRunError } from "./bench-failure.js";
import { type ContentionSettings, contentionProbe, defaultContention } from "./contention.js";
import { type CpuPinning, detectCpuPinning } from "./cpu-pinning.js";
import { type Decision, type DecisionSettings, promising, type StopRule } from "./decision.js";
import { type DurationEstimate, estimateDuration } from "./duration-estimate.js";
import type { Better } from "./metrics/types.js";
import { type BenchSpec, type Observation, observe, type RunTarget } from "./observe.js";
import {
  decideRounds,
  decisionRng as decisionRngOf,
  memorySeries,
  pairedSeries,
  type RoundRecord,
} from "./round-decision.js";
import { currentEstimate } from "./round-progress.js";
import {
  extensionLooks,
  lookBoundaries,
  lookSchedule,
  runSequential,
  type SequentialSchedule,
} from "./sequential.js";
import { createRng } from "./stats/prng.js";
import { median } from "./stats/robust.js";

export interface Arm extends RunTarget {
  /** What the person calls it (a revision); used in messages. */
  label: string;
}

export interface InterleavedOptions {
  bench: BenchSpec;
  /** Forces the direction of every scenario; otherwise the output format's hint, else lower. */
  direction?: Better;
  /** Forces the direction of the named scenarios (before `direction` and the format's hint). */
  directions?: Record<string, Better>;
  /**
   * Metrics compared as ratios even where the format calls them counters (the experiment's own
   * metric): each must be greater than zero from A's first run on.
   */
  ratios?: readonly string[];
  schedule: SequentialSchedule;
  settings: DecisionSettings;
  seed: number;
  onEvent?: (event: InterleavedEvent) => void;
  /**
   * Called after every run, warm-ups included (`what`: "warm-up", "round 3"): the caller checks
   * what the run left; whatever it throws ends the comparison.
   */
  afterRun?: (arm: "A" | "B", what: string) => Promise<void>;
  /** Aborted on Ctrl-C: no further run starts (a running one is killed by the sampler). */
  signal?: AbortSignal;
  /** Replaces the decision's own stopping rule (the re-measure stops on precision instead). */
  settle?: (decision: Decision) => Decision["settledBy"];
  /** No round starts after this many minutes: the comparison is then `inconclusive`. */
  maxMinutes?: number;
  /** The noise expected (robust CV of single runs), for the duration estimate; else assumed. */
  expectedCv?: number;
  /** Pin A's and B's runs to one CPU set (`taskset`) where that is allowed; recorded either way. */
  pinCpus?: boolean;
  /**
   * Run a contended round again, both arms (see `contention.ts`): otherwise contention is only
   * recorded, judged by the default threshold.
   */
  rerunContended?: ContentionSettings;
  /** Where the machine's CPU time is read: /proc/stat unless a test gives its own file. */
  statFile?: string;
}

export type InterleavedEvent =
  | { kind: "warmup"; arm: "A" | "B" }
  | { kind: "estimate"; estimate: DurationEstimate }
  | { kind: "round"; round: number; order: "AB" | "BA" }
  /** After round `round`: the overall improvement so far, a point estimate (see round-progress.ts). */
  | { kind: "round-done"; round: number; estimate: number }
  /** Round `round` ran while others kept `otherCores` busy: it is run again. */
  | { kind: "rerun"; round: number; otherCores: number }
  | { kind: "look"; rounds: number; decision: Decision };

export type { RoundRecord };

/** The contention a comparison saw: rounds counted, not the re-run ones. */
export interface ContentionSummary {
  thresholdCores: number;
  /** The rounds measured for contention (all, on Linux with CPU times). */
  measuredRounds: number;
  /** Of the rounds kept, those contended beyond the threshold. */
  contendedRounds: number;
  share: number;
  /** Contended rounds run again (0 unless `rerunContended`). */
  reruns: number;
  medianOtherCores: number;
}

export interface InterleavedResult {
  decision: Decision;
  stoppedFor: StopRule;
  rounds: RoundRecord[];
  /** The warm-up run of each arm, before the rounds: a run of the same code like the others. */
  warmups: { a: Observation; b: Observation };
  looks: number;
  scenarios: { name: string; better: Better; unit?: string }[];
  /** The secondary counters, compared exactly (the decision's `counters`). */
  counters: { name: string; better: Better; unit?: string }[];
  /** Peak memory guarded only when the OS reported it for every sample. */
  memoryGuarded: boolean;
  resourceNote: string;
  /** Whether the arms were pinned to one CPU set (asked for by `pinCpus`). */
  pinning?: CpuPinning;
  /** Absent where the machine's CPU time cannot be read. */
  contention?: ContentionSummary;
  /** The schedule's extension was used: unresolved but promising at max rounds. */
  extended?: boolean;
}

/**
 * Randomized interleaved rounds of A and B (each round runs both once, in random order) after one
 * warm-up run of each, with sequential looks: stops at the first look whose verdict is settled.
 * The metrics of A's warm-up that its format calls counters, or that are 0 there, are secondary
 * counters compared exactly; the others are the scenarios, compared as ratios.
 */
export async function compareInterleaved(
  a: Arm,
  b: Arm,
  options: InterleavedOptions,
): Promise<InterleavedResult> {
  // A failed run is told its side: a failing B (the challenger) may be an outcome for the caller,
  // a failing A (the reference) never is.
  const pinning = options.pinCpus ? await detectCpuPinning() : undefined;
  const cpus = pinning?.pinned ? pinning.cpus : undefined;
  const run = async (spec: BenchSpec, target: Arm, where: string) => {
    if (options.signal?.aborted) throw new InterruptedError();
    const arm = target === a ? "A" : "B";
    try {
      return await observe(spec, cpus ? { ...target, cpus } : target, where);
    } catch (error) {
      if (error instanceof BenchRunError) throw error.onArm(arm);
      throw error;
    } finally {
      await options.afterRun?.(arm, where.slice(where.indexOf("), ") + 3));
    }
  };
  const orderRng = createRng(options.seed);
  const decisionRng = decisionRngOf(options.seed);
  options.onEvent?.({ kind: "warmup", arm: "A" });
  const ratios = options.ratios ?? [];
  const warmA = await run({ ...options.bench, positive: ratios }, a, `A (${a.label}), warm-up`);
  const names = Object.keys(warmA.metrics);
  const isCounter = (name: string) =>
    !ratios.includes(name) && (warmA.counters.includes(name) || warmA.metrics[name] === 0);
  const described = (name: string) => ({
    name,
    better: options.directions?.[name] ?? options.direction ?? warmA.better[name] ?? "lower",
    unit: warmA.units[name],
  });
  const scenarios = names.filter((name) => !isCounter(name)).map(described);
  const counters = names.filter(isCounter).map(described);
  if (scenarios.length === 0) throw onlyCounters(a, warmA);
  const bench: BenchSpec = {
    ...options.bench,
    metrics: names,
    positive: scenarios.map((s) => s.name),
  };
  options.onEvent?.({ kind: "warmup", arm: "B" });
  const warmB = await run(bench, b, `B (${b.label}), warm-up`);

  const looks = lookSchedule(options.schedule);
  const extension = extensionLooks(options.schedule);
  const boundaries = lookBoundaries(
    looks,
    options.settings.alpha,
    scenarios.length,
    extension,
    options.schedule.extensionAlphaShare,
  );
  options.onEvent?.({
    kind: "estimate",
    estimate: estimateDuration({
      secondsPerRound: (warmA.wallMs + warmB.wallMs) / 1000,
      cv: options.expectedCv,
      looks: [...looks, ...extension],
      boundaries,
      settings: options.settings,
      maxMinutes: options.maxMinutes,
    }),
  });
  const deadline =
    options.maxMinutes === undefined ? null : Date.now() + options.maxMinutes * 60_000;
  const probe = contentionProbe(options.statFile);
  const runRound = async (round: number): Promise<RoundRecord> => {
    const order = orderRng.next() < 0.5 ? "AB" : "BA";
    options.onEvent?.({ kind: "round", round: round + 1, order });
    const first = order === "AB" ? a : b;
    const second = order === "AB" ? b : a;
    const started = Date.now();
    const finish = probe?.start();
    const firstObservation = await run(bench, first, where(first, a, round));
    const secondObservation = await run(bench, second, where(second, a, round));
    const [ao, bo] =
      order === "AB"
        ? [firstObservation, secondObservation]
        : [secondObservation, firstObservation];
    const contention = finish?.([ao.cpuMs, bo.cpuMs], Date.now() - started) ?? undefined;
    return { round: round + 1, order, a: ao, b: bo, ...(contention && { contention }) };
  };
  const rounds: RoundRecord[] = [];
  const rerun = options.rerunContended;
  const judged = rerun ?? defaultContention(options.schedule.maxRounds);
  let reruns = 0;
  const outcome = await runSequential<Decision>({
    looks,
    boundaries,
    extension: extension.length > 0 ? { looks: extension, promising } : undefined,
    timeUp: deadline === null ? undefined : () => Date.now() >= deadline,
    runRound: async (round) => {
      for (;;) {
        const record = await runRound(round);
        const busy = record.contention?.otherCores ?? 0;
        // Both arms' runs are dropped together, whichever looked slower: the choice never sees B/A.
        if (rerun && busy > rerun.thresholdCores && reruns < rerun.maxReruns) {
          reruns++;
          options.onEvent?.({ kind: "rerun", round: round + 1, otherCores: busy });
          continue;
        }
        rounds.push(record);
        break;
      }
      if (options.onEvent) {
        const estimate = currentEstimate(pairedSeries(scenarios, rounds));
        options.onEvent({ kind: "round-done", round: round + 1, estimate });
      }
    },
    decideAt: (_count, look) => {
      const decision = decideRounds(
        { scenarios, counters },
        rounds,
        look,
        options.settings,
        decisionRng,
      );
      if (!options.settle) return decision;
      const settledBy = options.settle(decision);
      return { ...decision, settledBy, settled: settledBy !== null };
    },
    onLook: (count, decision) => options.onEvent?.({ kind: "look", rounds: count, decision }),
  });

  // Out of time, the rounds gathered so far decide nothing.
  const decision: Decision =
    outcome.stoppedFor === "time"
      ? { ...outcome.decision, verdict: "inconclusive", settled: false, settledBy: null }
      : outcome.decision;
  return {
    decision,
    stoppedFor: outcome.stoppedFor,
    rounds,
    warmups: { a: warmA, b: warmB },
    looks: outcome.looks,
    scenarios,
    counters,
    memoryGuarded: memorySeries(rounds) !== null,
    resourceNote: warmA.resourceNote,
    ...(pinning && { pinning }),
    ...(probe && { contention: summarizeContention(rounds, judged.thresholdCores, reruns) }),
    ...(extension.length > 0 && { extended: outcome.extended }),
  };
}

function summarizeContention(
  rounds: readonly RoundRecord[],
  thresholdCores: number,
  reruns: number,
): ContentionSummary {
  const busy = rounds.flatMap((r) => (r.contention ? [r.contention.otherCores] : []));
  const contended = busy.filter((cores) => cores > thresholdCores).length;
  return {
    thresholdCores,
    measuredRounds: busy.length,
    contendedRounds: contended,
    share: busy.length > 0 ? contended / busy.length : 0,
    reruns,
    medianOtherCores: busy.length > 0 ? median(busy) : 0,
  };
}

function onlyCounters(a: Arm, warmA: Observation): UsageError {
  const printed = Object.entries(warmA.metrics).map(([name, value]) => `${name} = ${value}`);
  return new UsageError(
    "metric-not-positive",
    `A (${a.label}), warm-up: every metric it printed is a counter or zero (${printed.join(", ")}), and a comparison needs one greater than zero to compare as a ratio: print a time, a rate or a count too, or nothing on stdout to be measured by wall time.`,
  );
}

function where(arm: Arm, a: Arm, round: number): string {
  return `${arm === a ? "A" : "B"} (${arm.label}), round ${round + 1}`;
}
