import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  truncateSync,
  writeSync,
} from "node:fs";
import type { LedgerEntry, LedgerEvent } from "./events.js";

/**
 * The append-only event log of an experiment. Each append is one JSON line, flushed to disk
 * (fsync) before it returns, so after a crash the ledger holds every step that completed. A torn
 * last line (the crash hit mid-write) is dropped on open and cut off before the next append; one
 * that lost only its newline is whole, kept, and given its newline by the next append.
 */
export class Ledger {
  private constructor(
    readonly path: string,
    private readonly loaded: LedgerEntry[],
    private validBytes: number,
    /** The last complete event lost only its newline in a crash: the next append restores it. */
    private missingNewline: boolean,
  ) {}

  static open(path: string): Ledger {
    if (!existsSync(path)) return new Ledger(path, [], 0, false);
    const text = readFileSync(path, "utf8");
    const total = Buffer.byteLength(text);
    const entries: LedgerEntry[] = [];
    let offset = 0;
    for (const line of text.split("\n")) {
      // The text after the last newline has no newline of its own: never count one past the end,
      // or the next append's truncate would extend the file with a NUL byte.
      const end = Math.min(offset + Buffer.byteLength(line) + 1, total);
      if (line.trim() === "") {
        offset = end;
        continue;
      }
      try {
        entries.push(JSON.parse(line) as LedgerEntry);
      } catch {
        break;
      }
      offset = end;
    }
    const missingNewline = offset > 0 && offset === total && !text.endsWith("\n");
    return new Ledger(path, entries, offset, missingNewline);
  }

  get entries(): readonly LedgerEntry[] {
    return this.loaded;
  }

  append(event: LedgerEvent): LedgerEntry {
    const entry = {
      ...event,
      seq: this.loaded.length + 1,
      at: new Date().toISOString(),
    } as LedgerEntry;
    if (existsSync(this.path)) truncateSync(this.path, this.validBytes);
    const line = `${this.missingNewline ? "\n" : ""}${JSON.stringify(entry)}\n`;
    const fd = openSync(this.path, "a");
    try {
      writeSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.validBytes += Buffer.byteLength(line);
    this.missingNewline = false;
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
