import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import type { LedgerEntry } from "../../src/experiment/events.js";
import { type CliResult, runCli } from "./cli.js";
import { TempRepo } from "./temp-repo.js";

/**
 * init's flags for the projects whose benchmark prints src/value.txt's number: make it smaller
 * than 10, changing only src/**, keeping gains of 1% or more. `commands` gives the test and
 * bench commands; a missing one is not passed (a model writes it).
 */
export function valueAnswers(
  commands: { test?: string; bench?: string } = {
    test: "sh test/check.sh",
    bench: "cat src/value.txt",
  },
): string[] {
  return [
    "--yes",
    "--goal",
    "make value smaller",
    "--scope",
    "src/**",
    "--metric",
    "value",
    "--direction",
    "lower",
    "--target",
    "10",
    "--threshold",
    "1%",
    "--iterations",
    "10",
    ...(commands.test ? ["--test", commands.test] : []),
    ...(commands.bench ? ["--bench", commands.bench] : []),
  ];
}

/**
 * Changes the experiment.json of the experiment checked out in `repo` as init wrote it (the plan
 * commit is amended), before the baseline.
 */
export function editExperimentIn(
  repo: TempRepo,
  edit: (experiment: Record<string, unknown>) => Record<string, unknown>,
): void {
  const name = repo.git("branch", "--show-current").replace("auto-optimize/", "");
  const path = join(repo.dir, "experiments", name, "experiment.json");
  const experiment = JSON.parse(readFileSync(path, "utf8"));
  writeFileSync(path, `${JSON.stringify(edit(experiment), null, 2)}\n`);
  repo.git("commit", "--quiet", "--amend", "--no-edit", "--all");
}

/** experiment.json with profiling turned off (`profiling.enabled: false`). */
export function withoutProfiling(experiment: Record<string, unknown>): Record<string, unknown> {
  return { ...experiment, profiling: { enabled: false } };
}

/**
 * experiment.json measuring with the fewest rounds: a comparison of 4 rounds and a baseline of 5
 * runs (the least allowed). The project's benchmark prints exact values, so a comparison settles
 * at its first look however many rounds that takes: for tests where the rounds are not what is
 * tested.
 */
export function withFewRounds(experiment: Record<string, unknown>): Record<string, unknown> {
  const measurement = (experiment.measurement ?? {}) as Record<string, unknown>;
  return { ...experiment, measurement: { ...measurement, minRounds: 4, baselineRuns: 5 } };
}

export interface InitOptions {
  /** Keep profiling the best before each iteration (off by default: it costs seconds). */
  profiling?: boolean;
  /** Measure with the fewest rounds (withFewRounds). */
  fewRounds?: boolean;
}

/**
 * A small project for the loop: the benchmark prints the number in src/value.txt (exact values,
 * so every comparison is decided at its first look), the test fails when any src/*.txt says
 * "broken". Each candidate for the patches agent is one commit on a side branch from main:
 *   keep       value 100 → 80
 *   drop       value 80 → 90 (on top of keep: it applies once keep was kept)
 *   flat       value 100 → 100.5, inside the ±1% threshold: no-change, dropped
 *   slower     value 100 → 120 (from main, as keep: a generation's sibling of it)
 *   protected  edits the test
 *   scope      edits README.md, outside src/**
 *   scope2     adds docs/notes.txt, outside src/**
 *   broken     adds src/extra.txt saying "broken": the test fails
 */
export class LoopRepo extends TempRepo {
  readonly ideas: Record<
    "keep" | "drop" | "flat" | "slower" | "protected" | "scope" | "scope2" | "broken",
    string
  >;

  /** With `from`, a copy of that repository in its state now (see TempRepo), its ideas included. */
  constructor(from?: LoopRepo) {
    super(from);
    if (from) {
      this.ideas = { ...from.ideas };
      return;
    }
    this.commit("project", {
      "src/value.txt": "100\n",
      "test/check.sh": "! grep -q broken src/*.txt\n",
      "README.md": "a project\n",
    });
    const idea = (name: string, files: Record<string, string>, from = "main") => {
      this.git("checkout", "--quiet", "-b", `idea-${name}`, from);
      return this.commit(name, files);
    };
    const keep = idea("keep", { "src/value.txt": "80\n" });
    const drop = idea("drop", { "src/value.txt": "90\n" }, keep);
    this.ideas = {
      keep,
      drop,
      flat: idea("flat", { "src/value.txt": "100.5\n" }),
      slower: idea("slower", { "src/value.txt": "120\n" }),
      protected: idea("protected", { "test/check.sh": "true\n" }),
      scope: idea("scope", { "README.md": "a faster project\n" }),
      scope2: idea("scope2", { "docs/notes.txt": "notes\n" }),
      broken: idea("broken", { "src/extra.txt": "broken\n" }),
    };
    this.git("checkout", "--quiet", "main");
  }

