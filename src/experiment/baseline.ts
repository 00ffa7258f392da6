import { writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { AutoOptimizeError, UsageError } from "../errors.js";
import { type BenchResult, NOISE_LIMIT, runBench } from "../measure/bench.js";
import { formatEnvironment, noiseCauses } from "../measure/environment.js";
import { consistencyScope } from "../measure/metric-consistency-scope.js";
import { type BenchSpec, type RunTarget, sampleError } from "../measure/observe.js";
import { runSample } from "../measure/sample.js";
import { peakMemoryOf, summarizeScenarios } from "../measure/summary.js";
import { redactText } from "../redact.js";
import { globMatcher } from "../workspace/files.js";
import { git, openRepository } from "../workspace/git.js";
import { stageToolFiles } from "../workspace/stage-tool-files.js";
import { writeBaselineInvariants } from "./baseline-invariants.js";
import { type BaselineResult, formatBaseline } from "./baseline-summary.js";
import { requireIntact } from "./intact.js";
import { initialKnobValues, knobRunTarget } from "./knobs.js";
import { FILES } from "./layout.js";
import { currentBranch, type OpenedExperiment, openExperiment } from "./open.js";
import { committedProtected, protectedViolations } from "./protected-files.js";
import { renderPlan } from "./render-plan.js";
import { acquireRunLock } from "./run-lock.js";
import { Experiment } from "./schema.js";
import { targetReached } from "./target.js";

export interface BaselineOptions {
  /** Anywhere inside the repository. */
  cwd: string;
  /** The experiment (exp-001 or its full name); default as openExperiment chooses. */
  name?: string;
  /** Measured runs; default the experiment's measurement.baselineRuns. */
  runs?: number;
  /** Lock a noisy baseline anyway, recording the noise in experiment.json and the plan. */
  acceptNoise?: boolean;
  /** Measure again although a baseline is locked (only before the loop has started). */
  force?: boolean;
  onProgress?: (message: string) => void;
}

export interface BaselineOutcome {
  name: string;
  /** exp-001 */
  id: string;
  /** The `experiment(exp-NNN): baseline` commit. */
  commit: string;
  result: BaselineResult;
  /** baseline/result.txt */
  summary: string;
  targetReached: boolean;
}

const BUILD_TIMEOUT_MS = 30 * 60_000;

/**
 * The seed's phase 1.5: measures the experiment branch's working tree (after the optional build)
 * with the experiment's settings; a metric noisier than the limit gathers up to twice as many
 * runs again, and if it is still noisy the baseline is refused with the likely causes, unless the
 * noise is accepted knowingly. Writes baseline/{result.json,result.txt,env-snapshot.txt}, appends
 * `baseline-locked` to the ledger and commits `experiment(exp-NNN): baseline`.
 */
export async function lockBaseline(options: BaselineOptions): Promise<BaselineOutcome> {
  const { root, gitDir } = await openRepository(options.cwd);
  const opened = await openExperiment(root, options.name);
  const release = acquireRunLock(gitDir, opened.name);
  try {
    return await measureAndLock(options, root, opened);
  } finally {
    release();
  }
}

async function measureAndLock(
  options: BaselineOptions,
  root: string,
  opened: OpenedExperiment,
): Promise<BaselineOutcome> {
  const progress = options.onProgress ?? (() => {});
  const { experiment, ledger, name } = opened;
  await checkReady(root, opened, options.force ?? false);

  const runs = options.runs ?? experiment.measurement.baselineRuns;
  const knobs = knobRunTarget(experiment.knobs, initialKnobValues(experiment.knobs));
  const target: RunTarget = { cwd: root, env: knobs.env, args: knobs.args || undefined };
  const commit = await git(["rev-parse", "HEAD"], root);
  const build = experiment.commands.build;
  if (build) {
    progress(`building with '${build}'…`);
    const sample = await runSample({ command: build, cwd: root, timeoutMs: BUILD_TIMEOUT_MS });
    if (!sample.ok) throw sampleError(sample, "the build before the baseline");
  }

  const metric = experiment.metric.name;
  const spec: BenchSpec = {
    command: experiment.commands.bench,
    timeoutMs: experiment.measurement.timeoutSeconds * 1000,
    format: experiment.measurement.format,
    metrics: [],
  };
  const onRun = (total: number) => (run: number) => progress(`baseline run ${run}/${total}`);
  progress(`measuring the baseline: one warm-up, then ${runs} runs…`);
  let first = await runBench(target, spec, runs, onRun(runs));
  if (!first.scenarios.some((s) => s.name === metric)) {
    // The output's first readable format lacks the metric; ask for it by name (as init's dry-run did).
    first = await runBench(target, { ...spec, metrics: [metric] }, runs, onRun(runs));
  }
  const names = first.scenarios.map((s) => ({ name: s.name, better: s.better, unit: s.unit }));
  const maxRounds = experiment.measurement.maxRounds;
  const cvOf = (scenarios: BenchResult["scenarios"]) =>
    scenarios.find((s) => s.name === metric)?.robustCv ?? 0;

  let samples = first.samples;
  const warmups = [first.warmup];
  let environment = first.environment;
  let scenarios = summarizeScenarios(samples, names, maxRounds);
  let extraRuns = 0;
  if (cvOf(scenarios) > NOISE_LIMIT) {
    extraRuns = 2 * runs;
    progress(
      `robust CV of ${metric} is ${(100 * cvOf(scenarios)).toFixed(1)}%, above ${100 * NOISE_LIMIT}%: gathering ${extraRuns} more runs…`,
    );
    const more = await runBench(
      target,
      { ...spec, metrics: names.map((n) => n.name) },
      extraRuns,
      onRun(extraRuns),
    );
    samples = [...samples, ...more.samples];
    warmups.push(more.warmup);
    environment = more.environment;
    scenarios = summarizeScenarios(samples, names, maxRounds);
  }
  const main = scenarios.find((s) => s.name === metric);
  if (!main) {
    throw new AutoOptimizeError("metric-missing", `the benchmark no longer prints ${metric}.`);
  }
  const noisy = main.robustCv > NOISE_LIMIT;
  const causes = noisy ? noiseCauses(environment) : [];
  if (noisy && !options.acceptNoise)
    throw noisyBaseline(metric, main.robustCv, samples.length, extraRuns, causes);

  const result: BaselineResult = {
    experiment: name,
    commit,
    measuredAt: new Date().toISOString(),
    command: knobs.args ? `${spec.command} ${knobs.args}` : spec.command,
    knobEnv: knobs.env,
    build: build ?? null,
    metric: {
      name: metric,
      direction: experiment.metric.direction,
      unit: main.unit,
      value: main.median,
      ci: main.ci,
      ciCoverage: main.ciCoverage,
      robustCv: main.robustCv,
      noiseFloor: main.noiseFloor,
    },
    runs: samples.length,
    extraRuns,
    noiseLimit: NOISE_LIMIT,
    noisy,
    acceptedNoise: noisy,
    noiseCauses: causes,
    scenarios,
    peakMemory: peakMemoryOf(samples),
    resourceNote: first.resourceNote,
    samples,
    environment,
    metricConsistency: consistencyScope(samples, experiment.metric),
  };
  const summary = formatBaseline(result, experiment.target);
  await mkdir(join(opened.dir, FILES.baselineDir), { recursive: true });
  const write = (file: string, text: string) =>
    writeFileSync(join(opened.dir, file), redactText(text));
  write(FILES.baselineResult, `${JSON.stringify(result, null, 2)}\n`);
  write(FILES.baselineText, summary);
  write(FILES.baselineEnv, `${formatEnvironment(environment)}\n`);
  writeBaselineInvariants(opened.dir, experiment, commit, [...warmups, ...samples]);

  // The accepted noise (or its absence after a quiet re-measure) goes into the plan.
  const updated = Experiment.parse({
    ...experiment,
    acceptedNoise: noisy ? { robustCv: main.robustCv, causes } : undefined,
  });
  if (JSON.stringify(updated) !== JSON.stringify(experiment)) {
    writeFileSync(join(opened.dir, FILES.experiment), `${JSON.stringify(updated, null, 2)}\n`);
    writeFileSync(
      join(opened.dir, FILES.plan),
      renderPlan(updated, Object.keys(await committedProtected(root, opened.path)).sort()),
    );
  }

  ledger.append({
    type: "baseline-locked",
    commit,
    value: main.median,
    medians: Object.fromEntries(scenarios.map((s) => [s.name, s.median])),
    robustCv: main.robustCv,
    acceptedNoise: noisy,
  });
  await stageToolFiles(root, [opened.path]);
  const cv = `${(100 * main.robustCv).toFixed(2)}%`;
  await git(
    [
      "commit",
      "--quiet",
      "-m",
      `experiment(${experiment.id}): baseline`,
      "-m",
      `${metric} median ${main.median} over ${samples.length} runs, robust CV ${cv}${noisy ? " (noise accepted with --accept-noise)" : ""}${options.force ? "; measured again with --force" : ""}.`,
    ],
    root,
  );
  return {
    name,
    id: experiment.id,
    commit: await git(["rev-parse", "HEAD"], root),
    result,
    summary,
    targetReached: targetReached(experiment, main.median),
  };
}

/**
 * The baseline measures the experiment's own commit: its branch checked out, no code changed
 * (the experiment folder may hold uncommitted ledger lines), protected files as locked, and no
 * baseline yet unless forced before the loop started.
 */
async function checkReady(root: string, opened: OpenedExperiment, force: boolean): Promise<void> {
  const { experiment, ledger, name } = opened;
  const branch = await currentBranch(root);
  if (branch !== experiment.branch) {
    throw new UsageError(
      "wrong-branch",
      `experiment ${name} is measured on its branch ${experiment.branch}, but ${branch ?? "a detached HEAD"} is checked out: run git checkout ${experiment.branch} first.`,
    );
  }
  const locked = ledger.last("baseline-locked");
  if (locked && !force) {
    throw new UsageError(
      "baseline-locked",
      `the baseline of ${name} is already locked (${experiment.metric.name} = ${locked.value} at ${locked.commit.slice(0, 12)}, ${locked.at}): pass --force to measure it again.`,
    );
  }
  const started = ledger.ofType("iteration-started").length;
  if (locked && started > 0) {
    throw new UsageError(
      "baseline-after-iterations",
      `${name} has already run ${started} iteration(s): a new baseline would measure kept changes, not the starting code. Start a new experiment instead (auto-optimize init --new).`,
    );
  }
  const inScope = globMatcher(experiment.scope);
  const tracked = (await git(["diff", "--name-only", "HEAD"], root)).split("\n").filter(Boolean);
  const untracked = (await git(["ls-files", "--others", "--exclude-standard"], root))
    .split("\n")
    .filter((f) => f && inScope(f));
  const changed = [...tracked, ...untracked].filter((f) => !f.startsWith(`${opened.path}/`));
  if (changed.length > 0) {
    throw new UsageError(
      "dirty-tree",
      `the working tree has uncommitted changes (${changed.slice(0, 10).join(", ")}): the baseline must measure the experiment's commit. Commit or stash them (git stash -u) first.`,
    );
  }
  await requireIntact(root, opened.path, ledger);
  const violations = await protectedViolations(root, await committedProtected(root, opened.path));
  if (violations.length > 0) {
    throw new UsageError(
      "protected-changed",
      `protected files changed since init: ${violations.join("; ")}. Restore them from the plan commit before measuring the baseline.`,
    );
  }
}

function noisyBaseline(
  metric: string,
  cv: number,
  runs: number,
  extraRuns: number,
  causes: string[],
): AutoOptimizeError {
  const listed = causes.length
    ? causes.map((c) => `  - ${c}`)
    : [
        "  - none visible from here: the benchmark itself may vary from run to run (random input, caches, garbage collection, I/O)",
      ];
  return new AutoOptimizeError(
    "noisy-baseline",
    [
      `the baseline is too noisy to lock: the robust CV of ${metric} is ${(100 * cv).toFixed(1)}% over ${runs} runs (limit ${100 * NOISE_LIMIT}%)${extraRuns ? `, still after gathering ${extraRuns} more runs` : ""}.`,
      "Likely causes:",
      ...listed,
      "To proceed: quiet the machine (close busy programs, set the CPU governor to performance, give the container whole CPUs), or make each benchmark run longer and steadier, then run auto-optimize baseline again. Or accept the noise knowingly with auto-optimize baseline --accept-noise: it is recorded in experiment.json and the plan, and small gains will be hard to prove.",
    ].join("\n"),
  );
}
