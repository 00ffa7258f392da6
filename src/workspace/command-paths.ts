import { existsSync } from "node:fs";
import { isAbsolute, join, normalize } from "node:path";
import { UsageError } from "../errors.js";
import { gitRaw } from "./git.js";

/**
 * The words of a shell command that could be relative paths: `bench.js` in `node bench.js --n 3`,
 * `bench/data.json` in `--input=./bench/data.json`, `run.sh` in `./run.sh`.
 */
export function pathWordsIn(command: string): string[] {
  const found = new Set<string>();
  for (const word of command.split(/[\s;|&<>()]+/)) {
    const unquoted = unquote(word);
    for (const candidate of [unquoted, unquote(unquoted.slice(unquoted.indexOf("=") + 1))]) {
      const path = candidate.replace(/^(\.\/)+/, "");
      if (path) found.add(path);
    }
  }
  return [...found];
}

const unquote = (word: string) => word.replace(/^['"]+|['"]+$/g, "");

/** A file a command names that the user's tree has and a checkout of a commit lacks. */
export interface MissingFile {
  /** Relative to the folder the command runs in. */
  path: string;
  status: "untracked" | "ignored";
}

/** The paths the commands name that exist under `dir` and that git there does not track. */
export async function untrackedFilesNamedIn(
  commands: readonly string[],
  dir: string,
): Promise<MissingFile[]> {
  const found: MissingFile[] = [];
  const seen = new Set<string>();
  for (const word of commands.flatMap(pathWordsIn)) {
    if (isAbsolute(word) || word.startsWith("-")) continue;
    const path = normalize(word).replace(/\/+$/, "");
    if (path === "." || path.startsWith("..") || seen.has(path)) continue;
    seen.add(path);
    if (!existsSync(join(dir, path))) continue;
    const status = await untrackedStatus(dir, path);
    if (status) found.push({ path, status });
  }
  return found;
}

/**
 * The paths the commands name that exist under `treeDir` (the user's tree) but not under
 * `checkoutDir` (a worktree of a commit), because git does not track them there: untracked, or
 * ignored. A path git tracks but the commit lacks is not reported (that commit simply has none).
 */
export async function filesMissingFromCheckout(
  commands: readonly string[],
  treeDir: string,
  checkoutDir: string,
): Promise<MissingFile[]> {
  const untracked = await untrackedFilesNamedIn(commands, treeDir);
  return untracked.filter(({ path }) => !existsSync(join(checkoutDir, path)));
}

/** `untracked` or `ignored` as git status says of `path` (relative to `dir`), else null. */
export async function untrackedStatus(
  dir: string,
  path: string,
): Promise<MissingFile["status"] | null> {
  const out = await gitRaw(["status", "--porcelain", "--ignored", "--", path], dir).catch(() => "");
  for (const line of out.split("\n")) {
    if (line.startsWith("??")) return "untracked";
    if (line.startsWith("!!")) return "ignored";
  }
  return null;
}

/** One line per file: which, why the checkout lacks it, and how to fix it. */
export function explainMissingFiles(missing: readonly MissingFile[], what: string): string {
  return missing
    .map(({ path, status }) => {
      const why = status === "ignored" ? "ignored by git" : "not tracked by git (untracked)";
      const add = status === "ignored" ? `git add -f ${path}` : `git add ${path}`;
      return `${path}, which ${what} names, is ${why}, so the checkouts of commits that auto-optimize measures lack it: commit it (${add} && git commit), then run again.`;
    })
    .join("\n");
}

/**
 * When a command failed in checkouts of commits: refuses (exit 2) with one line per file it names
 * that the user's tree has but a checkout lacks because git does not track it, then the failure.
 */
export async function refuseUntrackedCommandFiles(
  commands: readonly string[],
  treeDir: string,
  checkoutDirs: readonly string[],
  what: string,
  failure: Error,
): Promise<void> {
  const missing = new Map<string, MissingFile>();
  for (const dir of checkoutDirs) {
    for (const file of await filesMissingFromCheckout(commands, treeDir, dir)) {
      missing.set(file.path, file);
    }
  }
  if (missing.size === 0) return;
  throw new UsageError(
    "untracked-command-files",
    `${explainMissingFiles([...missing.values()], what)}\n\n${failure.message}`,
  );
}
