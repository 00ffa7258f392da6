import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { changedFiles, globMatcher, listFiles } from "../workspace/files.js";
import { git, openRepository } from "../workspace/git.js";
import { stageToolFiles } from "../workspace/stage-tool-files.js";
import { restoreStash, type Stash, stashChanges } from "../workspace/stash.js";
import { allocateExperiment } from "./allocate.js";
import { filesNamedIn, literalGlob } from "./command-files.js";
import type { DryRunTarget } from "./dry-run.js";
import { dryRunInFreshCheckout, refuseUntrackedNamedFiles } from "./fresh-dry-run.js";
import type { InfrastructureWriter } from "./infrastructure-writer.js";
import { initialKnobValues, knobRunTarget } from "./knobs.js";
import { experimentDir, FILES, slugify } from "./layout.js";
import { Ledger } from "./ledger.js";
import { currentBranch, type ExperimentEntry, listExperiments } from "./open.js";
import { type PreparedCommands, prepareCommands } from "./prepare-commands.js";
import { hashFiles, unprotectedInScope } from "./protected-files.js";
import { renderPlan } from "./render-plan.js";
import { type AgentSettings, Experiment } from "./schema.js";
import { targetReached } from "./target.js";
import {
  type Answers,
  DEFAULT_PROTECT,
  type RawAnswers,
  validateAnswers,
} from "./validate-answers.js";

export interface CreateOptions {
  /** Anywhere inside the repository. */
  cwd: string;
  answers: RawAnswers;
  /** Start a new experiment although an unfinished one exists (init --new). */
  startNew?: boolean;
  /**
   * Uncommitted changes are stashed (untracked files included) instead of refused; they come back
   * if init fails, and stay in the stash, named, when it succeeds.
   */
  stash?: boolean;
  /** Writes missing tests or benchmark; without it, missing ones stop init with guidance. */
  infrastructure?: InfrastructureWriter;
  /** The model agent chosen at init, kept in experiment.json for `run` to use without flags. */
  agent?: AgentSettings;
  /** How test and benchmark runs are isolated (init --unconfined, --network); default: confined. */
  isolation?: { confine: boolean; network: boolean };
  /** experiment.json's `profiling` (init --profile-focus, --reject-unsampled). */
  profiling?: Experiment["profiling"];
  onProgress?: (message: string) => void;
  now?: Date;
}

export interface CreatedExperiment {
  name: string;
  id: string;
  /** Absolute path of the experiment folder. */
  dir: string;
  /** experiments/exp-001-… */
  path: string;
  branch: string;
  /** The `experiment(exp-NNN): plan` commit. */
  commit: string;
  experiment: Experiment;
  /** Every file hashed into protected.json. */
  protectedFiles: string[];
  /** Files the agent wrote for missing tests or benchmark (committed with the plan). */
  writtenFiles: string[];
  dryRun: PreparedCommands["dryRun"];
  warnings: string[];
  /** The uncommitted changes init stashed (init --stash), or null. */
  stash: Stash | null;
}

/** Experiments whose ledger has no `stopped` event, oldest first. */
export async function unfinishedExperiments(root: string): Promise<ExperimentEntry[]> {
  return (await listExperiments(root)).filter((e) => !e.stopped);
}

/**
 * Switches to an unfinished experiment's branch (when another one is checked out) so that `run`
 * continues it. Refuses a dirty tree, which the switch could mix into the experiment.
 */
export async function continueExperiment(root: string, entry: ExperimentEntry): Promise<void> {
  if (entry.checkedOut) return;
  await refuseDirtyTree(root, `switching to ${entry.branch}`);
  await git(["checkout", "--quiet", entry.branch], root);
}

/**
 * init's work after the answers are gathered: validate them, refuse a dirty tree, dry-run (or have
 * the agent write) tests and benchmark, then create experiments/exp-NNN-<slug>/ with
 * experiment.json, experiment-plan.md, protected.json and the ledger on a new branch
 * auto-optimize/exp-NNN-<slug>, committed as `experiment(exp-NNN): plan`.
 */
