import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { describeIssues } from "../parse-json.js";
import { git } from "../workspace/git.js";
import type { LedgerEntry } from "./events.js";
import { EXPERIMENTS_DIR, experimentDir, FILES } from "./layout.js";
import { Ledger, parseLedgerText } from "./ledger.js";
import { Experiment } from "./schema.js";

/** The branch prefix of every experiment: auto-optimize/exp-001-<slug>. */
export const BRANCH_PREFIX = "auto-optimize/";

const NAME = /^exp-(\d{3,})(?:-[a-z0-9-]+)?$/;

export interface OpenedExperiment {
  /** exp-001-api-latency */
  name: string;
  /** Absolute path of the experiment folder. */
  dir: string;
  /** The folder relative to the repository root: experiments/exp-001-api-latency */
  path: string;
  experiment: Experiment;
  ledger: Ledger;
}

/** An experiment found in the working tree or on a branch, without validating it. */
export interface ExperimentEntry {
  name: string;
  number: number;
  branch: string;
  /** Absolute folder path when the working tree holds it; null when only its branch does. */
  dir: string | null;
  /** Its branch is the one checked out. */
  checkedOut: boolean;
  stopped: boolean;
  baselineLocked: boolean;
}

/** The checked-out branch, or null on a detached HEAD. */
export async function currentBranch(root: string): Promise<string | null> {
  try {
    return await git(["symbolic-ref", "--quiet", "--short", "HEAD"], root);
  } catch {
    return null;
  }
}

/**
 * Every experiment of the repository, by number: the folders under experiments/ in the working
 * tree, and the auto-optimize/exp-* branches whose folder is not checked out (their ledger is
 * read from the branch).
 */
export async function listExperiments(root: string): Promise<ExperimentEntry[]> {
  const current = await currentBranch(root);
  const entries = new Map<string, ExperimentEntry>();
  const folder = join(root, EXPERIMENTS_DIR);
  const names = existsSync(folder) ? readdirSync(folder).filter((n) => NAME.test(n)) : [];
  for (const name of names) {
    const dir = join(folder, name);
    if (!existsSync(join(dir, FILES.experiment))) continue;
    const branch = branchOf(dir, name);
    const ledger = Ledger.open(join(dir, FILES.ledger)).entries;
    entries.set(name, entry(name, branch, dir, branch === current, ledger));
  }
  for (const branch of await experimentBranches(root)) {
    const name = branch.slice(BRANCH_PREFIX.length);
    if (entries.has(name) || !NAME.test(name)) continue;
    const source = `${branch}:${experimentDir(name)}/${FILES.ledger}`;
    const text = await git(["show", source], root).catch(() => "");
    entries.set(
      name,
      entry(name, branch, null, branch === current, parseLedgerText(text, source).entries),
    );
  }
  return [...entries.values()].sort((a, b) => a.number - b.number || a.name.localeCompare(b.name));
}

/** Local branches named auto-optimize/exp-*. */
export async function experimentBranches(root: string): Promise<string[]> {
  const out = await git(
    ["for-each-ref", "--format=%(refname:short)", `refs/heads/${BRANCH_PREFIX}exp-*`],
    root,
  );
  return out.split("\n").filter(Boolean);
}

/**
 * The experiment to work on: the one named (exp-001 or its full name), else the one whose branch
 * is checked out, else the most recent one whose ledger has no `stopped` event. Its
 * experiment.json is validated; a bad field is named in the error.
 */
export async function openExperiment(root: string, name?: string): Promise<OpenedExperiment> {
  const all = await listExperiments(root);
  let chosen: ExperimentEntry | undefined;
  if (name !== undefined) {
    chosen = all.find((e) => e.name === name) ?? all.find((e) => e.name.startsWith(`${name}-`));
    if (!chosen) {
      const known = all.map((e) => e.name).join(", ") || "none";
      throw new UsageError(
        "unknown-experiment",
        `no experiment named '${name}' in ${root}: the experiments are ${known}.`,
      );
    }
  } else {
    const here = all.filter((e) => e.dir !== null);
    chosen =
      here.find((e) => e.checkedOut) ?? [...here].reverse().find((e) => !e.stopped) ?? undefined;
    if (!chosen) {
      const elsewhere = all.filter((e) => e.dir === null && !e.stopped);
      const hint = elsewhere.length
        ? ` unfinished experiments live on branches ${elsewhere.map((e) => e.branch).join(", ")}: check one out (git checkout ${elsewhere.at(-1)?.branch}), or run auto-optimize init to start a new one.`
        : " run auto-optimize init to start one.";
      throw new UsageError("no-experiment", `no unfinished experiment in ${root}:${hint}`);
    }
  }
  if (chosen.dir === null) {
    throw new UsageError(
      "experiment-not-checked-out",
      `experiment ${chosen.name} lives on branch ${chosen.branch}, which is not checked out: run git checkout ${chosen.branch} first.`,
    );
  }
  return {
    name: chosen.name,
    dir: chosen.dir,
    path: experimentDir(chosen.name),
    experiment: readExperiment(chosen.dir),
    ledger: Ledger.open(join(chosen.dir, FILES.ledger)),
  };
}

/** experiment.json validated against the schema; the error names the file and each bad field. */
export function readExperiment(dir: string): Experiment {
  const path = join(dir, FILES.experiment);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(
      "bad-experiment",
      `${path} cannot be read as JSON (${(error as Error).message}): restore it from git (git checkout -- ${path}).`,
    );
  }
  const result = Experiment.safeParse(data);
  if (!result.success) {
    throw new UsageError(
      "bad-experiment",
      `${path} is not a valid experiment: ${describeIssues(result.error)}. Fix that field or restore the file from git.`,
    );
  }
  return result.data;
}

function branchOf(dir: string, name: string): string {
  try {
    const data = JSON.parse(readFileSync(join(dir, FILES.experiment), "utf8"));
    const parsed = Experiment.pick({ branch: true }).safeParse(data);
    if (parsed.success && parsed.data.branch) return parsed.data.branch;
  } catch {
    // An unreadable experiment.json is reported when the experiment is opened.
  }
  return `${BRANCH_PREFIX}${name}`;
}

function entry(
  name: string,
  branch: string,
  dir: string | null,
  checkedOut: boolean,
  ledger: readonly LedgerEntry[],
): ExperimentEntry {
  return {
    name,
    number: Number(NAME.exec(name)?.[1]),
    branch,
    dir,
    checkedOut,
    stopped: isStopped(ledger),
    baselineLocked: ledger.some((e) => e.type === "baseline-locked"),
  };
}

/** A `stopped` event that no later run resumed from. */
function isStopped(ledger: readonly LedgerEntry[]): boolean {
  for (let i = ledger.length - 1; i >= 0; i--) {
    const type = ledger[i]?.type;
    if (type === "stopped") return true;
    if (type === "run-started") return false;
  }
  return false;
}
