import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LedgerEvent } from "../../src/experiment/events.js";
import { Ledger } from "../../src/experiment/ledger.js";
import { Experiment } from "../../src/experiment/schema.js";
import type { TempRepo } from "./temp-repo.js";

export const NAME = "exp-001-faster";
export const RELATIVE_DIR = `experiments/${NAME}`;

export interface Fixture {
  name: string;
  dir: string;
  experiment: Experiment;
  ledger: Ledger;
  baseline: string;
  best: string;
}

/** experiment.json as `init` would write it, valid against the schema. */
export function fixtureExperiment(repo: TempRepo, overrides: Partial<Experiment> = {}): Experiment {
  return Experiment.parse({
    schemaVersion: 1,
    id: "exp-001",
    slug: "faster",
    createdAt: "2025-01-01T00:00:00.000Z",
    goal: "make the value smaller",
    scope: ["value.txt"],
    protect: ["experiments/**"],
    metric: { name: "value", direction: "lower" },
    target: 85,
    threshold: 0.01,
    iterations: 10,
    commands: { test: "true", bench: "cat value.txt" },
    measurement: { minRounds: 4, maxRounds: 6 },
    patience: 5,
    branch: `auto-optimize/${NAME}`,
    baseCommit: repo.git("rev-parse", "HEAD"),
    ...overrides,
  });
}

/**
 * A repository with an experiment as the loop leaves it: plan and baseline commits, iteration 1
 * kept (value 100 → 80), iteration 2 dropped (attempt and revert), iteration 3 test-failed, two
 * cost events and a `stopped`; everything committed. With `keep: false` iteration 1 is dropped
 * too and the best stays the baseline. With `knob`, an env knob DIV divides the value and the
 * kept iteration also sets DIV=2.
 */
