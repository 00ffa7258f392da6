import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { UsageError } from "../errors.js";
import { type ChainedLine, lineHash } from "./ledger-chain.js";

/**
 * The chain alone proves a ledger's lines follow each other, not who wrote them: whoever can
 * compute sha256 can append a well-chained line. So auto-optimize also records, outside the
 * working tree and before each append, the hash of every line it writes (the witness, under the
 * repository's .git/auto-optimize/). A line after the first witnessed one that the witness does not
 * know was written by something else. Resetting the branch to an earlier commit (the way back from
 * a refusal) only removes lines, so it never upsets the witness; a ledger none of whose lines are
 * witnessed (a fresh clone, a ledger older than the witness) is checked by its chain alone.
 */
export function witnessPath(ledgerPath: string): string | null {
  const experimentDir = dirname(ledgerPath);
  const experimentsDir = dirname(experimentDir);
  if (basename(experimentsDir) !== "experiments") return null;
  const gitDir = join(dirname(experimentsDir), ".git");
  // Only in a main working tree: a worktree's .git is a file, and its ledger a copy.
  if (!statSync(gitDir, { throwIfNoEntry: false })?.isDirectory()) return null;
  return join(gitDir, "auto-optimize", `${basename(experimentDir)}.witness`);
}

/** Records `line` (its exact text, without newline) as written by auto-optimize, durably. */
export function witness(path: string | null, line: string): void {
  if (!path) return;
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, "a");
  try {
    writeSync(fd, `${lineHash(line)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Refuses a line auto-optimize did not write, from the first line it is known to have written on. */
export function checkWitnessed(
  path: string | null,
  lines: readonly ChainedLine[],
  source: string,
): void {
  if (!path) return;
  let known: Set<string>;
  try {
    known = new Set(readFileSync(path, "utf8").split("\n").filter(Boolean));
  } catch {
    return;
  }
  const first = lines.findIndex((line) => known.has(lineHash(line.text)));
  if (first < 0) return;
  const foreign = lines.slice(first).find((line) => !known.has(lineHash(line.text)));
  if (!foreign) return;
  throw new UsageError(
    "ledger-forged",
    `${source} line ${foreign.lineNumber} (${foreign.entry.type}) was not written by auto-optimize: its chain is intact, but auto-optimize records every line it writes (${path}) and never wrote this one. Nothing was measured or committed. The way back: git diff HEAD -- ${source} shows the lines; remove the ones auto-optimize did not write (git checkout HEAD -- ${source} restores the committed lines), and reset any commit that carries them (git log -- ${source}).`,
  );
}
