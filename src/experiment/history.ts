import { readFileSync } from "node:fs";
import { UsageError } from "../errors.js";
import { commitsSince, fileAtCommits, type HistoryCommit } from "../workspace/commit-history.js";
import type { LedgerEntry } from "./events.js";
import { FILES } from "./layout.js";
import { type Ledger, parseLedgerText } from "./ledger.js";
import { currentBranch, type OpenedExperiment } from "./open.js";
import { isRunning } from "./run-lock.js";

/**
 * The experiment branch must be the history its ledger tells, commit for commit:
 *
 * - every commit the ledger names (`committed`, the baseline's, each iteration's best) is on the
 *   branch, with the tree `committed` recorded;
 * - every commit since the experiment's base commit is one auto-optimize made: the plan commit,
 *   an iteration's commits (named by its `committed` event, or the attempt of an iteration
 *   decided but killed before `committed`), or a commit of the experiment folder that appends
 *   ledger events and changes only the files those events write (the baseline, a reflexion, the
 *   report, the ledger itself);
 * - the ledger each commit holds is where the ledger begins now: committed lines never change (for
 *   a legacy ledger's unchained lines, this is their only check).
 *
 * A commit made outside the tool, or a ledger that does not match history, is refused with the
 * last commit the ledger accounts for and the way back.
 */
export async function verifyHistory(
  root: string,
  experimentPath: string,
  ledger: Ledger,
  head = "HEAD",
): Promise<void> {
  const first = ledger.entries[0];
  if (first?.type !== "experiment-created") return;
  const base = first.baseCommit;
  const ledgerPath = `${experimentPath}/${FILES.ledger}`;
  const commits = await commitsSince(root, base, head).catch(() => {
    throw new UsageError(
      "foreign-commit",
      `the experiment branch no longer descends from ${base.slice(0, 12)}, the commit experiment ${first.experiment} started from: its history was rewritten outside auto-optimize. Check the branch out as auto-optimize left it (git reflog ${first.branch} lists where it was).`,
    );
  });
  const ledgers = await fileAtCommits(
    root,
    commits.map((c) => c.id),
    ledgerPath,
  );
  // Read after git: a step running meanwhile only appends, so the last commit's ledger is a prefix.
  const current = readFileSync(ledger.path, "utf8");
  const entries = parseLedgerText(current, ledger.path).entries;
  const known = knownCommits(entries);
  const ids = new Set([base, ...commits.map((c) => c.id)]);
  for (const [commit, what] of known.names) {
    if (!ids.has(commit)) {
      throw new UsageError(
        "foreign-commit",
        `${ledgerPath} names commit ${commit.slice(0, 12)} (${what}), which is not on the experiment branch: the branch was reset or rewritten, or the line was written by hand. Check the branch out as auto-optimize left it (git reflog ${first.branch} lists where it was), or restore the ledger (git checkout HEAD -- ${ledgerPath}).`,
      );
    }
  }

  const committed = ledgers.at(-1) ?? "";
  if (!current.startsWith(committed)) {
    throw new UsageError(
      "ledger-changed",
      `${ledgerPath} does not begin with the lines the last commit recorded: recorded lines were changed or removed. The way back: git checkout HEAD -- ${ledgerPath} (the lines appended since the last commit are then lost).`,
    );
  }
  let lastKnown = base;
  let before = "";
  for (const [index, commit] of commits.entries()) {
    const text = ledgers[index] ?? "";
    const refuse = (problem: string) => foreign(commit, problem, lastKnown, ledgerPath);
    if (commit.parents.length !== 1) refuse("is a merge; auto-optimize makes none");
    if (!text.startsWith(before)) refuse(`rewrites lines ${ledgerPath} had recorded`);
    const atCommit = parseLedgerText(text, `${commit.id.slice(0, 12)}:${ledgerPath}`).entries;
    const added = atCommit.slice(lineCount(before));
    const recordedTree = known.trees.get(commit.id);
    if (recordedTree !== undefined) {
      if (recordedTree !== null && recordedTree !== commit.tree) {
        refuse(
          `has tree ${commit.tree.slice(0, 12)}, not the tree ${recordedTree.slice(0, 12)} the ledger recorded for it`,
        );
      }
    } else if (!(index === 0 && isPlanCommit(text))) {
      if (!pendingAttempt(entries, commit, atCommit.length)) {
        const changes = commit.files.length > 0 ? `changes ${list(commit.files)} and ` : "";
        if (added.length === 0) refuse(`${changes}records no step in the ledger`);
        const allowed = allowedFiles(experimentPath, added, atCommit);
        const extra = commit.files.filter((f) => !allowed(f));
        if (extra.length > 0) refuse(`changes ${list(extra)}, which no step it records writes`);
      }
    }
    lastKnown = commit.id;
    before = text;
  }
}

interface KnownCommits {
  /** Every commit the ledger names, with what names it. */
  names: Map<string, string>;
  /** Commits recorded by `committed`: their tree, or null when the event predates the trees. */
  trees: Map<string, string | null>;
}

