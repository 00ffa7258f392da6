import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import type { LedgerEvent } from "../src/experiment/events.js";
import { Ledger, parseLedgerText } from "../src/experiment/ledger.js";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const EVENTS: LedgerEvent[] = [
  { type: "run-started", agent: "tuner" },
  { type: "iteration-started", iteration: 1, best: "0123456789abcdef" },
  // multi-byte characters: a cut can fall inside one
  { type: "planned", iteration: 1, strategy: "π ≈ 3.14 — ünïcode ✓ 🚀", folder: "iter-001-pi" },
  { type: "decided", iteration: 1, decision: "drop", reason: "inconclusive: −0.4% [−1.2%, +0.5%]" },
];

describe("ledger", () => {
  it("after a crash at any byte of a write, keeps every complete event and appends cleanly after them", () => {
    dir = mkdtempSync(join(tmpdir(), "ledger-test-"));
    const full = join(dir, "full.jsonl");
    const ledger = Ledger.open(full);
    for (const event of EVENTS) ledger.append(event);
    const bytes = readFileSync(full);
    const lineEnds: number[] = [];
    bytes.forEach((byte, i) => {
      if (byte === 0x0a) lineEnds.push(i);
    });
    expect(lineEnds).toHaveLength(EVENTS.length);

    const torn = join(dir, "torn.jsonl");
    for (let cut = 0; cut <= bytes.length; cut++) {
      writeFileSync(torn, bytes.subarray(0, cut));
      // complete: every line whose JSON is whole (its newline may be what the crash lost)
      const complete = lineEnds.filter((end) => end <= cut).length;
      const reopened = Ledger.open(torn);
      expect(
        reopened.entries.map((e) => e.type),
        `cut at byte ${cut}`,
      ).toEqual(EVENTS.slice(0, complete).map((e) => e.type));

      reopened.append({ type: "stopped", reason: `resumed after a cut at ${cut}` });
      const text = readFileSync(torn, "utf8");
      expect(text.endsWith("\n"), `cut at byte ${cut}`).toBe(true);
      const lines = text.slice(0, -1).split("\n");
      expect(
        lines.map((line) => JSON.parse(line).type),
        `cut at byte ${cut}`,
      ).toEqual([...EVENTS.slice(0, complete).map((e) => e.type), "stopped"]);
      const again = Ledger.open(torn);
      expect(again.entries.map((e) => e.seq)).toEqual(
        Array.from({ length: complete + 1 }, (_, i) => i + 1),
      );
      expect(again.entries.at(-1)).toMatchObject({
        type: "stopped",
        reason: `resumed after a cut at ${cut}`,
      });
    }
  });

  it("keeps the text of events exactly, multi-byte characters included", () => {
    dir = mkdtempSync(join(tmpdir(), "ledger-test-"));
    const path = join(dir, "ledger.jsonl");
    const ledger = Ledger.open(path);
    for (const event of EVENTS) ledger.append(event);
    expect(Ledger.open(path).entries.map(({ seq: _s, at: _a, ...event }) => event)).toEqual(EVENTS);
  });

  it("refuses a damaged line before the last, naming the file and the line", () => {
    dir = mkdtempSync(join(tmpdir(), "ledger-test-"));
    const path = join(dir, "ledger.jsonl");
    const ledger = Ledger.open(path);
    for (const event of EVENTS) ledger.append(event);
    const lines = readFileSync(path, "utf8").split("\n");
    writeFileSync(path, [lines[0], lines[1]?.slice(0, 20), ...lines.slice(2)].join("\n"));
    const error = (() => {
      try {
        Ledger.open(path);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: "bad-ledger" });
    expect((error as Error).message).toContain(`${path} line 2 is not JSON`);
  });

  it("refuses an event that does not match its type, even on the last line", () => {
    dir = mkdtempSync(join(tmpdir(), "ledger-test-"));
    const path = join(dir, "ledger.jsonl");
    const ledger = Ledger.open(path);
    for (const event of EVENTS) ledger.append(event);
    const entry = { ...ledger.entries[3], decision: "unchanged" };
    const lines = readFileSync(path, "utf8").split("\n").slice(0, 3);
    writeFileSync(path, `${[...lines, JSON.stringify(entry)].join("\n")}\n`);
    expect(() => Ledger.open(path)).toThrow(
      `${path} line 4 is not a ledger event: decision: Invalid option`,
    );
  });

  it("names the source it was given for a ledger read from git", () => {
    const source = "auto-optimize/exp-001-x:experiments/exp-001-x/ledger.jsonl";
    const text = '{"type":"stopped","reason":"done","seq":1,"at":"2025-01-01T00:00:00Z"}\n';
    expect(parseLedgerText(text, source).entries).toHaveLength(1);
    expect(() => parseLedgerText(`{"type":"stopped","seq":1}\n${text}`, source)).toThrow(
      `${source} line 1 is not a ledger event: reason:`,
    );
  });
});