export async function createExperiment(options: CreateOptions): Promise<CreatedExperiment> {
  const progress = options.onProgress ?? (() => {});
  const { root } = await openRepository(options.cwd);
  const baseCommit = await git(["rev-parse", "--verify", "--quiet", "HEAD"], root).catch(() => {
    throw new UsageError(
      "no-commit",
      "the repository has no commit yet: commit the code to optimize, then run init again.",
    );
  });
  const files = await listFiles(root);
  const answers = await validateAnswers(options.answers, root, files);

  const unfinished = await unfinishedExperiments(root);
  if (unfinished.length > 0 && !options.startNew) {
    const last = unfinished.at(-1) as ExperimentEntry;
    throw new UsageError(
      "unfinished-experiment",
      `experiment ${last.name} (branch ${last.branch}) is not finished: continue it with auto-optimize run (in host mode: auto-optimize step next), or pass --new to start another one.`,
    );
  }
  await refuseUntrackedNamedFiles(
    [answers.test, answers.bench, answers.build, answers.check],
    root,
  );
  const stash = options.stash ? await stashChanges(root, "init") : null;
  if (stash)
    progress(
      `stashed the uncommitted changes (${stash.files.length} file(s)): git stash list shows "${stash.message}"`,
    );
  else await refuseDirtyTree(root, "init", " — or let init --stash do it");
  try {
    // Stashing removed untracked files from the tree: list it again.
    const tree = stash ? await listFiles(root) : files;
    return {
      ...(await createOnCleanTree(root, baseCommit, answers, tree, options, progress)),
      stash,
    };
  } catch (error) {
    // The user's changes go back where they were, as if init had never run.
    if (stash) {
      await restoreStash(root, stash).catch((restoreError: Error) =>
        progress(
          `could not put the stashed changes back (${restoreError.message.split("\n")[0]}): they are safe in the stash "${stash.message}"; \`git stash pop\` once what is in the way is removed`,
        ),
      );
    }
    throw error;
  }
}

/** Everything init does once the answers are valid and the working tree is the HEAD commit. */
async function createOnCleanTree(
  root: string,
  baseCommit: string,
  answers: Answers,
  /** The repository's files as the experiment starts from them. */
  files: string[],
  options: CreateOptions,
  progress: (message: string) => void,
): Promise<Omit<CreatedExperiment, "stash">> {
  const measurement = Experiment.shape.measurement.parse(undefined);
  const knobs = knobRunTarget(answers.knobs, initialKnobValues(answers.knobs));
  const target: DryRunTarget = {
    root,
    env: knobs.env,
    args: knobs.args,
    timeoutMs: measurement.timeoutSeconds * 1000,
  };
  const prepared = await prepareCommands(
    answers,
    target,
    measurement.format,
    options.infrastructure,
    progress,
  );
  // What the agent wrote is not in HEAD yet: only the user's own commands are checked there.
  if (prepared.written.length === 0) {
    await dryRunInFreshCheckout(
      baseCommit,
      {
        build: answers.build,
        test: prepared.test,
        bench: prepared.bench,
        metric: answers.metric.name,
        format: measurement.format,
      },
      target,
      progress,
    );
  }
  const warnings = [
    ...prepared.warnings,
    ...(await checkDryRunLeftTreeAlone(root, files, prepared.written)),
  ];

  // Protected: the defaults, the user's globs, the files the commands name, what the agent wrote.
  const inScope = globMatcher(answers.scope);
  const commands = [prepared.test, prepared.bench, ...(prepared.check ? [prepared.check] : [])];
  const named = filesNamedIn(commands, files);
  const base = [...new Set([...DEFAULT_PROTECT, ...answers.protect])];
  for (const file of unprotectedInScope(named, answers.scope, base)) {
    warnings.push(
      `${file} (named in the test, bench or check command) is inside the scope, so it is not protected; add --protect ${file} if it belongs to the benchmark harness.`,
    );
  }
  const covered = globMatcher(base);
  const extra = [...named.filter((f) => !inScope(f)), ...prepared.written];
  const protect = [...base, ...[...new Set(extra)].filter((f) => !covered(f)).map(literalGlob)];
  const isProtected = globMatcher(protect);
  const protectedFiles = [...new Set([...files, ...prepared.written])].filter(isProtected).sort();
  const hashes = await hashFiles(root, protectedFiles);

  const metric = answers.metric;
  const value = prepared.dryRun.bench.value;
  if (targetReached(answers, value)) {
    warnings.push(
      `the dry-run's ${metric.name} is already ${value}, which meets the target ${answers.target}: the experiment would stop at once. Is the target right?`,
    );
  }

  const previous = (await currentBranch(root)) ?? baseCommit;
  const slug = slugify(answers.goal);
  const allocated = await allocateExperiment(root, slug);
  const path = experimentDir(allocated.name);
  let branchCreated = false;
  try {
    progress(`creating ${path} on branch ${allocated.branch}…`);
    await git(["checkout", "--quiet", "-b", allocated.branch], root);
    branchCreated = true;
    const id = `exp-${String(allocated.number).padStart(3, "0")}`;
    const experiment = Experiment.parse({
      schemaVersion: 1,
      id,
      slug,
      createdAt: (options.now ?? new Date()).toISOString(),
      goal: answers.goal,
      scope: answers.scope,
      protect,
      metric,
      target: answers.target,
      threshold: answers.threshold,
      iterations: answers.iterations,
      commands: {
        test: prepared.test,
        bench: prepared.bench,
        ...(answers.build && { build: answers.build }),
        ...(prepared.check && { check: prepared.check }),
      },
      knobs: answers.knobs,
      ...(answers.volatile.length > 0 && { volatile: answers.volatile }),
      measurement,
      branch: allocated.branch,
      baseCommit,
      ...(options.agent && { agent: options.agent }),
      ...(options.isolation && { isolation: options.isolation }),
      ...(options.profiling && { profiling: options.profiling }),
    });
    const write = (file: string, text: string) => writeFileSync(join(allocated.dir, file), text);
    write(FILES.experiment, `${JSON.stringify(experiment, null, 2)}\n`);
    write(FILES.protected, `${JSON.stringify(hashes, null, 2)}\n`);
    write(FILES.plan, renderPlan(experiment, protectedFiles));
    Ledger.open(join(allocated.dir, FILES.ledger)).append({
      type: "experiment-created",
      experiment: allocated.name,
      branch: allocated.branch,
      baseCommit,
      ...(options.agent && { agent: options.agent }),
      ...(options.isolation && { isolation: options.isolation }),
    });
    await stageToolFiles(root, [path, ...prepared.written]);
    await git(
      [
        "commit",
        "--quiet",
        "-m",
        `experiment(${id}): plan`,
        "-m",
        `Goal: ${answers.goal}\nMetric: ${metric.name} (${metric.direction} is better), target ${answers.target}, threshold ${(100 * answers.threshold).toFixed(1)}% per iteration.`,
      ],
      root,
    );
    const commit = await git(["rev-parse", "HEAD"], root);
    return {
      name: allocated.name,
      id,
      dir: allocated.dir,
      path,
      branch: allocated.branch,
      commit,
      experiment,
      protectedFiles,
      writtenFiles: prepared.written,
      dryRun: prepared.dryRun,
      warnings,
    };
  } catch (error) {
    // Leave the repository as init found it: no half-made folder, branch or staged files.
    await git(["reset", "--quiet", "--", path], root).catch(() => {});
    rmSync(allocated.dir, { recursive: true, force: true });
    if (branchCreated) {
      await git(["checkout", "--quiet", previous], root).catch(() => {});
      await git(["branch", "-D", allocated.branch], root).catch(() => {});
    }
    throw error;
  }
}

