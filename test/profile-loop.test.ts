import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { valueAnswers } from "./helpers/loop-repo.js";
import { TempRepo } from "./helpers/temp-repo.js";

/**
 * A Node.js project whose benchmark runs `hot()` and never `unused()`; it prints the exact number
 * in src/value.txt, so every comparison is decided at its first look.
 */
class ProfiledRepo extends TempRepo {
  readonly ideas: Record<"unused1" | "unused2" | "hot", string>;

  constructor() {
    super();
    const lib = (hotBody: string, unusedBody: string) =>
      [
        "function hot(n) {",
        "  let s = 0;",
        `  for (let i = 0; i < n; i++) s += ${hotBody};`,
        "  return s;",
        "}",
        "",
        "function unused(n) {",
        `  return ${unusedBody};`,
        "}",
        "",
        "module.exports = { hot, unused };",
        "",
      ].join("\n");
    this.commit("project", {
      "package.json": '{ "name": "p", "private": true, "type": "commonjs" }\n',
      "src/lib.js": lib("Math.sqrt(i) % 3", "n + 1"),
      "src/value.txt": "100\n",
      "bench.js":
        'const { hot } = require("./src/lib.js");\nhot(3e6);\nconsole.log("value=" + require("node:fs").readFileSync("src/value.txt", "utf8").trim());\n',
      "test/check.sh": "node -e 'require(\"./src/lib.js\")'\n",
    });
    const idea = (name: string, files: Record<string, string>) => {
      this.git("checkout", "--quiet", "-b", `idea-${name}`, "main");
      const commit = this.commit(name, files);
      this.git("checkout", "--quiet", "main");
      return commit;
    };
    this.ideas = {
      unused1: idea("unused1", { "src/lib.js": lib("Math.sqrt(i) % 3", "n + 2") }),
      unused2: idea("unused2", { "src/lib.js": lib("Math.sqrt(i) % 3", "n * 2") }),
      hot: idea("hot", { "src/lib.js": lib("i % 3", "n + 1"), "src/value.txt": "50\n" }),
    };
  }

  async init(): Promise<void> {
    const result = await runCli(
      ["init", ...valueAnswers({ test: "sh test/check.sh", bench: "node bench.js" })],
      this.dir,
    );
    expect(result.code, result.stderr).toBe(0);
  }

  experimentDir(): string {
    const name = this.git("branch", "--show-current").replace("auto-optimize/", "");
    return join(this.dir, "experiments", name);
  }

  /**
   * Turns on `profiling.rejectUnsampled` in experiment.json, in the plan commit itself (a commit
   * of its own on the experiment branch would be one the ledger does not account for).
   */
  rejectUnsampled(): void {
    const path = join(this.experimentDir(), "experiment.json");
    const experiment = JSON.parse(readFileSync(path, "utf8"));
    experiment.profiling = { rejectUnsampled: true };
    writeFileSync(path, `${JSON.stringify(experiment, null, 2)}\n`);
    this.git("commit", "--quiet", "--amend", "--no-edit", "--all");
  }

  run(ideas: (keyof ProfiledRepo["ideas"])[]) {
    return runCli(
      [
        "run",
        "--agent",
        "patches",
        "--revisions",
        ideas.map((i) => this.ideas[i]).join(","),
        "--no-report",
        "--accept-noise",
      ],
      this.dir,
    );
  }

  iterationFolder(n: number): string {
    const dir = join(this.experimentDir(), "iterations");
    const folder = readdirSync(dir).find((f) => f.startsWith(`iter-${String(n).padStart(3, "0")}`));
    if (!folder) throw new Error(`no folder for iteration ${n}`);
    return join(dir, folder);
  }
}

let repo: ProfiledRepo;
afterEach(() => repo?.remove());

describe("the loop profiles the best and checks that the benchmark runs the changed code", () => {
  it("writes the profile artifacts and flags an edit to a function without samples", async () => {
    repo = new ProfiledRepo();
    await repo.init();
    const result = await repo.run(["unused1"]);
    expect(result.code, result.stderr).toBe(0);
    const folder = repo.iterationFolder(1);
    const table = readFileSync(join(folder, "profile-snapshot.txt"), "utf8");
    expect(table).toMatch(/^node profile by v8-cpu-profiler/);
    expect(table).toMatch(/hot\s+src\/lib\.js:1/);
    // What the planner is handed: the scope's functions first, and the hot function's loop line.
    expect(table).toMatch(
      /\n— in the scope \(the files you may change\)[^\n]*\n\s+[\d.]+\s+[\d.]+\s+\d+\s+hot\s/,
    );
    expect(table).toMatch(
      /hot lines \(share of all samples\):\n {2}hot \(src\/lib\.js:1\)\n\s+[\d.]+% {2}src\/lib\.js:3 {2}for \(let i = 0;/,
    );
    const speedscope = JSON.parse(readFileSync(join(folder, "profile.speedscope.json"), "utf8"));
    expect(speedscope.$schema).toBe("https://www.speedscope.app/file-format-schema.json");
    const summary = readFileSync(join(folder, "summary.md"), "utf8");
    expect(summary).toMatch(/The benchmark does not run this code/);
    expect(summary).toMatch(/- src\/lib\.js: unused/);
    const record = JSON.parse(readFileSync(join(folder, "result.json"), "utf8"));
    expect(record.unsampledFunctions).toEqual(["src/lib.js: unused"]);
    expect(record.decision).toBe("drop"); // measured as usual: the option is off by default
    expect(existsSync(join(folder, "disasm-snapshot.txt"))).toBe(false);
  });

  it("rejects such edits when configured, and disassembles after two iterations without a keep", async () => {
    repo = new ProfiledRepo();
    await repo.init();
    repo.rejectUnsampled();
    const result = await repo.run(["unused1", "unused2", "hot"]);
    expect(result.code, result.stderr).toBe(0);
    const reasons = readFileSync(join(repo.experimentDir(), "ledger.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === "decided");
    expect(reasons.map((e) => e.decision)).toEqual(["rejected", "rejected", "keep"]);
    expect(reasons[0].reason).toMatch(
      /the benchmark does not run the changed code.*src\/lib\.js: unused/,
    );
    const third = repo.iterationFolder(3);
    const disasm = readFileSync(join(third, "disasm-snapshot.txt"), "utf8");
    expect(disasm).toMatch(/^hot \(node, v8 --print-bytecode/);
    expect(disasm).toMatch(/loop at bytecode/);
    expect(JSON.parse(readFileSync(join(third, "result.json"), "utf8")).unsampledFunctions).toBe(
      undefined,
    );
  });
});
