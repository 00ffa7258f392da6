import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import type { LedgerEvent } from "../src/experiment/events.js";
import { Ledger, parseLedgerText } from "../src/experiment/ledger.js";
import { genesisHash, lineHash } from "../src/experiment/ledger-chain.js";

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
    expect(
      Ledger.open(path).entries.map(({ seq: _s, at: _a, prev: _p, ...event }) => event),
    ).toEqual(EVENTS);
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

describe("ledger chain", () => {
  const chained = () => {
    dir = mkdtempSync(join(tmpdir(), "ledger-test-"));
    const path = join(dir, "ledger.jsonl");
    const ledger = Ledger.open(path);
    for (const event of EVENTS) ledger.append(event);
    return { path, lines: readFileSync(path, "utf8").split("\n").slice(0, -1) };
  };
  const codeOf = (text: string) => {
    try {
      parseLedgerText(text, "ledger.jsonl");
      return null;
    } catch (error) {
      return error as UsageError;
    }
  };

  it("chains each event to the line before it, the first to its experiment's genesis", () => {
    dir = mkdtempSync(join(tmpdir(), "ledger-test-"));
    const path = join(dir, "ledger.jsonl");
    const ledger = Ledger.open(path);
    const created = { experiment: "exp-001-x", branch: "auto-optimize/exp-001-x", baseCommit: "b" };
    ledger.append({ type: "experiment-created", ...created });
    ledger.append({ type: "run-started", agent: "host" });
    const lines = readFileSync(path, "utf8").split("\n");
    const [first, second] = Ledger.open(path).entries;
    expect(first?.prev).toBe(genesisHash({ type: "experiment-created", ...created }));
    expect(first?.prev).not.toBe(
      genesisHash({ type: "experiment-created", ...created, experiment: "exp-002-x" }),
    );
    expect(second?.prev).toBe(lineHash(lines[0] as string));
  });

  it("refuses an event appended by hand without the chain, naming its line", () => {
    const { lines } = chained();
    const forged = JSON.stringify({ type: "stopped", reason: "forged", seq: 5, at: "2025-01-01" });
    const error = codeOf(`${[...lines, forged].join("\n")}\n`);
    expect(error).toMatchObject({ code: "ledger-forged" });
    expect(error?.message).toContain("ledger.jsonl line 5 has no 'prev' hash");
    expect(error?.message).toContain("git checkout HEAD -- ledger.jsonl");
  });

  it("refuses an edited line, a removed line and a line whose prev was copied", () => {
    const { lines } = chained();
    const edited = [...lines];
    edited[1] = (edited[1] as string).replace(
      '"best":"0123456789abcdef"',
      '"best":"feedfacefeedface"',
    );
    expect(codeOf(edited.join("\n"))?.message).toContain(
      "line 3 does not follow line 2 (its 'prev' is not the hash of that line)",
    );
    const removed = [lines[0], lines[1], lines[3]].join("\n");
    expect(codeOf(removed)?.message).toContain("line 3 carries seq 4 where 3 was due");
    const last = JSON.parse(lines[3] as string);
    const copied = JSON.stringify({ ...last, seq: 5, decision: "keep", reason: "forged" });
    expect(codeOf([...lines, copied].join("\n"))?.message).toContain(
      "line 5 does not follow line 4",
    );
  });

  it("opens a ledger written before the chain, chains what follows, and refuses unchained lines after chained ones", () => {
    const { path, lines } = chained();
    const legacy = lines.map((line) => {
      const { prev: _p, ...rest } = JSON.parse(line);
      return JSON.stringify(rest);
    });
    writeFileSync(path, `${legacy.join("\n")}\n`);
    const opened = Ledger.open(path);
    expect(opened.legacyLines).toBe(4);
    opened.append({ type: "stopped", reason: "upgraded" });
    const again = Ledger.open(path);
    expect(again.legacyLines).toBe(4);
    expect(again.entries.at(-1)?.prev).toBe(lineHash(legacy[3] as string));
    const text = readFileSync(path, "utf8");
    const after = JSON.stringify({ type: "stopped", reason: "hand", seq: 6, at: "2025-01-01" });
    expect(codeOf(`${text}${after}\n`)?.message).toContain("line 6 has no 'prev' hash");
  });
});

describe("ledger witness", () => {
  /** A ledger where auto-optimize keeps it: experiments/<name>/ in a main working tree. */
  function experimentLedger(withGit: boolean): string {
    const root = mkdtempSync(join(tmpdir(), "auto-optimize-witness-"));
    dir = root;
    if (withGit) mkdirSync(join(root, ".git"));
    const folder = join(root, "experiments", "exp-001-x");
    mkdirSync(folder, { recursive: true });
    return join(folder, "ledger.jsonl");
  }

  /** A line chained correctly after the ledger's last one, as a forger who computes sha256 would. */
  function forgeAfter(path: string): void {
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    const last = lines.at(-1) as string;
    const entry = {
      type: "stopped",
      reason: "forged",
      seq: lines.length + 1,
      at: "x",
      prev: lineHash(last),
    };
    writeFileSync(path, `${[...lines, JSON.stringify(entry)].join("\n")}\n`);
  }

  it("refuses a well-chained line auto-optimize never wrote", () => {
    const path = experimentLedger(true);
    const ledger = Ledger.open(path);
    for (const event of EVENTS) ledger.append(event);
    forgeAfter(path);
    expect(() => Ledger.open(path)).toThrow(/line 5 \(stopped\) was not written by auto-optimize/);
  });

  it("accepts the ledger again once the forged line is gone, and lines removed by a reset", () => {
    const path = experimentLedger(true);
    const ledger = Ledger.open(path);
    for (const event of EVENTS) ledger.append(event);
    const honest = readFileSync(path, "utf8");
    forgeAfter(path);
    writeFileSync(path, honest);
    expect(Ledger.open(path).entries).toHaveLength(4);
    const firstTwo = honest.split("\n").slice(0, 2).join("\n");
    writeFileSync(path, `${firstTwo}\n`);
    expect(Ledger.open(path).entries).toHaveLength(2);
  });

  it("checks by the chain alone where there is no repository to keep the witness in", () => {
    const path = experimentLedger(false);
    const ledger = Ledger.open(path);
    for (const event of EVENTS) ledger.append(event);
    forgeAfter(path);
    expect(Ledger.open(path).entries).toHaveLength(5);
  });
});
