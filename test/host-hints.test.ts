import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Ledger } from "../src/experiment/ledger.js";
import { deriveState } from "../src/experiment/state.js";
import { continuationLine } from "../src/loop/continuation.js";
import { hostPosition, requireStep } from "../src/loop/host/protocol.js";
import { experimentStatus } from "../src/loop/status.js";
import { continueAdvice } from "../src/loop/stop-advice.js";
import { stopKind, stopReason } from "../src/loop/stop-reason.js";
import {
  appendHostIterationOpened,
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

/** A host-mode experiment whose iteration 1 was kept at 80, reaching the target of 85. */
function targetReachedByHost(options: { reflected: boolean }) {
  repo = new TempRepo();
  repo.commit("project", { "value.txt": "100\n" });
  const experiment = fixtureExperiment(repo);
  const folder = mkdtempSync(join(tmpdir(), "auto-optimize-hints-"));
  folders.push(folder);
  const ledger = Ledger.open(join(folder, "ledger.jsonl"));
  const commit = experiment.baseCommit;
  appendHostIterationOpened(ledger, commit);
  ledger.append({ type: "planned", iteration: 1, strategy: "halve", folder: "iter-001-halve" });
  ledger.append({
    type: "measured",
    iteration: 1,
    verdict: "improved",
    improvement: 0.2,
    ci: [0.19, 0.21],
    rounds: 4,
    value: 80,
    bestValue: 100,
  });
  ledger.append({ type: "decided", iteration: 1, decision: "keep", reason: "faster" });
  ledger.append({ type: "committed", iteration: 1, decision: "keep", commits: ["c1"], best: "c1" });
  if (options.reflected) ledger.append({ type: "reflected", iteration: 1 });
  return { experiment, ledger };
}

describe("a stop says why and how to go on deliberately, in the mode's own words (issue 13, item 3)", () => {
  it("knows the kind of every reason stopReason writes", () => {
    expect(stopKind("target reached: value 80 (target 85)")).toBe("target");
    expect(stopKind("iteration budget spent (6)")).toBe("budget");
    expect(stopKind("3 iterations in a row without a keep (patience 3)")).toBe("patience");
    expect(stopKind("time budget spent (30 min)")).toBe("time");
    expect(stopKind("cost budget spent ($1.20 of $1)")).toBe("cost");
    expect(stopKind("interrupted by the user (Ctrl-C); run again to continue")).toBe("other");
  });

  it("names the flag of the mode that drives: run, step next or the next_iteration tool", () => {
    const target = "target reached: value 80 (target 85)";
    expect(continueAdvice(target, "run")).toMatch(/`auto-optimize run --continue-after-target`/);
    expect(continueAdvice(target, "cli")).toMatch(
      /`auto-optimize step next --continue-after-target`/,
    );
    expect(continueAdvice(target, "cli")).not.toMatch(/auto-optimize run/);
    expect(continueAdvice(target, "mcp")).toMatch(/next_iteration tool with continueAfterTarget/);
    expect(continueAdvice(target, "mcp")).toMatch(/init --new --target/);
    // Host mode has no flag for a larger budget: it says so instead of naming one.
    expect(continueAdvice("iteration budget spent (6)", "cli")).toMatch(/host mode stops at/);
  });

  it("the report of a host-mode experiment that reached its target says it stopped, not that `run` continues", () => {
    const { experiment, ledger } = targetReachedByHost({ reflected: true });
    const line = continuationLine(experiment, deriveState(experiment, ledger), ledger.entries);
    expect(line).toMatch(
      /^- No further iteration starts: target reached: value 80 \(target 85\)\. To go on/,
    );
    expect(line).toMatch(/step next --continue-after-target/);
    expect(line).not.toMatch(/`auto-optimize run` continues/);
  });
});

describe("one expected step once the experiment stops (issue 13, item 4)", () => {
  it("expects the report (and says so in the phase) once the target is reached and reflected", () => {
    const { experiment, ledger } = targetReachedByHost({ reflected: false });
    expect(hostPosition(experiment, ledger).expected).toBe("reflect");
    ledger.append({ type: "reflected", iteration: 1 });
    const position = hostPosition(experiment, ledger);
    expect(position).toMatchObject({
      expected: "report",
      stop: stopReason(experiment, deriveState(experiment, ledger)),
    });
    expect(experimentStatus(NAME, experiment, ledger).phase).toBe("waiting for report");
    // `next` stays allowed (it records the stop, or goes past the target when asked) …
    expect(() => requireStep(position, "next", "cli")).not.toThrow();
    // … a plan is refused with the stop and the way to go on.
    expect(() => requireStep(position, "plan", "cli")).toThrow(
      /no iteration is open and none starts: stop iterating \(target reached.*`auto-optimize report`.*--continue-after-target/,
    );
    ledger.append({ type: "stopped", reason: position.stop as string });
    expect(experimentStatus(NAME, experiment, ledger).phase).toBe(
      "stopped: target reached: value 80 (target 85)",
    );
  });
});
