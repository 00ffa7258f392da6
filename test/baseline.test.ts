import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { BaselineResult } from "../src/experiment/baseline-summary.js";
import { Ledger } from "../src/experiment/ledger.js";
import { Experiment } from "../src/experiment/schema.js";
import { runCli } from "./helpers/cli.js";
import { TempRepo } from "./helpers/temp-repo.js";

const repos: TempRepo[] = [];
afterAll(() => {
  for (const repo of repos) repo.remove();
});

const NAME = "exp-001-cut-parse-latency";
const PATH = `experiments/${NAME}`;

/** A repository with a committed experiment whose benchmark is `bench`. */
async function experiment(
  bench: string,
  files: Record<string, string> = {},
  initFlags: string[] = [],
): Promise<TempRepo> {
  const repo = new TempRepo();
  repos.push(repo);
  repo.commit("project", {
    "src/parse.js": "export const parse = (s) => s.split(',');\n",
    "test/parse.test.js": "console.log('ok');\n",
    "value.txt": "ms: 12\nrss_mb: 30\n",
    ...files,
  });
  const init = await runCli(
    [
      "init",
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
      "--test",
      "node test/parse.test.js",
      "--bench",
      bench,
      ...initFlags,
    ],
    repo.dir,
  );
  expect(init.stderr).not.toContain("auto-optimize:");
  expect(init.code).toBe(0);
  return repo;
}

const read = (repo: TempRepo, file: string) => readFileSync(join(repo.dir, PATH, file), "utf8");
const ledger = (repo: TempRepo) => Ledger.open(join(repo.dir, PATH, "ledger.jsonl")).entries;

