import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AutoOptimizeError } from "../src/errors.js";
import { Ledger } from "../src/experiment/ledger.js";
import { unprotectedInScope } from "../src/experiment/protected-files.js";
import { DEFAULT_PROTECT, parseThreshold } from "../src/experiment/validate-answers.js";
import { requireRecorded } from "../src/loop/host/require-recorded.js";
import type { HostSession } from "../src/loop/host/session.js";
import {
  appendHostIterationOpened,
  fixtureExperiment,
  NAME,
  RELATIVE_DIR,
} from "./helpers/experiment-fixture.js";
import { TempRepo } from "./helpers/temp-repo.js";

let repo: TempRepo;
afterEach(() => repo?.remove());

describe("messages on bad input (issue 13, item 20)", () => {
  it("refuses a threshold below what a measurement can resolve, saying what to give", () => {
    expect(parseThreshold("1e-9")).toEqual({
      problem: expect.stringMatching(
        /^the threshold 1e-9 is below 0\.1%, finer than any comparison here can resolve .*: give 0\.1% or more, e\.g\. 1%, or 0 to let the noise floor alone set the bar; give the smallest gain/,
      ),
    });
    expect(parseThreshold("0")).toBe(0);
    expect(parseThreshold("-5%")).toEqual({
      problem: expect.stringMatching(/^the threshold -5% is negative; give the smallest gain/),
    });
    expect(parseThreshold("0.1%")).toBe(0.001);
  });

  it("warns of no file as unprotected that a protected glob covers, whatever the scope", () => {
    const named = ["bench/bench.js", "src/fixture.js", "lib/data.json"];
    expect(unprotectedInScope(named, ["**"], DEFAULT_PROTECT)).toEqual([
      "src/fixture.js",
      "lib/data.json",
    ]);
    expect(unprotectedInScope(named, ["src/**"], DEFAULT_PROTECT)).toEqual(["src/fixture.js"]);
  });

  it("names the missing result.json of a committed iteration, the disagreement and the command that restores it", () => {
    repo = new TempRepo();
    repo.commit("project", { "value.txt": "100\n" });
    const experiment = fixtureExperiment(repo);
    const dir = join(repo.dir, RELATIVE_DIR);
    mkdirSync(dir, { recursive: true });
    const ledger = Ledger.open(join(dir, "ledger.jsonl"));
    const commit = experiment.baseCommit;
    const folder = "iter-001-halve";
    appendHostIterationOpened(ledger, commit);
    ledger.append({ type: "planned", iteration: 1, strategy: "halve", folder });
    ledger.append({ type: "decided", iteration: 1, decision: "drop", reason: "slower" });
    ledger.append({
      type: "committed",
      iteration: 1,
      decision: "drop",
      commits: ["a1b2c3d4e5f6a7b8", "f0"],
      best: commit,
    });
    const session = {
      root: repo.dir,
      opened: { name: NAME, dir, path: RELATIVE_DIR, experiment, ledger },
    } as unknown as HostSession;
    let error: unknown;
    try {
      requireRecorded(session);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AutoOptimizeError);
    expect((error as AutoOptimizeError).code).toBe("missing-iteration-record");
    expect((error as Error).message).toBe(
      `${RELATIVE_DIR}/iterations/${folder}/result.json is missing, but the ledger says iteration 1 was committed (drop): the experiment folder and its ledger disagree. Restore the iteration's folder as it was committed — git checkout a1b2c3d4e5f6 -- ${RELATIVE_DIR}/iterations/${folder} — and run the step again; leave the experiment folder to auto-optimize.`,
    );
    mkdirSync(join(dir, "iterations", folder), { recursive: true });
    writeFileSync(join(dir, "iterations", folder, "result.json"), "{}\n");
    expect(() => requireRecorded(session)).not.toThrow();
  });
});
