import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HostRepo, valuePlan } from "./helpers/host.js";
import type { LoopRepo } from "./helpers/loop-repo.js";

/**
 * One iteration, two drivers: the same candidate patch goes through the autonomous loop
 * (`auto-optimize run --agent patches`) in one copy of a repository and through the step commands
 * (`step next`, `step plan`, the host applying the patch, `step evaluate`, `step reflect`) in an
 * identical copy. Both must reach the same decision, commit the same files and write summary.md
 * with the same structure — the guard for merging the two implementations into one sequence.
 *
 * The benchmark prints src/value.txt's number (test/helpers/loop-repo.ts), so the kept patch
 * (100 → 80) is a 20% gain measured exactly, not a timing: machine noise cannot flip it, and
 * nothing here asserts a timing. The patches that are not kept are decided before measuring.
 */

const ITERATION = "exp-001/iter-001";

const CASES = [
  { idea: "keep", patch: "001-smaller-value.patch", decision: "keep" },
  { idea: "protected", patch: "002-edit-the-test.patch", decision: "rejected" },
  { idea: "broken", patch: "003-break-the-tests.patch", decision: "test-failed" },
] as const satisfies readonly {
  idea: keyof LoopRepo["ideas"];
  patch: string;
  decision: string;
}[];

/** The experiment's state once the baseline is locked: each case copies it twice. */
let source: HostRepo;
let copies: HostRepo[] = [];

beforeAll(async () => {
  source = new HostRepo();
  await source.start();
  // A copy of a repository with a registered worktree would share that worktree by path.
  expect(source.worktreeCount()).toBe(1);
  expect(source.git("status", "--porcelain")).toBe("");
});

afterEach(() => {
  for (const copy of copies) copy.remove();
  copies = [];
});

afterAll(() => source?.remove());

function copyOfSource(): HostRepo {
  const copy = new HostRepo(source);
  copies.push(copy);
  return copy;
}

type Role = "attempt" | "revert" | "reflexion";

/**
 * The commits of iteration 1 by role, each with the files it changes (sorted paths relative to
 * the root): the attempt (code and artifacts), the revert of a non-keep, and host mode's commit
 * of the reflexion. Other commits (plan, baseline, a run's `stopped`) are not the iteration's.
 */
function iterationCommits(
  repo: HostRepo,
): Partial<Record<Role, { subject: string; files: string[] }>> {
  const commits: Partial<Record<Role, { subject: string; files: string[] }>> = {};
  for (const line of repo.git("log", "--format=%H %s", "main..HEAD").split("\n")) {
    const [sha, ...words] = line.split(" ");
    const subject = words.join(" ");
    const role: Role | null =
      subject === `experiment(${ITERATION}): reflexion`
        ? "reflexion"
        : subject.startsWith(`revert experiment(${ITERATION}): `)
          ? "revert"
          : subject.startsWith(`experiment(${ITERATION}): `)
            ? "attempt"
            : null;
    if (!role) continue;
    expect(commits[role], `two ${role} commits`).toBeUndefined();
    const files = repo
      .git("diff-tree", "--no-commit-id", "--name-only", "-r", sha as string)
      .split("\n")
      .filter(Boolean)
      .sort();
    commits[role] = { subject, files };
  }
  return commits;
}

/**
 * The labels that structure summary.md, without the values: headings (up to a colon), bold leads
 * (`**Decision: …**`), the table rows' first cells, and paragraph leads ("Changed files:",
 * "Violations:", "Environment drift since the baseline snapshot:"). List items are values.
 */