export function buildExperiment(
  repo: TempRepo,
  options: { keep?: boolean; knob?: boolean; stop?: boolean } = {},
): Fixture {
  const keep = options.keep ?? true;
  repo.commit("project", { "value.txt": "100\n", "README.md": "project\n" });
  repo.git("checkout", "--quiet", "-b", `auto-optimize/${NAME}`);
  const experiment = fixtureExperiment(
    repo,
    options.knob
      ? {
          commands: { test: "true", bench: "expr $(cat value.txt) / $DIV" },
          knobs: [
            { name: "DIV", kind: "env", domain: { type: "int", min: 1, max: 4 }, initial: 1 },
          ],
        }
      : {},
  );
  const dir = join(repo.dir, RELATIVE_DIR);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "experiment.json"), `${JSON.stringify(experiment, null, 2)}\n`);
  writeFileSync(join(dir, "protected.json"), "{}\n");
  const ledger = Ledger.open(join(dir, "ledger.jsonl"));
  const append = (event: LedgerEvent) => ledger.append(event);
  append({
    type: "experiment-created",
    experiment: NAME,
    branch: experiment.branch,
    baseCommit: experiment.baseCommit,
  });
  const baseline = commitAll(repo, "experiment(exp-001): plan");
  append({
    type: "baseline-locked",
    commit: baseline,
    value: 100,
    medians: { value: 100 },
    robustCv: 0,
    acceptedNoise: false,
  });
  commitAll(repo, "experiment(exp-001): baseline");
  append({ type: "run-started", agent: "patches" });

  // Iteration 1: halve the work (kept unless keep is false)
  const knobs: Record<string, number> = options.knob ? { DIV: keep ? 2 : 1 } : {};
  const folder1 = "iter-001-halve-the-work";
  append({ type: "iteration-started", iteration: 1, best: baseline });
  append({ type: "planned", iteration: 1, strategy: "halve the work", folder: folder1 });
  append({ type: "applied", iteration: 1, attempt: 1, changedFiles: ["value.txt"], knobs });
  append({ type: "cost", iteration: 1, usd: 0.12, tokens: 1000 });
  append({ type: "checked", iteration: 1, violations: [] });
  append({ type: "tested", iteration: 1, attempt: 1, ok: true });
  append({
    type: "measured",
    iteration: 1,
    verdict: keep ? "improved" : "inconclusive",
    improvement: 0.2,
    ci: [0.2, 0.2],
    rounds: 10,
    value: 80,
    bestValue: 100,
  });
  append({ type: "decided", iteration: 1, decision: keep ? "keep" : "drop", reason: "improved" });
  repo.write({
    "value.txt": "80\n",
    [`${RELATIVE_DIR}/iterations/${folder1}/reflexion.md`]: [
      "# Reflexion — iteration 1: halve the work",
      "",
      "## What surprised",
      "",
      "- The value halved less than expected.",
      "",
      "## Lessons",
      "",
      "- Smaller values come from less work, not faster work.",
      "- The benchmark reads one file.",
      "",
      "## Unexplored directions",
      "",
      "- Cache the value between runs.",
      "",
    ].join("\n"),
  });
  const attempt1 = commitAll(repo, "experiment(exp-001/iter-001): halve the work");
  let best = baseline;
  if (keep) {
    best = attempt1;
    append({ type: "committed", iteration: 1, decision: "keep", commits: [attempt1], best });
  } else {
    const revert1 = revert(repo, attempt1, "experiment(exp-001/iter-001): halve the work");
    append({
      type: "committed",
      iteration: 1,
      decision: "drop",
      commits: [attempt1, revert1],
      best,
    });
  }

  // Iteration 2: a slower attempt, dropped (attempt and revert)
  const folder2 = "iter-002-unroll-the-loop";
  append({ type: "iteration-started", iteration: 2, best });
  append({ type: "planned", iteration: 2, strategy: "unroll the loop", folder: folder2 });
  append({ type: "applied", iteration: 2, attempt: 1, changedFiles: ["value.txt"], knobs });
  append({ type: "cost", iteration: 2, usd: 0.08, tokens: 500 });
  append({ type: "checked", iteration: 2, violations: [] });
  append({ type: "tested", iteration: 2, attempt: 1, ok: true });
  append({
    type: "measured",
    iteration: 2,
    verdict: "regressed",
    improvement: -0.125,
    ci: [-0.125, -0.125],
    rounds: 10,
    value: 90,
    bestValue: 80,
  });
  append({ type: "decided", iteration: 2, decision: "drop", reason: "regressed: -12.50%" });
  repo.write({
    "value.txt": "90\n",
    [`${RELATIVE_DIR}/iterations/${folder2}/reflexion.md`]:
      "# Reflexion — iteration 2: unroll the loop\n\nUnrolling made it slower: the loop was not the cost.\nThe branch predictor was already happy.\nA third line.\nA fourth line that is left out.\n",
  });
  const attempt2 = commitAll(repo, "experiment(exp-001/iter-002): unroll the loop");
  const revert2 = revert(repo, attempt2, "experiment(exp-001/iter-002): unroll the loop");
  append({
    type: "committed",
    iteration: 2,
    decision: "drop",
    commits: [attempt2, revert2],
    best,
  });

  // Iteration 3: tests failed, no code change left behind
  const folder3 = "iter-003-skip-validation";
  append({ type: "iteration-started", iteration: 3, best });
  append({ type: "planned", iteration: 3, strategy: "skip validation", folder: folder3 });
  append({ type: "applied", iteration: 3, attempt: 1, changedFiles: [], knobs });
  append({ type: "checked", iteration: 3, violations: [] });
  append({ type: "tested", iteration: 3, attempt: 1, ok: false, failure: "tests failed" });
  append({
    type: "decided",
    iteration: 3,
    decision: "test-failed",
    reason: "build or tests failed 1 time; last: tests failed",
  });
  repo.write({
    [`${RELATIVE_DIR}/iterations/${folder3}/reflexion.md`]:
      "# Reflexion — iteration 3: skip validation\n\nValidation is what the tests check.\n",
  });
  const attempt3 = commitAll(repo, "experiment(exp-001/iter-003): skip validation");
  append({ type: "committed", iteration: 3, decision: "test-failed", commits: [attempt3], best });
  if (options.stop ?? true) append({ type: "stopped", reason: "iteration budget spent (3)" });
  commitAll(repo, "experiment(exp-001): ledger");
  return { name: NAME, dir, experiment, ledger, baseline, best };
}

function commitAll(repo: TempRepo, message: string): string {
  repo.git("add", "-A");
  repo.git("commit", "--quiet", "--allow-empty", "-m", message);
  return repo.git("rev-parse", "HEAD");
}

/** Undoes the attempt's code and keeps its artifacts, as the loop's revert does. */
function revert(repo: TempRepo, attempt: string, message: string): string {
  repo.git("revert", "--no-commit", attempt);
  repo.git("checkout", attempt, "--", RELATIVE_DIR);
  repo.git("commit", "--quiet", "-m", `revert ${message}`);
  return repo.git("rev-parse", "HEAD");
}

/**
 * The ledger of a host-mode experiment whose first iteration was just opened at `commit` (the
 * baseline locked there at value 100): what `step next` leaves before `step plan`.
 */
export function appendHostIterationOpened(ledger: Ledger, commit: string): void {
  ledger.append({ type: "experiment-created", experiment: NAME, branch: "b", baseCommit: commit });
  ledger.append({
    type: "baseline-locked",
    commit,
    value: 100,
    medians: { value: 100 },
    robustCv: 0.01,
    acceptedNoise: false,
  });
  ledger.append({ type: "run-started", agent: "host" });
  ledger.append({ type: "iteration-started", iteration: 1, best: commit });
}
