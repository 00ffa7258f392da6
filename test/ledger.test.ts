import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LedgerEvent } from "../src/experiment/events.js";
import { Ledger } from "../src/experiment/ledger.js";

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
});
