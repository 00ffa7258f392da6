import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type CliResult, runCli } from "./helpers/cli.js";
import { HostRepo, valuePlan } from "./helpers/host.js";
import { LoopRepo, valueAnswers } from "./helpers/loop-repo.js";

/**
 * What the candidate is, exactly: files hidden by ignore rules it wrote, symlinks leaving the
 * scope, and files swapped between the check and the end of the measurement are all its edits —
 * the loop (patches agent) and host mode (`step evaluate`) reject them, and the honest change of
 * the same project is still kept.
 */

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function loopRepo(): LoopRepo {
  const repo = new LoopRepo();
  cleanups.push(() => repo.remove());
  return repo;
}

/** An idea committed on a side branch from main with `change` applied to the working tree. */
function idea(repo: LoopRepo, name: string, change: () => void): string {
  repo.git("checkout", "--quiet", "-b", `idea-${name}`, "main");
  change();
  repo.git("add", "-A", "-f");
  repo.git("commit", "--quiet", "-m", name);
  const commit = repo.git("rev-parse", "HEAD");
  repo.git("checkout", "--quiet", "main");
  return commit;
}

async function runIdeas(repo: LoopRepo, revisions: string[]): Promise<CliResult> {
  const run = await runCli(
    ["run", "--agent", "patches", "--revisions", revisions.join(","), "--no-report"],
    repo.dir,
  );
  expect(run.stderr).not.toMatch(/unexpected failure/);
  return run;
}

function reasons(repo: LoopRepo): string[] {
  return repo.ledger().flatMap((e) => (e.type === "decided" ? [e.reason] : []));
}

describe("the loop: what the candidate is", () => {
  it("rejects a file hidden by a self-ignoring .gitignore, leaves none of it, keeps the honest change", async () => {
    const repo = loopRepo();
    const hidden = idea(repo, "hide", () =>
      repo.write({
        ".gitignore": "/.gitignore\n/lib/\n",
        "lib/fast.txt": "the real code\n",
        "src/value.txt": "80\n",
      }),
    );
    expect((await repo.init()).code).toBe(0);
    const run = await runIdeas(repo, [hidden, repo.ideas.keep]);
    expect(run.code, run.stderr).toBe(0);
    expect(repo.decisions()).toEqual(["1:rejected", "2:keep"]);
    const [first] = reasons(repo);
    expect(first).toContain("lib/fast.txt is outside the scope");
    expect(first).toContain(".gitignore changes which files git ignores");
    // Nothing of it in the tree or in the best's code; the attempt commit recorded it all.
    expect(existsSync(join(repo.dir, ".gitignore"))).toBe(false);
    expect(existsSync(join(repo.dir, "lib"))).toBe(false);
    expect(repo.git("ls-tree", "-r", "--name-only", "HEAD", "--", "lib", ".gitignore")).toBe("");
    expect(repo.file("src/value.txt")).toBe("80\n");
    const attempt = repo.ledger().find((e) => e.type === "committed" && e.iteration === 1);
    const attemptCommit = (attempt as { commits: string[] }).commits[0] as string;
    expect(repo.git("show", "--name-only", "--format=", attemptCommit)).toContain("lib/fast.txt");
  });

  it("rejects a symlink in scope pointing outside the repository, keeps one to an in-scope file", async () => {
    const repo = loopRepo();
    const outside = mkdtempSync(join(tmpdir(), "auto-optimize-outside-"));
    cleanups.push(() => rmSync(outside, { recursive: true, force: true }));
    writeFileSync(join(outside, "value.txt"), "50\n");
    const swap = (target: string) => () => {
      rmSync(join(repo.dir, "src/value.txt"));
      symlinkSync(target, join(repo.dir, "src/value.txt"));
    };
    const out = idea(repo, "link-out", swap(join(outside, "value.txt")));
    const up = idea(repo, "link-up", swap(`../../${outside.split("/").at(-1)}/value.txt`));
    const inside = idea(repo, "link-in", () => {
      repo.write({ "src/fast.txt": "80\n" });
      swap("fast.txt")();
    });
    expect((await repo.init()).code).toBe(0);
    const run = await runIdeas(repo, [out, up, inside]);
    expect(run.code, run.stderr).toBe(0);
    expect(repo.decisions()).toEqual(["1:rejected", "2:rejected", "3:keep"]);
    const [absolute, leaving] = reasons(repo);
    expect(absolute).toContain("src/value.txt is a symlink to an absolute path");
    expect(leaving).toContain("src/value.txt is a symlink leaving the repository");
  });
});

