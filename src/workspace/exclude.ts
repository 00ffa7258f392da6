import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { git } from "./git.js";

/**
 * The name a change of the repository's own exclude file is reported under: `.git/info/exclude`
 * is no file of any commit, yet it hides files from git like a `.gitignore` does.
 */
export const EXCLUDE_PATH = ".git/info/exclude";

/** Where the exclude file of `root`'s repository is (a linked worktree shares the main one's). */
export async function excludeFile(root: string): Promise<string> {
  return resolve(root, await git(["rev-parse", "--git-path", "info/exclude"], root));
}

/** The exclude file's text ("" when there is none). */
export async function readExclude(root: string): Promise<string> {
  return readFile(await excludeFile(root), "utf8").catch(() => "");
}

/** Puts the exclude file back to `text` (the rules the iteration started with). */
export async function writeExclude(root: string, text: string): Promise<void> {
  await writeFile(await excludeFile(root), text);
}
