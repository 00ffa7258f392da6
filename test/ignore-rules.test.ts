import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { HostRepo } from "./helpers/host.js";

let repo: HostRepo;
afterEach(() => repo?.remove());

// npm's own packages (semver among them) ignore everything and list exceptions.
const IGNORE_ALL = "/*\n!/.gitignore\n!/src/\n!/test/\n!/README.md\n";

describe("the tool's files are committed whatever the user's ignore rules say (issue 13, item 1)", () => {
  it("init, baseline, a host iteration and the report commit the experiment folder under a `/*` .gitignore, which stays as it was", async () => {
    repo = new HostRepo();
    repo.commit("ignore all but the listed", { ".gitignore": IGNORE_ALL });
    await repo.start();
    const evaluated = await repo.iteration(1, { "src/value.txt": "80\n" });
    expect(evaluated.decision).toBe("keep");
    await repo.ok(repo.reflectArgs());
    const report = await runCli(["report", "--no-remeasure"], repo.dir);
    expect(report.code, report.stderr).toBe(0);

    const folder = `experiments/${repo.experimentDir().split("/").at(-1)}`;
    const tracked = repo.git("ls-files", "--", folder).split("\n");
    for (const file of [
      "experiment.json",
      "protected.json",
      "ledger.jsonl",
      "leaderboard.md",
      "baseline/result.json",
      "final-report.md",
    ]) {
      expect(tracked, file).toContain(`${folder}/${file}`);
    }
    const iteration = tracked.filter((f) => f.startsWith(`${folder}/iterations/`));
    expect(iteration.map((f) => f.split("/").at(-1))).toEqual(
      expect.arrayContaining(["plan.json", "summary.md", "result.json", "reflexion.md"]),
    );
    // Nothing of the experiment is left uncommitted, not even among the ignored files.
    expect(repo.git("status", "--porcelain", "--ignored", "--", folder)).toBe("");
    expect(readFileSync(join(repo.dir, ".gitignore"), "utf8")).toBe(IGNORE_ALL);
  });
});