describe("baseline", () => {
  it("measures, writes result.json, result.txt and env-snapshot.txt, and commits them", async () => {
    const repo = await experiment("cat value.txt");
    const plan = repo.git("rev-parse", "HEAD");
    const result = await runCli(["baseline", "--runs", "3"], repo.dir);
    expect(result.stderr).not.toContain("auto-optimize:");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("ms (lower is better): 12.000");
    expect(result.stdout).toContain("robust CV 0.00% (limit 5.00%)");
    expect(result.stdout).toContain("target 8: not reached yet");
    expect(result.stdout).toContain("experiment(exp-001): baseline");
    // Both modes are named: nothing here says whether a host agent drives (issue 13, item 2).
    expect(result.stdout).toMatch(/Next: `auto-optimize run`.*`auto-optimize step next`/);

    expect(repo.git("log", "-1", "--format=%s")).toBe("experiment(exp-001): baseline");
    expect(repo.git("rev-parse", "HEAD~1")).toBe(plan);
    expect(repo.git("status", "--porcelain")).toBe("");
    expect(repo.git("show", "--name-only", "--format=", "HEAD").split("\n").sort()).toEqual([
      `${PATH}/baseline/env-snapshot.txt`,
      `${PATH}/baseline/invariants.json`,
      `${PATH}/baseline/result.json`,
      `${PATH}/baseline/result.txt`,
      `${PATH}/ledger.jsonl`,
    ]);

    const json = JSON.parse(read(repo, "baseline/result.json")) as BaselineResult;
    expect(json).toMatchObject({
      experiment: NAME,
      commit: plan,
      command: "cat value.txt",
      metric: {
        name: "ms",
        direction: "lower",
        value: 12,
        ci: [12, 12],
        robustCv: 0,
        noiseFloor: 0,
      },
      runs: 3,
      extraRuns: 0,
      noisy: false,
      acceptedNoise: false,
    });
    expect(json.scenarios.map((s) => [s.name, s.median])).toEqual([
      ["ms", 12],
      ["rss_mb", 30],
    ]);
    expect(json.samples).toHaveLength(3);
    expect(json.samples[0]?.metrics).toEqual({ ms: 12, rss_mb: 30 });
    expect(json.environment.cpuCount).toBeGreaterThan(0);
    expect(read(repo, "baseline/result.txt")).toContain("other scenarios:\n  rss_mb");
    expect(read(repo, "baseline/env-snapshot.txt")).toMatch(/^timestamp: .*\ncpus: /ms);

    expect(ledger(repo).map((e) => e.type)).toEqual(["experiment-created", "baseline-locked"]);
    expect(ledger(repo)[1]).toMatchObject({
      type: "baseline-locked",
      commit: plan,
      value: 12,
      medians: { ms: 12, rss_mb: 30 },
      robustCv: 0,
      acceptedNoise: false,
    });
  });

  it("refuses a second baseline unless forced", async () => {
    const repo = await experiment("cat value.txt");
    expect((await runCli(["baseline", "--runs", "3"], repo.dir)).code).toBe(0);
    const head = repo.git("rev-parse", "HEAD");
    const again = await runCli(["baseline", "--runs", "3"], repo.dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /the baseline of exp-001-cut-parse-latency is already locked \(ms = 12 at [0-9a-f]{12}, .*\): pass --force/,
    );
    expect(repo.git("rev-parse", "HEAD")).toBe(head);

    const forced = await runCli(["baseline", "--runs", "3", "--force", "--json"], repo.dir);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({
      id: "exp-001",
      result: { metric: { value: 12 } },
    });
    expect(repo.git("rev-parse", "HEAD~1")).toBe(head);
    expect(ledger(repo).map((e) => e.type)).toEqual([
      "experiment-created",
      "baseline-locked",
      "baseline-locked",
    ]);
  });

  it("refuses a noisy baseline with its likely causes, then locks its runs with --accept-noise", async () => {
    // Alternates 80 and 120 from run to run: the counter lives outside the repository, state
    // carried between runs that only an unconfined run can keep (a sandbox's /tmp is private).
    const counter = join(mkdtempSync(join(tmpdir(), "noisy-")), "count");
    writeFileSync(counter, "0");
    const bench = `n=$(cat ${counter}); echo $((n+1)) > ${counter}; if [ $((n % 2)) -eq 0 ]; then echo "ms: 80"; else echo "ms: 120"; fi`;
    const repo = await experiment(bench, {}, ["--unconfined"]);
    const plan = repo.git("rev-parse", "HEAD");

    const benchRuns = () => Number(readFileSync(counter, "utf8"));
    const beforeBaseline = benchRuns();
    const refused = await runCli(["baseline", "--runs", "4"], repo.dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("gathering 8 more runs");
    expect(refused.stderr).toMatch(
      /the baseline is too noisy to lock: the robust CV of ms is \d+\.\d% over 12 runs \(limit 5%\), still after gathering 8 more runs/,
    );
    expect(refused.stderr).toContain("Likely causes:\n  - ");
    expect(refused.stderr).toContain("auto-optimize baseline --accept-noise");
    expect(repo.git("rev-parse", "HEAD")).toBe(plan);
    expect(existsSync(join(repo.dir, PATH, "baseline"))).toBe(false);
    expect(ledger(repo).map((e) => e.type)).toEqual(["experiment-created"]);

    // A warm-up and 4 runs, then a warm-up and 8 more.
    expect(benchRuns() - beforeBaseline).toBe(14);

    const accepted = await runCli(["baseline", "--runs", "4", "--accept-noise"], repo.dir);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain("NOISY, accepted with --accept-noise");
    expect(accepted.stdout).toContain(
      "These are the 12 runs the refused baseline gathered: nothing was measured again",
    );
    expect(benchRuns() - beforeBaseline).toBe(14);
    expect(repo.git("log", "-1", "--format=%s")).toBe("experiment(exp-001): baseline");
    expect(repo.git("status", "--porcelain")).toBe("");
    const saved = Experiment.parse(JSON.parse(read(repo, "experiment.json")));
    expect(saved.acceptedNoise?.robustCv).toBeGreaterThan(0.05);
    expect(Array.isArray(saved.acceptedNoise?.causes)).toBe(true);
    expect(read(repo, "experiment-plan.md")).toContain("Accepted with `--accept-noise`: robust CV");
    const json = JSON.parse(read(repo, "baseline/result.json")) as BaselineResult;
    expect(json).toMatchObject({ runs: 12, extraRuns: 8, noisy: true, acceptedNoise: true });
    expect(json.metric.value).toBe(100);
    expect(ledger(repo).at(-1)).toMatchObject({ type: "baseline-locked", acceptedNoise: true });

    // Refused again; --fresh measures anew instead of locking those runs.
    expect((await runCli(["baseline", "--runs", "4", "--force"], repo.dir)).code).toBe(1);
    expect(benchRuns() - beforeBaseline).toBe(28);
    const fresh = await runCli(
      ["baseline", "--runs", "4", "--force", "--accept-noise", "--fresh"],
      repo.dir,
    );
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).not.toContain("nothing was measured again");
    expect(benchRuns() - beforeBaseline).toBe(42);
  });

  it("runs on the experiment's branch only, from a clean tree", async () => {
    const repo = await experiment("cat value.txt");
    writeFileSync(join(repo.dir, "src/parse.js"), "// changed\n");
    const dirty = await runCli(["baseline", "--runs", "3"], repo.dir);
    expect(dirty.code).toBe(2);
    expect(dirty.stderr).toContain("uncommitted changes (src/parse.js)");
    repo.git("checkout", "--", "src/parse.js");

    repo.git("checkout", "--quiet", "main");
    const elsewhere = await runCli(
      ["baseline", "--experiment", "exp-001", "--runs", "3"],
      repo.dir,
    );
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain(
      `lives on branch auto-optimize/${NAME}, which is not checked out: run git checkout auto-optimize/${NAME} first`,
    );
    const none = await runCli(["baseline", "--runs", "3"], repo.dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`unfinished experiments live on branches auto-optimize/${NAME}`);
  });

  it("refuses when a protected file changed since init", async () => {
    const repo = await experiment("cat value.txt");
    // Amended into the plan commit: a commit of its own would be refused as made outside the tool.
    repo.write({ "test/parse.test.js": "console.log('weakened');\n" });
    repo.git("commit", "--quiet", "--amend", "--no-edit", "--all");
    const result = await runCli(["baseline", "--runs", "3"], repo.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("protected file test/parse.test.js was modified");
  });

  it("refuses a damaged protected.json, naming the file and how to restore it", async () => {
    const repo = await experiment("cat value.txt");
    const file = join(repo.dir, PATH, "protected.json");
    writeFileSync(file, '{"test/parse.test.js": "not a hash"}\n');
    const result = await runCli(["baseline", "--runs", "3"], repo.dir);
    expect(result.code).toBe(2);
    // The committed protected.json is the one source of the hashes: a working copy that differs
    // is refused, never read.
    expect(result.stderr).toContain(
      `${PATH}/protected.json changed in the working tree, but the experiment's definition is fixed at init: restore it (git checkout HEAD -- ${PATH}/protected.json)`,
    );
    writeFileSync(file, '{"test/parse.test.js": ');
    const torn = await runCli(["baseline", "--runs", "3"], repo.dir);
    expect(torn.code).toBe(2);
    expect(torn.stderr).toContain(`${PATH}/protected.json changed in the working tree`);
    // Damaged and committed: the committed copy is read, and its damage named.
    writeFileSync(file, '{"test/parse.test.js": "not a hash"}\n');
    repo.git("commit", "--quiet", "--amend", "--no-edit", "--all");
    const committed = await runCli(["baseline", "--runs", "3"], repo.dir);
    expect(committed.code).toBe(2);
    expect(committed.stderr).toContain(
      `HEAD:${PATH}/protected.json does not have the expected fields: test/parse.test.js`,
    );
    expect(ledger(repo).some((e) => e.type === "baseline-locked")).toBe(false);
  });
});
