import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { UsageError } from "../errors.js";
import { describeIssues } from "../parse-json.js";
import { artifactRedactor } from "../redact.js";
import { type LedgerEntry, LedgerEntrySchema, type LedgerEvent } from "./events.js";
import { type ChainedLine, nextPrev, verifyChain } from "./ledger-chain.js";
import { checkWitnessed, witness, witnessPath } from "./ledger-witness.js";

/**
 * The append-only event log of an experiment. Each append is one JSON line, flushed to disk
 * (fsync) before it returns, so after a crash the ledger holds every step that completed. A torn
 * last line (the crash hit mid-write) is dropped on open and cut off before the next append; one
 * that lost only its newline is whole, kept, and given its newline by the next append. Each event
 * is chained to the line before it (ledger-chain.ts) and witnessed outside the working tree
 * (ledger-witness.ts); both are verified on open.
 */
export class Ledger {
  private constructor(
    readonly path: string,
    private readonly loaded: LedgerEntry[],
    private validBytes: number,
    /** The last complete event lost only its newline in a crash: the next append restores it. */
    private missingNewline: boolean,
    /** The last event's exact text: the next event's `prev` is its hash. */
    private lastLine: string | null,
    /** How many leading events were written before the chain existed (0 for a new ledger). */
    readonly legacyLines: number,
  ) {}

  static open(path: string): Ledger {
    if (!existsSync(path)) return new Ledger(path, [], 0, false, null, 0);
    const text = readFileSync(path, "utf8");
    const { entries, validBytes, lines, legacyLines } = parseLedgerText(text, path);
    checkWitnessed(witnessPath(path), lines, path);
    const total = Buffer.byteLength(text);
    const missingNewline = validBytes > 0 && validBytes === total && !text.endsWith("\n");
    const lastLine = lines.at(-1)?.text ?? null;
    return new Ledger(path, entries, validBytes, missingNewline, lastLine, legacyLines);
  }

  get entries(): readonly LedgerEntry[] {
    return this.loaded;
  }

  /** Appends the event with every string in it redacted: the ledger is committed. */
  append(event: LedgerEvent): LedgerEntry {
    const entry = artifactRedactor().value({
      ...event,
      seq: this.loaded.length + 1,
      at: new Date().toISOString(),
      prev: nextPrev(this.lastLine, event),
    } as LedgerEntry);
    if (existsSync(this.path)) truncateSync(this.path, this.validBytes);
    const text = JSON.stringify(entry);
    // Witnessed before it is written: a crash between the two leaves a superset, never a gap.
    witness(witnessPath(this.path), text);
    const line = `${this.missingNewline ? "\n" : ""}${text}\n`;
    const fd = openSync(this.path, "a");
    try {
      writeSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.validBytes += Buffer.byteLength(line);
    this.missingNewline = false;
    this.lastLine = text;
    this.loaded.push(entry);
    return entry;
  }

  last<T extends LedgerEvent["type"]>(type: T): Extract<LedgerEntry, { type: T }> | undefined {
    for (let i = this.loaded.length - 1; i >= 0; i--) {
      const entry = this.loaded[i] as LedgerEntry;
      if (entry.type === type) return entry as Extract<LedgerEntry, { type: T }>;
    }
    return undefined;
  }

  ofType<T extends LedgerEvent["type"]>(type: T): Extract<LedgerEntry, { type: T }>[] {
    return this.loaded.filter((e): e is Extract<LedgerEntry, { type: T }> => e.type === type);
  }
}

/**
 * The events of a ledger's text, each checked against its schema, and the bytes they take. Only the
 * text after the last newline may be unreadable: that is a write torn by a crash, and is dropped.
 * Any other bad line is corruption, reported with `source` (the file) and its line number, and so
 * is a break in the chain (`verifyChain`).
 */
export function parseLedgerText(
  text: string,
  source: string,
): { entries: LedgerEntry[]; validBytes: number; lines: ChainedLine[]; legacyLines: number } {
  const total = Buffer.byteLength(text);
  const lines = text.split("\n");
  const entries: LedgerEntry[] = [];
  const chained: ChainedLine[] = [];
  let offset = 0;
  for (const [index, line] of lines.entries()) {
    // The text after the last newline has no newline of its own: never count one past the end,
    // or the next append's truncate would extend the file with a NUL byte.
    const end = Math.min(offset + Buffer.byteLength(line) + 1, total);
    if (line.trim() === "") {
      offset = end;
      continue;
    }
    const where = `${source} line ${index + 1}`;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (error) {
      if (index === lines.length - 1) break;
      throw corrupt(where, `is not JSON (${(error as Error).message})`, source);
    }
    const parsed = LedgerEntrySchema.safeParse(data);
    if (!parsed.success) {
      throw corrupt(where, `is not a ledger event: ${describeIssues(parsed.error)}`, source);
    }
    entries.push(parsed.data);
    chained.push({ entry: parsed.data, text: line, lineNumber: index + 1 });
    offset = end;
  }
  const legacyLines = verifyChain(chained, source);
  return { entries, validBytes: offset, lines: chained, legacyLines };
}

function corrupt(where: string, problem: string, source: string): UsageError {
  return new UsageError(
    "bad-ledger",
    `${where} ${problem}: the ledger is auto-optimize's record of the experiment and was changed by hand or damaged. Restore ${source} from git.`,
  );
}
