import { createHash } from "node:crypto";
import { UsageError } from "../errors.js";
import type { LedgerEntry } from "./events.js";

/**
 * The ledger is a hash chain: every event auto-optimize appends carries `prev`, the sha256 of the
 * previous line's exact bytes, and the first event the genesis hash of its experiment. An event
 * edited, removed or inserted by hand breaks the link of the line after it; one appended by hand
 * has no `prev` or a wrong one. Ledgers written before the chain existed (their first event has no
 * `prev`) are legacy: their unchained lines are checked against git history only, and the chain
 * starts at the first chained line — after it, every line must be chained.
 */
export function lineHash(line: string): string {
  return createHash("sha256").update(line, "utf8").digest("hex");
}

/** The `prev` of a ledger's first event: tied to the experiment it creates. */
export function genesisHash(first: { type: string } & Record<string, unknown>): string {
  const anchor =
    first.type === "experiment-created"
      ? `${String(first.experiment)}\n${String(first.branch)}\n${String(first.baseCommit)}`
      : "";
  return lineHash(`auto-optimize ledger\n${anchor}`);
}

/** The `prev` the next event must carry after `lastLine` (null: the ledger is empty). */
export function nextPrev(lastLine: string | null, event: { type: string }): string {
  return lastLine === null
    ? genesisHash(event as { type: string } & Record<string, unknown>)
    : lineHash(lastLine);
}

export interface ChainedLine {
  entry: LedgerEntry;
  /** The line's exact text, without its newline. */
  text: string;
  /** 1-based line number in the file. */
  lineNumber: number;
}

/**
 * Checks the chain over a ledger's lines; returns how many leading lines are legacy (unchained).
 * A break is a `ledger-forged` error naming the line and how to get back.
 */
export function verifyChain(lines: readonly ChainedLine[], source: string): number {
  let legacy = 0;
  for (const [index, line] of lines.entries()) {
    const { entry, lineNumber } = line;
    if (entry.seq !== index + 1) {
      throw broken(
        source,
        lineNumber,
        `carries seq ${entry.seq} where ${index + 1} was due: a line before it was removed or inserted by hand`,
      );
    }
    if (entry.prev === undefined) {
      if (legacy === index) {
        legacy++;
        continue;
      }
      throw broken(
        source,
        lineNumber,
        "has no 'prev' hash though the lines before it are chained: auto-optimize did not write it (appended or edited by hand)",
      );
    }
    const previous = lines[index - 1];
    const expected = previous ? lineHash(previous.text) : genesisHash(entry);
    if (entry.prev !== expected) {
      throw broken(
        source,
        lineNumber,
        previous
          ? `does not follow line ${previous.lineNumber} (its 'prev' is not the hash of that line): line ${previous.lineNumber} was edited, a line between them was removed, or line ${lineNumber} was written by hand`
          : "does not start this experiment's chain (its 'prev' is not the experiment's genesis hash): it was written by hand or copied from another experiment",
      );
    }
  }
  return legacy;
}

function broken(source: string, lineNumber: number, problem: string): UsageError {
  return new UsageError(
    "ledger-forged",
    `${source} line ${lineNumber} ${problem}. The ledger is written by auto-optimize alone; nothing was measured or committed. The way back: see what changed with git diff HEAD -- ${source}, and remove the lines auto-optimize did not write (git checkout HEAD -- ${source} restores the committed lines, dropping any appended since).`,
  );
}
