import { lstatSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { UsageError } from "../errors.js";
import type { MetricFormat } from "../measure/metrics/types.js";
import {
  explainMissingFiles,
  pathWordsIn,
  untrackedFilesNamedIn,
} from "../workspace/command-paths.js";
import { gitRaw, openRepository } from "../workspace/git.js";
import { WorktreeSet } from "../workspace/worktrees.js";
import { type DryRunTarget, dryRunBench, dryRunCommand } from "./dry-run.js";

const MAX_SUSPECTS = 10;

export interface FreshDryRunCommands {
  build?: string;
  test: string;
  bench: string;
  metric: string;
  format: MetricFormat | "auto";
}

/**
 * Refuses, naming them, untracked files the commands name: the loop measures worktrees of
 * commits, where they are missing. (The dirty-tree check would refuse them too, without the why.)
 * Ignored ones are left to the dry-run in a fresh checkout, since a build may make them there.
 */
export async function refuseUntrackedNamedFiles(
  commands: readonly (string | undefined)[],
  root: string,
): Promise<void> {
  const named = await untrackedFilesNamedIn(
    commands.filter((c): c is string => Boolean(c)),
    root,
  );
  const untracked = named.filter((file) => file.status === "untracked");
  if (untracked.length === 0) return;
  throw new UsageError(
    "untracked-command-files",
    explainMissingFiles(untracked, "the test, bench, build or check command"),
  );
}

/**
 * The build, tests and benchmark once each in a fresh worktree of `commit` (beside the loop's own
 * under .git/auto-optimize/), after they passed in the user's tree. A failure there means they
 * need something the commit lacks: init refuses, listing the untracked and ignored files only the
 * tree has, the likeliest first. Skipped when the tree has no untracked or ignored file.
 */
export async function dryRunInFreshCheckout(
  commit: string,
  commands: FreshDryRunCommands,
  target: DryRunTarget,
  progress: (message: string) => void,
): Promise<void> {
  // With nothing untracked or ignored, the tree is HEAD's checkout already: nothing to learn.
  const treeOnly = await onlyInTree(target.root);
  if (treeOnly.length === 0) return;
  progress("dry-run: the build, tests and benchmark once more, in a fresh checkout of HEAD…");
  const checkouts = await WorktreeSet.create(await openRepository(target.root), "init-dry-run");
  let problem: string | null = null;
  try {
    const { path } = await checkouts.add("head", commit);
    const fresh = { ...target, root: path };
    if (commands.build) {
      const built = await dryRunCommand("build", commands.build, fresh);
      if (!built.ok) problem = built.problem;
    }
    if (!problem) {
      const tests = await dryRunCommand("tests", commands.test, fresh);
      if (!tests.ok) problem = tests.problem;
    }
    if (!problem) {
      const bench = await dryRunBench(commands.bench, commands.metric, commands.format, fresh);
      if (!bench.ok) problem = bench.problem;
    }
  } finally {
    await checkouts.remove();
  }
  if (!problem) return;
  const named = [commands.build, commands.test, commands.bench].filter(Boolean) as string[];
  const suspects = likeliestFirst(treeOnly, target.root, named, problem);
  const listed = suspects.length
    ? `Files only your tree has (git does not track them), the likeliest first:\n${suspects.map((s) => `  - ${s}`).join("\n")}`
    : "Your tree has no untracked or ignored file that the checkout lacks: look for something outside the repository the commands rely on.";
  throw new UsageError(
    "dry-run-untracked",
    `the dry-run passed in your working tree but failed in a fresh checkout of HEAD (${commit.slice(0, 12)}), which is what auto-optimize measures: the commands need a file that is not committed.\n${listed}\nCommit the ones they need (git add -f for an ignored one), then run init again.\n\nIn the fresh checkout, ${problem}`,
  );
}

/**
 * The untracked and ignored entries of the tree: a folder git sees as wholly untracked or ignored
 * is one entry.
 */
async function onlyInTree(root: string): Promise<TreeOnlyEntry[]> {
  const out = await gitRaw(["status", "--porcelain", "--ignored", "-z"], root);
  return out
    .split("\0")
    .filter((e) => e.startsWith("?? ") || e.startsWith("!! "))
    .map((e) => ({
      path: e.slice(3).replace(/\/$/, ""),
      status: e.startsWith("??") ? "untracked" : "ignored",
    }));
}

interface TreeOnlyEntry {
  path: string;
  status: "untracked" | "ignored";
}

/** Named by the commands first, then named in the failure output, then the largest. */
function likeliestFirst(
  entries: readonly TreeOnlyEntry[],
  root: string,
  commands: readonly string[],
  failure: string,
): string[] {
  const words = new Set(commands.flatMap(pathWordsIn));
  const rank = (path: string): number => {
    if (words.has(path)) return 0;
    if (failure.includes(path) || failure.includes(basename(path))) return 1;
    return 2;
  };
  return entries
    .map((e) => ({ ...e, rank: rank(e.path), size: sizeOf(join(root, e.path)) }))
    .sort((x, y) => x.rank - y.rank || y.size - x.size || x.path.localeCompare(y.path))
    .slice(0, MAX_SUSPECTS)
    .map((e) => `${e.path} (${e.status}, ${formatSize(e.size)})`);
}

/** Bytes under `path`, walking at most a few thousand entries (node_modules can be huge). */
function sizeOf(path: string): number {
  let total = 0;
  let budget = 5000;
  const stack = [path];
  while (stack.length > 0 && budget-- > 0) {
    const current = stack.pop() as string;
    try {
      const stat = lstatSync(current);
      if (stat.isDirectory()) {
        for (const name of readdirSync(current)) stack.push(join(current, name));
      } else total += stat.size;
    } catch {
      // Gone since git listed it: counts as nothing.
    }
  }
  return total;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
