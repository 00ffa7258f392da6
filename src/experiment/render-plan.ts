import { NOISE_LIMIT } from "../measure/bench.js";
import { formatKnobValue } from "./knobs.js";
import type { Experiment, Knob } from "./schema.js";

const LISTED_FILES = 40;

const pct = (fraction: number, digits = 1) => `${(100 * fraction).toFixed(digits)}%`;
const code = (text: string) => `\`${text.replaceAll("`", "'")}\``;

/**
 * experiment-plan.md: the plan in words, rendered from experiment.json (the source of truth) and
 * the protected files locked at creation. Rewritten whenever experiment.json changes.
 */
export function renderPlan(experiment: Experiment, protectedFiles: readonly string[]): string {
  const e = experiment;
  const better = e.metric.direction === "lower" ? "lower is better" : "higher is better";
  const reach = e.metric.direction === "lower" ? "at or below" : "at or above";
  const m = e.measurement;
  const lines = [
    `# Experiment ${e.id}: ${e.goal}`,
    "",
    `Created ${e.createdAt} on branch ${code(e.branch)} from commit ${code(e.baseCommit.slice(0, 12))}.`,
    "This file is rendered from `experiment.json`, the source of truth.",
    "",
    "## Goal",
    "",
    e.goal,
    "",
    "## Success criteria",
    "",
    `- Metric: ${code(e.metric.name)} (${better})`,
    `- Target: ${e.target} — the experiment ends when the metric is ${reach} this value`,
    `- Per-iteration threshold: ${pct(e.threshold)} — the smallest gain kept (or the measured noise floor, if larger)`,
    "",
    "## Budget",
    "",
    `- Iterations: ${e.iterations}`,
    `- Stop after ${e.patience} iterations in a row without a keep`,
    `- A failing build or test is handed back to the agent ${e.testRetries} time(s) before the iteration is dropped`,
    "",
    "## Scope (files the optimizer may change)",
    "",
    ...e.scope.map((glob) => `- ${code(glob)}`),
    "",
    "## Commands",
    "",
    `- Tests: ${code(e.commands.test)}`,
    `- Benchmark: ${code(e.commands.bench)}`,
    `- Build: ${e.commands.build ? code(e.commands.build) : "none"}`,
    ...(e.commands.check
      ? [`- Behaviour check (its stdout must stay byte-identical): ${code(e.commands.check)}`]
      : []),
    ...(e.volatile?.length
      ? [
          `- Benchmark output never compared (besides the metric): ${e.volatile.map(code).join(", ")}`,
        ]
      : []),
    `- Runs: a fresh TMPDIR and HOME each; ${confinement(e.isolation)}`,
    "",
    "## Protected (changing any of these rejects an iteration)",
    "",
    ...e.protect.map((glob) => `- ${code(glob)}`),
    "",
    `${protectedFiles.length} file(s) hashed in \`protected.json\`${protectedFiles.length ? ":" : "."}`,
    ...(protectedFiles.length ? [""] : []),
    ...protectedFiles.slice(0, LISTED_FILES).map((file) => `- ${code(file)}`),
    ...(protectedFiles.length > LISTED_FILES
      ? [`- … and ${protectedFiles.length - LISTED_FILES} more`]
      : []),
    "",
    "## Knobs",
    "",
    ...(e.knobs.length === 0
      ? ["None."]
      : [
          "| Knob | Where | Domain | Initial |",
          "| --- | --- | --- | --- |",
          ...e.knobs.map(
            (k) =>
              `| ${k.name} | ${where(k)} | ${domain(k)} | ${code(formatKnobValue(k.initial))} |`,
          ),
        ]),
    "",
    "## Measurement",
    "",
    `- Baseline: ${m.baselineRuns} runs after a warm-up; a robust CV above ${pct(NOISE_LIMIT, 0)} gathers more runs, then refuses`,
    `- Comparisons: interleaved rounds, first look after ${m.minRounds}, at most ${m.maxRounds}, alpha ${m.alpha}`,
    `- Time limit of one run: ${m.timeoutSeconds} s`,
    `- Metric format: ${m.format}`,
    "",
    "## Accepted noise",
    "",
    e.acceptedNoise
      ? `Accepted with \`--accept-noise\`: robust CV ${pct(e.acceptedNoise.robustCv)} (limit ${pct(NOISE_LIMIT, 0)}). Likely causes: ${e.acceptedNoise.causes.length ? e.acceptedNoise.causes.join("; ") : "none visible"}. Small gains will be hard to prove.`
      : "None: the baseline must be within the noise limit.",
    "",
  ];
  return lines.join("\n");
}

function where(knob: Knob): string {
  if (knob.kind === "env") return `environment ${code(knob.env ?? knob.name)}`;
  if (knob.kind === "arg") return knob.flag ? `argument ${code(knob.flag)}` : "argument";
  return `${code(knob.file ?? "")} at ${code(`/${knob.pattern ?? ""}/`.replaceAll("|", "\\|"))}`;
}

function domain(knob: Knob): string {
  const d = knob.domain;
  if (d.type === "int") return `int ${d.min}..${d.max}${d.step ? ` step ${d.step}` : ""}`;
  if (d.type === "float") return `float ${d.min}..${d.max}`;
  if (d.type === "enum") return `one of ${d.values.join(", ")}`;
  return "true / false";
}

function confinement(isolation: { confine: boolean; network: boolean }): string {
  if (!isolation.confine) return "not confined (init --unconfined)";
  return `confined by bubblewrap where it works, ${isolation.network ? "with the host's network (init --network)" : "without network"}`;
}