/** The host repository whose benchmark runs src/work.sh, code of the candidate's. */
class WorkRepo extends HostRepo {
  constructor() {
    super();
    this.commit("benchmark", {
      "bench.sh": "sh src/work.sh\n",
      "src/work.sh": "cat src/value.txt\n",
    });
  }

  protected override answers(): string[] {
    return valueAnswers({ test: "sh test/check.sh", bench: "sh bench.sh" });
  }
}

function hostRepo<T extends HostRepo>(repo: T): T {
  cleanups.push(() => repo.remove());
  return repo;
}

type Evaluated = {
  decision: string;
  result: { reason: string; changedFiles: string[]; guard?: string };
};

describe("host mode: what the candidate is", () => {
  it("rejects a file hidden by .git/info/exclude, puts the exclude file back, and evaluates on", async () => {
    const repo = hostRepo(new HostRepo());
    await repo.start();
    const exclude = join(repo.dir, ".git", "info", "exclude");
    const before = readFileSync(exclude, "utf8");
    await repo.ok(["next"]);
    await repo.ok(repo.planArgs(valuePlan(1)));
    repo.write({ "src/value.txt": "80\n", "lib/fast.txt": "the real code\n" });
    appendFileSync(exclude, "/lib/\n");
    const evaluated = await repo.ok<Evaluated>(["evaluate"]);
    expect(evaluated.decision).toBe("rejected");
    expect(evaluated.result.changedFiles).toEqual(
      expect.arrayContaining([".git/info/exclude", "lib/fast.txt", "src/value.txt"]),
    );
    expect(evaluated.result.reason).toContain("lib/fast.txt is outside the scope");
    expect(evaluated.result.reason).toContain(".git/info/exclude changes which files git ignores");
    expect(readFileSync(exclude, "utf8")).toBe(before);
    expect(existsSync(join(repo.dir, "lib"))).toBe(false);
    await repo.ok(repo.reflectArgs());

    expect((await repo.iteration(2, { "src/value.txt": "80\n" })).decision).toBe("keep");
    expect(repo.decisions()).toEqual(["1:rejected", "2:keep"]);
  });

  it("rejects a protected file or a changed file rewritten while measuring, keeps the honest change", async () => {
    const repo = hostRepo(new WorkRepo());
    await repo.start();
    // The benchmark, run after the tests passed, rewrites the protected test for later checks.
    const protectedSwap = await repo.iteration(1, {
      "src/work.sh": "echo true > test/check.sh\necho 80\n",
    });
    expect(protectedSwap.decision).toBe("rejected");
    // Caught at the run itself: the benchmark run wrote a committed file of its checkout.
    expect((protectedSwap as Evaluated).result.reason).toContain(
      "the candidate's benchmark run (warm-up) changed test/check.sh in its own checkout",
    );
    expect((protectedSwap as Evaluated).result.guard).toBe("wrote-outside-run");
    expect(repo.file("test/check.sh")).toBe("! grep -q broken src/*.txt\n");
    await repo.ok(repo.reflectArgs());

    // The first run measures 80, every later one the 70 it wrote: not the code that was checked.
    const changedSwap = await repo.iteration(2, {
      "src/value.txt": "80\n",
      "src/work.sh": "cat src/value.txt\necho 70 > src/value.txt\n",
    });
    expect(changedSwap.decision).toBe("rejected");
    expect((changedSwap as Evaluated).result.reason).toContain(
      "the candidate's benchmark run (warm-up) changed src/value.txt in its own checkout",
    );
    await repo.ok(repo.reflectArgs());

    expect((await repo.iteration(3, { "src/value.txt": "80\n" })).decision).toBe("keep");
    expect(repo.decisions()).toEqual(["1:rejected", "2:rejected", "3:keep"]);
  });
});