/** Refuses uncommitted changes, naming them: the experiment must start from a commit. */
export async function refuseDirtyTree(root: string, what: string, hint = ""): Promise<void> {
  const dirty = await changedFiles(root);
  if (dirty.length === 0) return;
  const shown = dirty.slice(0, 10).join(", ");
  const more = dirty.length > 10 ? ` and ${dirty.length - 10} more` : "";
  throw new UsageError(
    "dirty-tree",
    `the working tree has uncommitted changes (${shown}${more}): commit them or stash them (git stash -u${hint}) before ${what}, so the experiment starts from a commit and measures exactly it.`,
  );
}

/**
 * The dry-run must leave committed files as they were (the loop measures commits); files it
 * created that git does not ignore are a warning, since they would look like changes.
 */
async function checkDryRunLeftTreeAlone(
  root: string,
  before: readonly string[],
  written: readonly string[],
): Promise<string[]> {
  const modified = (await git(["diff", "--name-only", "HEAD"], root))
    .split("\n")
    .filter((f) => f && !written.includes(f));
  if (modified.length > 0) {
    throw new UsageError(
      "dry-run-changed-files",
      `the dry-run of the tests and benchmark changed committed files (${modified.join(", ")}): they must leave the repository as they found it. Write scratch output to a temporary or git-ignored path, restore the files (git checkout -- ${modified.join(" ")}), and run init again.`,
    );
  }
  const known = new Set([...before, ...written]);
  const created = (await listFiles(root)).filter((f) => !known.has(f));
  return created.length
    ? [
        `the dry-run created ${created.slice(0, 5).join(", ")}${created.length > 5 ? ` and ${created.length - 5} more` : ""}, which git does not ignore: add ${created.length > 1 ? "them" : "it"} to .gitignore so the loop does not take ${created.length > 1 ? "them" : "it"} for a change.`,
      ]
    : [];
}