  /**
   * init with `answers` and `extra`. Profiling the best before each iteration (the loop's default)
   * costs seconds per iteration: unless `profiling` is asked for, an init that succeeds has it
   * turned off in the plan commit, for tests that are not about it.
   */
  async init(extra: string[] = [], options: InitOptions = {}): Promise<CliResult> {
    const init = await runCli(["init", ...this.answers(), ...extra], this.dir);
    if (init.code !== 0) return init;
    if (!(options.profiling ?? false)) this.editExperiment(withoutProfiling);
    if (options.fewRounds) this.editExperiment(withFewRounds);
    return init;
  }

  /** init's flags (valueAnswers by default). */
  protected answers(): string[] {
    return valueAnswers();
  }

  /** Changes experiment.json as init wrote it (editExperimentIn). */
  editExperiment(edit: (experiment: Record<string, unknown>) => Record<string, unknown>): void {
    editExperimentIn(this, edit);
  }

  /** init (profiling off unless asked for, as in `init`), then the baseline locked. */
  async start(initExtra: string[] = [], options: InitOptions = {}): Promise<void> {
    const init = await this.init(initExtra, options);
    expect(init.code, init.stderr).toBe(0);
    const baseline = await runCli(["baseline"], this.dir);
    expect(baseline.code, baseline.stderr).toBe(0);
  }

  /**
   * `run` with the patches agent: the ideas as revisions, `{ revisions }` for other commits, or
   * `{ patches: DIR }` for a folder of patch files.
   */
  run(
    ideas: (keyof LoopRepo["ideas"])[] | { revisions: string[] } | { patches: string },
    extra: string[] = [],
    env: NodeJS.ProcessEnv = {},
  ): Promise<CliResult> {
    const source = Array.isArray(ideas)
      ? ["--revisions", ideas.map((i) => this.ideas[i]).join(",")]
      : "revisions" in ideas
        ? ["--revisions", ideas.revisions.join(",")]
        : ["--patches", ideas.patches];
    return runCli(["run", "--agent", "patches", ...source, "--no-report", ...extra], this.dir, {
      env,
    });
  }

  /** An idea's change as a patch file's text (its diff against its parent), for `git apply`. */
  patchOf(idea: keyof LoopRepo["ideas"]): string {
    return `${this.git("diff-tree", "-p", "--no-color", "--no-commit-id", `${this.ideas[idea]}~1`, this.ideas[idea])}\n`;
  }

  experimentDir(): string {
    const name = this.git("branch", "--show-current").replace("auto-optimize/", "");
    return join(this.dir, "experiments", name);
  }

  ledger(): LedgerEntry[] {
    return readFileSync(join(this.experimentDir(), "ledger.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LedgerEntry);
  }

  decisions(): string[] {
    return this.ledger().flatMap((e) =>
      e.type === "committed" ? [`${e.iteration}:${e.decision}`] : [],
    );
  }

  subjects(): string[] {
    return this.git("log", "--format=%s", "main..HEAD").split("\n").reverse();
  }

  file(path: string): string {
    return readFileSync(join(this.dir, path), "utf8");
  }
}

/**
 * One repository started (`start`: init and the baseline) before a test file's tests, and a copy
 * of it for each test that calls the returned function: tests that need the same start share one
 * init and one baseline instead of one each.
 */
export function startedOnce<T extends LoopRepo>(
  make: (from?: T) => T,
  initExtra: string[] = [],
  options: InitOptions = {},
): () => T {
  let started: T | undefined;
  beforeAll(async () => {
    started = make();
    await started.start(initExtra, options);
  });
  afterAll(() => started?.remove());
  return () => {
    if (!started) throw new Error("startedOnce's copy is taken in a test, after beforeAll");
    return make(started);
  };
}
