import { readFileSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { AutoOptimizeError, UsageError } from "../errors.js";
import { NOISE_LIMIT } from "../measure/bench.js";
import { describeConfinement } from "../measure/confinement.js";
import { formatEnvironment, noiseCauses } from "../measure/environment.js";
import { consistencyScope } from "../measure/metric-consistency-scope.js";
import type { BenchSpec, RunTarget } from "../measure/observe.js";
import { peakMemoryOf, summarizeScenarios } from "../measure/summary.js";
import { redactText } from "../redact.js";
import { globMatcher } from "../workspace/files.js";
import { git, openRepository } from "../workspace/git.js";
import { stageToolFiles } from "../workspace/stage-tool-files.js";
import { writeBaselineInvariants } from "./baseline-invariants.js";
import { fromRefused, gatherRuns } from "./baseline-runs.js";
import { type BaselineResult, formatBaseline } from "./baseline-summary.js";
import { requireIntact } from "./intact.js";
import { initialKnobValues, knobRunTarget } from "./knobs.js";
import { FILES } from "./layout.js";
import { currentBranch, type OpenedExperiment, openExperiment } from "./open.js";
import { committedProtected, protectedViolations } from "./protected-files.js";
import {
  discardRefusedBaseline,
  readRefusedBaseline,
  refusedBaselinePath,
  refusedMismatch,
  saveRefusedBaseline,
} from "./refused-baseline.js";
import { renderPlan } from "./render-plan.js";
import { runIsolationFor } from "./run-isolation.js";
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
  /** With acceptNoise: measure anew instead of locking the runs of the baseline refused before. */
  fresh?: boolean;
  onProgress?: (message: string) => void;
}

export interface BaselineOutcome {
  name: string;
  /** exp-001 */
  id: string;
  /** The `experiment(exp-NNN): baseline` commit. */
  commit: string;
  result: BaselineResult;
  /** The runs locked were those of a baseline refused as noisy just before: none were measured. */
  reusedRefusedRuns: boolean;
  /** baseline/result.txt */
  summary: string;
  targetReached: boolean;
}

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
    return await measureAndLock(options, root, gitDir, opened);
  } finally {
    release();
  }
}

async function measureAndLock(
  options: BaselineOptions,
  root: string,
  gitDir: string,
  opened: OpenedExperiment,
): Promise<BaselineOutcome> {
  const progress = options.onProgress ?? (() => {});
  const { experiment, ledger, name } = opened;
  await checkReady(root, opened, options.force ?? false);

  const runs = options.runs ?? experiment.measurement.baselineRuns;
  const knobs = knobRunTarget(experiment.knobs, initialKnobValues(experiment.knobs));
  const isolation = await runIsolationFor(experiment, root);
  progress(describeConfinement(isolation.confinement));
  const target: RunTarget = {
    cwd: root,
    env: knobs.env,
    args: knobs.args || undefined,
    isolation,
  };
  const commit = await git(["rev-parse", "HEAD"], root);
  const build = experiment.commands.build;
  const metric = experiment.metric.name;
  const spec: BenchSpec = {
    command: experiment.commands.bench,
    timeoutMs: experiment.measurement.timeoutSeconds * 1000,
    format: experiment.measurement.format,
    metrics: [],
  };
  const what = {
    commit,
    command: knobs.args ? `${spec.command} ${knobs.args}` : spec.command,
    knobEnv: knobs.env,
    build: build ?? null,
    definition: readFileSync(join(opened.dir, FILES.experiment), "utf8"),
    requestedRuns: runs,
  };
  const refusedPath = refusedBaselinePath(gitDir, name);
  const reusable = options.acceptNoise && !options.fresh ? readRefusedBaseline(refusedPath) : null;
  const mismatch = reusable ? refusedMismatch(reusable, what) : [];
  if (reusable && mismatch.length > 0) {
    progress(
      `the runs of the refused baseline measured something else (${mismatch.join(", ")} changed): measuring again`,
    );
  }
  const reused = reusable && mismatch.length === 0 ? reusable : null;
  if (reused) {
    progress(
      `locking the ${reused.samples.length} runs the refused baseline gathered at ${reused.measuredAt}, without measuring again (--fresh measures anew)`,
    );
  }
  const gathered = reused
    ? fromRefused(reused)
    : await gatherRuns(experiment, target, spec, runs, build, progress);
  const { samples, extraRuns, environment, names, resourceNote, invariants } = gathered;
  const scenarios = summarizeScenarios(samples, names, experiment.measurement.maxRounds);
  const main = scenarios.find((s) => s.name === metric);
  if (!main) {
    throw new AutoOptimizeError("metric-missing", `the benchmark no longer prints ${metric}.`);
  }
  const noisy = main.robustCv > NOISE_LIMIT;
  const causes = noisy ? noiseCauses(environment) : [];
  if (noisy && !options.acceptNoise) {
    saveRefusedBaseline(refusedPath, {
      ...what,
      measuredAt: new Date().toISOString(),
      extraRuns,
      names,
      samples,
      environment: environment as unknown as Record<string, unknown>,
      resourceNote,
      invariants,
    });
    throw noisyBaseline(metric, main.robustCv, samples.length, extraRuns, causes);
  }

  const result: BaselineResult = {
    experiment: name,
    commit,
    measuredAt: new Date().toISOString(),
    command: what.command,
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
    resourceNote,
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
  writeBaselineInvariants(opened.dir, commit, invariants);

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
      `${metric} median ${main.median} over ${samples.length} runs, robust CV ${cv}${noisy ? " (noise accepted with --accept-noise)" : ""}${reused ? `; the runs of the baseline refused at ${reused.measuredAt}` : ""}${options.force ? "; measured again with --force" : ""}.`,
    ],
    root,
  );
  discardRefusedBaseline(refusedPath);
  return {
    name,
    id: experiment.id,
    commit: await git(["rev-parse", "HEAD"], root),
    result,
    reusedRefusedRuns: reused !== null,
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
      "The runs are kept: auto-optimize baseline --accept-noise locks them without measuring again (add --fresh to measure anew).",
      "To proceed: quiet the machine (close busy programs, set the CPU governor to performance, give the container whole CPUs), or make each benchmark run longer and steadier, then run auto-optimize baseline again. Or accept the noise knowingly with auto-optimize baseline --accept-noise: it is recorded in experiment.json and the plan, and small gains will be hard to prove.",
    ].join("\n"),
  );
}