function summarySections(text: string): string[] {
  const labels: string[] = [];
  for (const line of text.split("\n")) {
    const heading = /^(#+ [^:]*)/.exec(line);
    const bold = /^\*\*([^*:]+)(?::|\*\*)/.exec(line);
    const row = /^\|([^|]*)\|/.exec(line);
    const lead = /^([A-Z][^:]*):/.exec(line);
    if (heading) labels.push(heading[1] as string);
    else if (bold) labels.push(`**${bold[1]}`);
    else if (row) {
      const cell = (row[1] as string).trim();
      if (cell !== "" && !/^-+$/.test(cell)) labels.push(`| ${cell}`);
    } else if (lead) labels.push(`${lead[1]}:`);
  }
  return labels;
}

/** The one iteration folder's summary.md. */
function summary(repo: HostRepo, folder: string): string {
  return readFileSync(join(repo.experimentDir(), "iterations", folder, "summary.md"), "utf8");
}

/** The committed tree outside the experiment folder: mode, blob and path of every code file. */
function codeTree(repo: HostRepo): string[] {
  return repo
    .git("ls-tree", "-r", "HEAD")
    .split("\n")
    .filter((line) => !line.includes("\texperiments/"));
}

function committedPaths(repo: HostRepo): string[] {
  return repo.git("ls-tree", "-r", "--name-only", "HEAD").split("\n").sort();
}

describe("one flow: the loop and the step commands decide the same patch alike", () => {
  it.each(CASES)(
    "$patch → $decision: the same decision, the same committed files, the same summary.md sections",
    async ({ idea, patch, decision }) => {
      const loop = copyOfSource();
      const host = copyOfSource();
      expect(host.git("rev-parse", "HEAD")).toBe(loop.git("rev-parse", "HEAD"));
      // The patch P, in a folder of its own outside both repositories: the loop's agent reads
      // the folder, the host applies the same file.
      const patchPath = loop.scratchFile(source.patchOf(idea), patch);

      // Copy A: the autonomous loop, exactly one iteration with P.
      const run = await loop.run({ patches: dirname(patchPath) }, ["--iterations", "1"]);
      expect(run.stderr).not.toMatch(/unexpected failure/);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("stopped: iteration budget spent (1)");

      // Copy B: the step commands, the host applying P. The plan's strategy is P's name — the
      // patches agent's strategy is the patch file's name — so folders and subjects match as
      // they are: nothing is renamed before comparing.
      const next = await host.ok<{ iteration: number }>(["next"]);
      expect(next.iteration).toBe(1);
      const planned = await host.ok<{ folder: string }>(
        host.planArgs(valuePlan(1, { strategy: patch })),
      );
      host.git("apply", patchPath);
      // Failing tests go back to the host while attempts remain (the loop retries its agent, which
      // finds the patch already applied): the host evaluates the unchanged tree again.
      const evaluations: string[] = [];
      let evaluated = await host.ok<{ decision: string }>(["evaluate"]);
      evaluations.push(evaluated.decision);
      while (evaluated.decision === "retry" && evaluations.length <= 3) {
        evaluated = await host.ok<{ decision: string }>(["evaluate"]);
        evaluations.push(evaluated.decision);
      }
      await host.ok(
        host.reflectArgs(`Reflexion on ${patch}: the decision was ${evaluated.decision}.`),
      );
      if (decision === "test-failed") expect(evaluations).toEqual(["retry", "retry", decision]);
      else expect(evaluations).toEqual([decision]);

      // The same decision, and the one this patch calls for.
      expect(loop.decisions()).toEqual([`1:${decision}`]);
      expect(host.decisions()).toEqual([`1:${decision}`]);

      // The same iteration folder name.
      const folders = (repo: HostRepo) =>
        repo.ledger().flatMap((e) => (e.type === "planned" ? [e.folder] : []));
      expect(folders(loop)).toEqual([planned.folder]);
      expect(folders(host)).toEqual([planned.folder]);

      // The same steps recorded in the ledger, from opening the iteration to committing it (each
      // attempt's apply, check and test; the measurement; the decision). After that the host
      // records `reflected`, and the loop's run its `stopped`: not the iteration's.
      const steps = (repo: HostRepo) => {
        const events = repo.ledger().filter((e) => "iteration" in e && e.iteration === 1);
        const committed = events.findIndex((e) => e.type === "committed");
        return events
          .slice(0, committed + 1)
          .map((e) => ("attempt" in e ? `${e.type}#${e.attempt}` : e.type));
      };
      expect(steps(loop)).toContain("committed");
      expect(steps(host)).toEqual(steps(loop));

      // The same files changed by the iteration's commits. The one difference allowed is which
      // commit carries reflexion.md. Today the loop's agent writes it before the attempt commit,
      // so it is in the attempt; the host writes it afterwards with `step reflect`, which commits
      // it with the ledger's new lines as `experiment(exp-001/iter-001): reflexion`. So
      // reflexion.md is left out of both attempts before comparing them, it must be in exactly
      // one of each side's iteration commits, a reflexion commit may hold nothing but it and the
      // ledger, and the union over the iteration's commits must be equal as it is. (Either
      // placement passes, so a merged flow may pick either one.)
      const a = iterationCommits(loop);
      const b = iterationCommits(host);
      const experimentPath = "experiments/exp-001-make-value-smaller";
      const reflexion = `${experimentPath}/iterations/${planned.folder}/reflexion.md`;
      const roles = decision === "keep" ? ["attempt"] : ["attempt", "revert"];
      for (const commits of [a, b]) {
        expect(
          Object.keys(commits)
            .filter((r) => r !== "reflexion")
            .sort(),
        ).toEqual(roles);
        const carrying = Object.values(commits).filter((c) => c.files.includes(reflexion));
        expect(carrying, "commits carrying reflexion.md").toHaveLength(1);
        expect(
          commits.reflexion?.files.filter(
            (f) => f !== reflexion && f !== `${experimentPath}/ledger.jsonl`,
          ) ?? [],
        ).toEqual([]);
      }
      const withoutReflexion = (files: string[] | undefined) =>
        (files ?? []).filter((f) => f !== reflexion);
      expect(b.attempt?.subject).toBe(a.attempt?.subject);
      expect(withoutReflexion(b.attempt?.files)).toEqual(withoutReflexion(a.attempt?.files));
      expect(b.revert).toEqual(a.revert);
      const union = (commits: typeof a) =>
        [...new Set(Object.values(commits).flatMap((c) => c.files))].sort();
      expect(union(b)).toEqual(union(a));
      // The patch's code files are in the attempt (and only they are outside the experiment
      // folder); a non-keep's revert undoes exactly them.
      const code = (files: string[] | undefined) =>
        (files ?? []).filter((f) => !f.startsWith("experiments/"));
      const patched = source
        .git("diff-tree", "--no-commit-id", "--name-only", "-r", source.ideas[idea])
        .split("\n")
        .sort();
      expect(code(a.attempt?.files)).toEqual(patched);
      if (decision !== "keep") expect(a.revert?.files).toEqual(patched);

      // The same final state: the same code committed, the same paths in the tree, nothing left
      // uncommitted. (The loop's run also commits its `stopped`, the ledger only: not the
      // iteration's, and host mode records a stop at the next `step next`.)
      expect(codeTree(host)).toEqual(codeTree(loop));
      expect(committedPaths(host)).toEqual(committedPaths(loop));
      expect(loop.git("status", "--porcelain")).toBe("");
      expect(host.git("status", "--porcelain")).toBe("");
      expect(existsSync(join(host.dir, reflexion))).toBe(true);

      // summary.md: the same sections and the same decision.
      const sectionsA = summarySections(summary(loop, planned.folder));
      const sectionsB = summarySections(summary(host, planned.folder));
      expect(sectionsA).toEqual(
        expect.arrayContaining(["# Iteration 1", "**Decision", "| verdict", "Changed files:"]),
      );
      expect(sectionsB).toEqual(sectionsA);
      const decided = (text: string) => /^\*\*Decision: ([a-z-]+)\*\*/m.exec(text)?.[1];
      expect(decided(summary(loop, planned.folder))).toBe(decision);
      expect(decided(summary(host, planned.folder))).toBe(decision);
    },
  );
});
