import { readBaselineSamples } from "../../experiment/baseline-samples.js";
import { DEFAULT_DECISION } from "../../measure/decision.js";
import {
  type ConsistencyFinding,
  metricProcessConsistency,
  REQUIRED_SHARE,
  type RunTimes,
} from "../../measure/metric-consistency.js";
import { consistencyScope } from "../../measure/metric-consistency-scope.js";
import type { Observation } from "../../measure/observe.js";
import type { Interval } from "../../measure/stats/interval.js";
import { createRng } from "../../measure/stats/prng.js";
import type { MeasuredGuard } from "../guards.js";

/** Keeps the guard's resampling apart from the comparison's, which uses the same record seed. */
const SEED_SALT = 0x2c1b3c6d;

/**
 * A candidate whose metric improved by far more than the time its process saved made the number
 * say more, not the program do less (it divides what it prints, or times less than it did):
 * rejected, with both figures. Skipped where the baseline showed the check is not sound
 * (baseline/result.txt says which).
 */
export const metricConsistencyGuard: MeasuredGuard = async (context, measured) => {
  const { experiment } = context;
  const scope = consistencyScope(readBaselineSamples(context.dir), experiment.metric);
  if (!scope.checked) return null;
  context.onStep("checking the metric against the process's time");
  const name = experiment.metric.name;
  const times = (o: Observation): RunTimes => ({
    metricMs: (o.metrics[name] as number) * scope.msPerUnit,
    wallMs: o.wallMs,
    cpuMs: o.cpuMs,
  });
  const finding = metricProcessConsistency(
    measured.rounds.map((r) => ({ a: times(r.a), b: times(r.b) })),
    experiment.measurement.alpha,
    DEFAULT_DECISION.bootstrapResamples,
    createRng(context.record.seed ^ SEED_SALT),
  );
  if (!finding.inconsistent) return null;
  return { guard: "metric-inconsistent", reason: inconsistencyReason(name, finding) };
};

function inconsistencyReason(name: string, finding: ConsistencyFinding): string {
  const saved = [
    ...(finding.cpu ? [`${withInterval(finding.cpu)} of CPU`] : []),
    `${withInterval(finding.wall)} of wall time`,
  ];
  return `metric-inconsistent: ${name} improved by ${withInterval(finding.metric)} per run, but the process saved only ${saved.join(" and ")} per run, less than ${100 * REQUIRED_SHARE}% of the metric's saving`;
}

function withInterval(interval: Interval): string {
  return `${ms(interval.estimate)} ms [${ms(interval.low)}, ${ms(interval.high)}]`;
}

function ms(value: number): string {
  const magnitude = Math.abs(value);
  return magnitude >= 100 || magnitude === 0
    ? value.toFixed(0)
    : magnitude >= 1
      ? value.toFixed(1)
      : value.toPrecision(2);
}
