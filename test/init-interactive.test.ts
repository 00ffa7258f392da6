import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, runCli } from "./helpers/cli.js";
import { valueAnswers } from "./helpers/loop-repo.js";
import { TempRepo } from "./helpers/temp-repo.js";

const PTY = fileURLToPath(new URL("./helpers/pty-answer.py", import.meta.url));
const hasPython = (() => {
  try {
    execFileSync("python3", ["-c", "import pty"]);
    return true;
  } catch {
    return false;
  }
})();

let repo: TempRepo;
afterEach(() => repo?.remove());

/** An experiment created with flags, left unfinished, and main checked out again. */
async function unfinishedExperiment(): Promise<void> {
  repo = new TempRepo();
  repo.commit("project", { "src/value.txt": "100\n", "check.sh": "true\n" });
  const created = await runCli(
    ["init", ...valueAnswers({ test: "sh check.sh", bench: "cat src/value.txt" })],
    repo.dir,
  );
  expect(created.code, created.stderr).toBe(0);
  repo.git("checkout", "--quiet", "main");
}

/** Answers init's prompts in a real pseudo-terminal; returns the transcript without colours. */
function answer(script: [string, string][]): string {
  const file = join(repo.dir, "..", `${repo.dir.split("/").pop()}-script.json`);
  writeFileSync(file, JSON.stringify(script));
  const out = execFileSync("python3", [PTY, repo.dir, file, "--", process.execPath, CLI, "init"], {
    encoding: "utf8",
    env: { ...process.env, PTY_TIMEOUT: "60" },
  });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are what is removed
  return out.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, "");
}

describe.skipIf(!hasPython)("init in a terminal", () => {
  it("asks in two batches, refuses a vague target inline, and creates the experiment", () => {
    repo = new TempRepo();
    repo.commit("project", { "src/value.txt": "100\n", "check.sh": "true\n" });
    const transcript = answer([
      ["Goal", "make value smaller\r"],
      ["Scope", "src/**\r"],
      ["Metric", "value\r"],
      ["Which way", "\r"],
      ["Target", "as fast as possible\r"],
      ["is vague", "\u0015"],
      ["Target", "50\r"],
      ["Threshold", "2%\r"],
      ["Iteration budget", "\u00154\r"],
      ["Regression test", "sh check.sh\r"],
      ["Benchmark command", "cat src/value.txt\r"],
      ["Build command", "\r"],
      ["Behaviour check", "cat src/value.txt\r"],
      ["protect", "\r"],
    ]);
    expect(transcript).toContain("[exit 0; answered 14/14]");
    expect(transcript).toContain("1/2");
    expect(transcript).toContain("2/2");
    expect(transcript).toMatch(/the target "as fast as possible" is vague/);
    const experiment = JSON.parse(
      readFileSync(
        join(repo.dir, "experiments", "exp-001-make-value-smaller", "experiment.json"),
        "utf8",
      ),
    );
    expect(experiment).toMatchObject({
      goal: "make value smaller",
      scope: ["src/**"],
      metric: { name: "value", direction: "lower" },
      target: 50,
      threshold: 0.02,
      iterations: 4,
      commands: { test: "sh check.sh", bench: "cat src/value.txt", check: "cat src/value.txt" },
    });
    expect(repo.git("branch", "--show-current")).toBe("auto-optimize/exp-001-make-value-smaller");
  });

  it("offers to continue an unfinished experiment: continuing switches to its branch and says what is next", async () => {
    await unfinishedExperiment();
    const transcript = answer([["What now?", "\r"]]);
    expect(transcript).toContain("[exit 0; answered 1/1]");
    expect(transcript).toMatch(
      /Experiment exp-001-make-value-smaller is not finished \(no baseline yet\)/,
    );
    expect(transcript).toContain(
      "Continuing exp-001-make-value-smaller on branch auto-optimize/exp-001-make-value-smaller.",
    );
    expect(transcript).toContain("Next: auto-optimize baseline");
    expect(repo.git("branch", "--show-current")).toBe("auto-optimize/exp-001-make-value-smaller");
    expect(repo.git("branch", "--list", "auto-optimize/*").split("\n")).toHaveLength(1);
  });

  it("or starts a new experiment from the current HEAD, numbered after the unfinished one", async () => {
    await unfinishedExperiment();
    const transcript = answer([
      ["What now?", "\u001b[B"],
      ["Start a new experiment", "\r"],
      ["Goal", "make value even smaller\r"],
      ["Scope", "src/**\r"],
      ["Metric", "value\r"],
      ["Which way", "\r"],
      ["Target", "20\r"],
      ["Threshold", "2%\r"],
      ["Iteration budget", "\r"],
      ["Regression test", "sh check.sh\r"],
      ["Benchmark command", "cat src/value.txt\r"],
      ["Build command", "\r"],
      ["Behaviour check", "\r"],
      ["protect", "\r"],
    ]);
    expect(transcript).toContain("[exit 0; answered 14/14]");
    expect(repo.git("branch", "--show-current")).toBe(
      "auto-optimize/exp-002-make-value-even-smaller",
    );
    // the new experiment starts from main, not from the unfinished one's branch
    expect(repo.git("rev-parse", "HEAD~1")).toBe(repo.git("rev-parse", "main"));
  });
});
