import { afterAll, describe, expect, it } from "vitest";
import {
  explainMissingFiles,
  filesMissingFromCheckout,
  pathWordsIn,
} from "../src/workspace/command-paths.js";
import { runCli } from "./helpers/cli.js";
import { TempRepo } from "./helpers/temp-repo.js";

const repos: TempRepo[] = [];
afterAll(() => {
  for (const repo of repos) repo.remove();
});

function repoWith(files: Record<string, string>): TempRepo {
  const repo = new TempRepo();
  repos.push(repo);
  repo.commit("project", files);
  return repo;
}

const ANSWERS = [
  "--goal",
  "cut parse() latency",
  "--scope",
  "src/**",
  "--metric",
  "ms",
  "--direction",
  "lower",
  "--target",
  "8",
  "--threshold",
  "2%",
];

const noAutoOptimizeLeft = (repo: TempRepo) => {
  expect(repo.worktreeCount()).toBe(1);
  expect(repo.git("branch", "--list", "auto-optimize/*")).toBe("");
};

describe("the paths a command names", () => {
  it("are its words, unquoted, after '=' and without './'", () => {
    expect(pathWordsIn(`node ./bench/x.mjs --input='data/in.json' && ./run.sh`)).toEqual(
      expect.arrayContaining(["bench/x.mjs", "data/in.json", "run.sh", "node"]),
    );
  });

  it("are missing from a checkout when the tree has them untracked or ignored, not when tracked", async () => {
    const tree = repoWith({ ".gitignore": "secret.txt\n", "tracked.js": "1\n" });
    tree.write({ "bench/x.mjs": "1\n", "secret.txt": "2\n" });
    const checkout = repoWith({ "tracked.js": "1\n" });
    const missing = await filesMissingFromCheckout(
      ["node ./bench/x.mjs secret.txt tracked.js", "cat no-such-file /etc/hostname"],
      tree.dir,
      checkout.dir,
    );
    expect(missing).toEqual([
      { path: "bench/x.mjs", status: "untracked" },
      { path: "secret.txt", status: "ignored" },
    ]);
    expect(explainMissingFiles(missing, "the benchmark command")).toContain(
      "git add -f secret.txt",
    );
  });
});

describe("init refuses commands that need files git does not track (exit 2)", () => {
  it("a bench script that is untracked, naming it and how to fix it", async () => {
    const repo = repoWith({ "src/parse.js": "1\n", "t.js": "console.log('ok')\n" });
    repo.write({ "bench/append.mjs": "console.log('ms: 12')\n" });
    const result = await runCli(
      ["init", ...ANSWERS, "--test", "node t.js", "--bench", "node bench/append.mjs"],
      repo.dir,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "bench/append.mjs, which the test, bench, build or check command names, is not tracked by git (untracked)",
    );
    expect(result.stderr).toContain("git add bench/append.mjs && git commit");
    noAutoOptimizeLeft(repo);
  });

  it("a test harness requiring an ignored root file: passes in the tree, fails in a fresh checkout, names the file", async () => {
    // semver's case: a `/*` .gitignore leaves the root map.js, which the tests require, untracked.
    const repo = repoWith({
      ".gitignore": "/*\n!src/\n!test/\n!bench.js\n!.gitignore\n",
      "src/parse.js": "1\n",
      "test/run.js": "const map = require('../map.js');\nconsole.log('ok', map.size);\n",
      "bench.js": "console.log('ms: 12');\n",
    });
    repo.write({ "map.js": "module.exports = { size: 3 };\n", "notes.txt": "x".repeat(5000) });
    const result = await runCli(
      ["init", ...ANSWERS, "--test", "node test/run.js", "--bench", "node bench.js"],
      repo.dir,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "the dry-run passed in your working tree but failed in a fresh checkout of HEAD",
    );
    // Named in the failure output, so ahead of the larger notes.txt.
    expect(result.stderr).toMatch(
      /likeliest first:\n {2}- map\.js \(ignored, 30 B\)\n {2}- notes\.txt/,
    );
    expect(result.stderr).toContain("Cannot find module '../map.js'");
    noAutoOptimizeLeft(repo);
  });
});

describe("compare", () => {
  it("with an untracked bench script: the one-line explanation before the failure, exit 2", async () => {
    const repo = repoWith({ "src/a.js": "1\n" });
    repo.commit("b", { "src/a.js": "2\n" });
    repo.write({ "bench/append.mjs": "console.log('ms: 12')\n" });
    const result = await runCli(
      ["compare", "HEAD~1", "HEAD", "--bench", "node bench/append.mjs"],
      repo.dir,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "auto-optimize: bench/append.mjs, which the benchmark command names, is not tracked by git (untracked), so the checkouts of commits that auto-optimize measures lack it: commit it (git add bench/append.mjs && git commit), then run again.\n",
    );
    // Then the failure itself, for the record.
    expect(result.stderr).toContain("Cannot find module");
    expect(repo.worktreeCount()).toBe(1);
  });
});