function knownCommits(entries: readonly LedgerEntry[]): KnownCommits {
  const names = new Map<string, string>();
  const trees = new Map<string, string | null>();
  for (const entry of entries) {
    if (entry.type === "baseline-locked")
      names.set(entry.commit, `the baseline, line ${entry.seq}`);
    if (entry.type === "iteration-started")
      names.set(entry.best, `iteration ${entry.iteration}'s best, line ${entry.seq}`);
    if (entry.type !== "committed") continue;
    names.set(entry.best, `the best after iteration ${entry.iteration}, line ${entry.seq}`);
    for (const [i, commit] of entry.commits.entries()) {
      names.set(commit, `iteration ${entry.iteration}'s commit, line ${entry.seq}`);
      trees.set(commit, entry.trees?.[i] ?? null);
    }
  }
  return { names, trees };
}

/** Events in a ledger's text: its non-blank lines (the ledger's entries, in order). */
function lineCount(text: string): number {
  return text.split("\n").filter((l) => l.trim() !== "").length;
}

/** The plan commit holds the ledger's first event alone. */
function isPlanCommit(ledgerText: string): boolean {
  return lineCount(ledgerText) === 1;
}

/**
 * An iteration decided and killed before its `committed` event leaves its attempt commit (and
 * perhaps the revert) on the branch; recovery records them. Such a commit holds the `decided`
 * line and carries the iteration's commit subject.
 */
function pendingAttempt(
  entries: readonly LedgerEntry[],
  commit: HistoryCommit,
  linesAtCommit: number,
): boolean {
  // Open iterations (a generation of `run --parallel` has several) and their decisions.
  const decided = new Map<number, LedgerEntry | undefined>();
  for (const entry of entries) {
    if (entry.type === "iteration-started") decided.set(entry.iteration, undefined);
    if (entry.type === "committed" || entry.type === "iteration-abandoned")
      decided.delete(entry.iteration);
    if (entry.type === "decided" && decided.has(entry.iteration))
      decided.set(entry.iteration, entry);
  }
  const subject = commit.subject.replace(/^revert /, "");
  const tagged = /^experiment\([^/]+\/iter-(\d+)\): /.exec(subject);
  const decision = tagged ? decided.get(Number(tagged[1])) : undefined;
  return decision !== undefined && linesAtCommit >= decision.seq;
}

/** The files a commit of the experiment folder may change, given the events it appends. */
function allowedFiles(
  experimentPath: string,
  added: readonly LedgerEntry[],
  entries: readonly LedgerEntry[],
): (file: string) => boolean {
  const inFolder = (name: string) => `${experimentPath}/${name}`;
  const exact = new Set([inFolder(FILES.ledger)]);
  const prefixes: string[] = [];
  for (const event of added) {
    if (event.type === "baseline-locked") {
      exact.add(inFolder(FILES.experiment)).add(inFolder(FILES.plan));
      prefixes.push(inFolder(`${FILES.baselineDir}/`));
    }
    if (event.type === "report-written")
      exact.add(inFolder(FILES.finalReport)).add(inFolder(FILES.reportHtml));
    if (event.type === "reflected") {
      const folder = entries.find((e) => e.type === "planned" && e.iteration === event.iteration) as
        | Extract<LedgerEntry, { type: "planned" }>
        | undefined;
      if (folder) exact.add(inFolder(`${FILES.iterationsDir}/${folder.folder}/reflexion.md`));
    }
  }
  return (file) => exact.has(file) || prefixes.some((p) => file.startsWith(p));
}

function foreign(
  commit: HistoryCommit,
  problem: string,
  lastKnown: string,
  ledgerPath: string,
): never {
  throw new UsageError(
    "foreign-commit",
    `commit ${commit.id.slice(0, 12)} (${commit.subject}) on the experiment branch ${problem}: it was not made by auto-optimize, and the experiment's history must be the one its ledger records. The way back: keep the commit elsewhere if you need it (git branch keep-${commit.id.slice(0, 7)} ${commit.id.slice(0, 12)}), then git reset --hard ${lastKnown.slice(0, 12)} (the last commit the ledger accounts for; this also drops the commits after it and uncommitted changes), and check ${ledgerPath} has no line you wrote.`,
  );
}

function list(files: readonly string[]): string {
  return files.length > 5
    ? `${files.slice(0, 5).join(", ")} and ${files.length - 5} more`
    : files.join(", ");
}

/**
 * `verifyHistory` for the commands that only read (status, `step status`): skipped while a run or
 * step holds the experiment (its history is moving) or when its branch is not checked out (the
 * working tree's ledger is then not the branch's).
 */
export async function verifyHistoryIfSettled(
  root: string,
  gitDir: string,
  opened: OpenedExperiment,
): Promise<void> {
  if (isRunning(gitDir, opened.name)) return;
  if ((await currentBranch(root)) !== opened.experiment.branch) return;
  await verifyHistory(root, opened.path, opened.ledger);
}
