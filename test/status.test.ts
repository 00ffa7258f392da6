import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Ledger } from "../src/experiment/ledger.js";
import { acquireRunLock, isRunning, runMarkerPath } from "../src/experiment/run-lock.js";
import { type ExperimentStatus, experimentStatus, formatStatus } from "../src/loop/status.js";
import { runCli } from "./helpers/cli.js";
import {
  appendHostIterationOpened,
  buildExperiment,
  fixtureExperiment,
  NAME,
} from "./helpers/experiment-fixture.js";
import { TempRepo } from "./helpers/temp-repo.js";

let repo: TempRepo;
const folders: string[] = [];
afterEach(() => {
  repo?.remove();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function emptyLedger(): Ledger {
  const folder = mkdtempSync(join(tmpdir(), "auto-optimize-status-"));
  folders.push(folder);
  return Ledger.open(join(folder, "ledger.jsonl"));
}

describe("status of a ledger begun before the hash chain", () => {
  it("says how many first lines are unchained, and nothing for a chained ledger", () => {
    repo = new TempRepo();
    repo.commit("project", { "value.txt": "100\n" });
    const experiment = fixtureExperiment(repo);
    const chained = emptyLedger();
    const created = {
      type: "experiment-created",
      experiment: NAME,
      branch: experiment.branch,
      baseCommit: experiment.baseCommit,
    } as const;
    chained.append(created);
    expect(experimentStatus(NAME, experiment, chained).legacyLedgerLines).toBeUndefined();
    expect(formatStatus(experimentStatus(NAME, experiment, chained))).not.toMatch(/^ledger/m);

    const { prev: _prev, ...unchained } = chained.entries[0] as Record<string, unknown>;
    writeFileSync(chained.path, `${JSON.stringify(unchained)}\n`);
    const legacy = Ledger.open(chained.path);
    legacy.append({ type: "run-started", agent: "host" });
    const status = experimentStatus(NAME, experiment, Ledger.open(chained.path));
    expect(status.legacyLedgerLines).toBe(1);
    expect(formatStatus(status)).toMatch(
      /^ledger +lines 1–1 predate the hash chain \(checked against git history only\); the chain starts at line 2$/m,
    );
  });
});

describe("status phases", () => {
  it("goes planned → baseline locked → running/interrupted → stopped → reported", () => {
    repo = new TempRepo();
    repo.commit("project", { "value.txt": "100\n" });
    const experiment = fixtureExperiment(repo);
    const ledger = emptyLedger();
    const phase = (running = false) =>
      experimentStatus(NAME, experiment, ledger, { running }).phase;

    ledger.append({
      type: "experiment-created",
      experiment: NAME,
      branch: experiment.branch,
      baseCommit: experiment.baseCommit,
    });
    expect(phase()).toBe("planned");
    expect(phase(true)).toBe("planned");
    ledger.append({
      type: "baseline-locked",
      commit: experiment.baseCommit,
      value: 100,
      medians: { value: 100 },
      robustCv: 0.01,
      acceptedNoise: false,
    });
    expect(phase()).toBe("baseline locked");
    ledger.append({ type: "run-started", agent: "tuner" });
    // a run that never stopped and whose process is gone
    expect(phase()).toBe("interrupted");
    expect(phase(true)).toBe("running");
    ledger.append({ type: "iteration-started", iteration: 1, best: experiment.baseCommit });
    ledger.append({ type: "planned", iteration: 1, strategy: "DIV=2", folder: "iter-001-div-2" });
    expect(phase()).toBe("interrupted");
    expect(phase(true)).toBe("running");
    const status = experimentStatus(NAME, experiment, ledger);
    expect(status.currentIteration).toBe(1);
    expect(formatStatus(status)).toContain("interrupted (iteration 1)");
    ledger.append({ type: "iteration-abandoned", iteration: 1, reason: "killed" });
    ledger.append({
      type: "stopped",
      reason: "interrupted by the user (Ctrl-C); run again to continue",
    });
    expect(phase()).toBe("stopped: interrupted by the user (Ctrl-C); run again to continue");
    ledger.append({ type: "run-started", agent: "tuner" });
    ledger.append({ type: "stopped", reason: "target reached" });
    expect(phase()).toBe("stopped: target reached");
    ledger.append({ type: "report-written", headline: 0.2 });
    expect(phase()).toBe("reported");
    // a later run makes it a running experiment again
    ledger.append({ type: "run-started", agent: "tuner" });
    expect(phase(true)).toBe("running");
  });

  it("says what a host-mode iteration waits for, and interrupted only for one cut short", () => {
    repo = new TempRepo();
    repo.commit("project", { "value.txt": "100\n" });
    const experiment = fixtureExperiment(repo);
    const ledger = emptyLedger();
    const phase = () => experimentStatus(NAME, experiment, ledger).phase;
    const commit = experiment.baseCommit;
    appendHostIterationOpened(ledger, commit);
    expect(phase()).toBe("waiting for plan");
    ledger.append({ type: "planned", iteration: 1, strategy: "halve", folder: "iter-001-halve" });
    expect(phase()).toBe("waiting for evaluate");
    const attempt = (n: number, ok: boolean) => {
      ledger.append({ type: "applied", iteration: 1, attempt: n, changedFiles: [], knobs: {} });
      ledger.append({ type: "checked", iteration: 1, violations: [] });
      ledger.append({ type: "tested", iteration: 1, attempt: n, ok });
    };
    // failed tests with retries left: the host is expected to fix and evaluate again
    attempt(1, false);
    expect(phase()).toBe("waiting for evaluate");
    expect(formatStatus(experimentStatus(NAME, experiment, ledger))).toContain(
      "waiting for evaluate (iteration 1)",
    );
    // an evaluation whose process is gone mid-way was cut short
    attempt(2, true);
    expect(phase()).toBe("interrupted");
    ledger.append({ type: "decided", iteration: 1, decision: "bench-failed", reason: "crashed" });
    ledger.append({
      type: "committed",
      iteration: 1,
      decision: "bench-failed",
      commits: ["a", "b"],
      best: commit,
    });
    expect(phase()).toBe("waiting for reflect");
    ledger.append({ type: "reflected", iteration: 1 });
    expect(phase()).toBe("waiting for next");
    expect(experimentStatus(NAME, experiment, ledger).decisions.benchFailed).toBe(1);
    // the autonomous loop's run left unfinished is interrupted, whatever it was doing
    ledger.append({ type: "run-started", agent: "patches" });
    expect(phase()).toBe("interrupted");
  });

  it("counts decisions and reports best, target, patience and cost", () => {
    repo = new TempRepo();
    const fixture = buildExperiment(repo);
    const status = experimentStatus(fixture.name, fixture.experiment, fixture.ledger);
    expect(status).toEqual<ExperimentStatus>({
      experiment: NAME,
      id: "exp-001",
      goal: "make the value smaller",
      branch: `auto-optimize/${NAME}`,
      metric: { name: "value", direction: "lower" },
      phase: "stopped: iteration budget spent (3)",
      currentIteration: null,
      iterations: { done: 3, budget: 10, left: 7 },
      decisions: { kept: 1, dropped: 1, runnerUp: 0, testFailed: 1, benchFailed: 0, rejected: 0 },
      baseline: { value: 100, commit: fixture.baseline },
      best: {
        value: 80,
        commit: fixture.best,
        iteration: 1,
        strategy: "halve the work",
        changeVsBaseline: expect.closeTo(-0.2, 10),
      },
      target: { value: 85, reached: true },
      withoutKeep: { count: 2, patience: 5 },
      cost: { usd: expect.closeTo(0.2, 10), tokens: 1500 },
      lastEvent: fixture.ledger.entries.at(-1)?.at ?? null,
    });
    const nothingKept = new TempRepo();
    try {
      const other = buildExperiment(nothingKept, { keep: false, stop: false });
      const s = experimentStatus(other.name, other.experiment, other.ledger);
      expect(s.best).toMatchObject({
        iteration: null,
        strategy: null,
        value: 100,
        changeVsBaseline: 0,
      });
      expect(s.target.reached).toBe(false);
      expect(s.withoutKeep.count).toBe(3);
      expect(s.phase).toBe("interrupted");
      expect(formatStatus(s)).toContain("the baseline (nothing kept yet)");
    } finally {
      nothingKept.remove();
    }
  });
});

describe("status command", () => {
  it("prints the status as text and as JSON with the same fields", async () => {
    repo = new TempRepo();
    const fixture = buildExperiment(repo);
    const json = await runCli(["status", "--json"], repo.dir);
    expect(json.stderr).toBe("");
    expect(json.code).toBe(0);
    const status = JSON.parse(json.stdout) as ExperimentStatus;
    expect(status).toMatchObject({
      experiment: NAME,
      phase: "stopped: iteration budget spent (3)",
      iterations: { done: 3, budget: 10, left: 7 },
      decisions: { kept: 1, dropped: 1, runnerUp: 0, testFailed: 1, benchFailed: 0, rejected: 0 },
      best: { value: 80, iteration: 1, strategy: "halve the work", commit: fixture.best },
      target: { value: 85, reached: true },
      withoutKeep: { count: 2, patience: 5 },
    });
    const text = await runCli(["status", "--experiment", "exp-001"], repo.dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`experiment  ${NAME} (branch auto-optimize/${NAME})`);
    expect(text.stdout).toContain("phase       stopped: iteration budget spent (3)");
    expect(text.stdout).toContain(
      "iterations  3 of 10 done, 7 left · 1 kept, 1 dropped, 1 test-failed, 0 bench-failed, 0 rejected",
    );
    expect(text.stdout).toContain(
      "best        80.00 value (-20.0% vs baseline), iteration 1: halve the work",
    );
    expect(text.stdout).toContain("target      85 (lower is better) — reached 🎯");
    expect(text.stdout).toContain("patience    2 of 5 iterations in a row without a keep");
    expect(text.stdout).toContain("cost        $0.20 (1500 tokens)");

    // after the report, and for a finished experiment whose branch is no longer checked out
    expect((await runCli(["report", "--no-remeasure"], repo.dir)).code).toBe(0);
    repo.git("checkout", "--quiet", "-b", "elsewhere");
    const reported = JSON.parse((await runCli(["status", "--json"], repo.dir)).stdout);
    expect(reported.phase).toBe("reported");
  });

  it("says running while the marked process lives and interrupted once it is gone", async () => {
    repo = new TempRepo();
    buildExperiment(repo, { stop: false });
    const gitDir = join(repo.dir, ".git");
    const phase = async () =>
      (JSON.parse((await runCli(["status", "--json"], repo.dir)).stdout) as ExperimentStatus).phase;
    expect(await phase()).toBe("interrupted");
    const release = acquireRunLock(gitDir, NAME);
    expect(isRunning(gitDir, NAME)).toBe(true);
    expect(await phase()).toBe("running");
    release();
    expect(isRunning(gitDir, NAME)).toBe(false);
    // a marker left by a process killed with -9: its pid is dead
    const dead = spawnSync(process.execPath, ["-e", ""]).pid as number;
    mkdirSync(join(gitDir, "auto-optimize"), { recursive: true });
    writeFileSync(runMarkerPath(gitDir, NAME), JSON.stringify({ pid: dead }));
    expect(isRunning(gitDir, NAME)).toBe(false);
    expect(await phase()).toBe("interrupted");
  });

  it("refuses an unknown experiment with exit code 2", async () => {
    repo = new TempRepo();
    buildExperiment(repo);
    const result = await runCli(["status", "--experiment", "exp-404"], repo.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no experiment named 'exp-404'");
  });
});
