import { describe, expect, it } from "vitest";
import { stepPrinter } from "../src/cli/step-printer.js";
import { DEFAULT_DECISION, decide } from "../src/measure/decision.js";
import { roundProgress, worthALine } from "../src/measure/round-progress.js";
import { createRng } from "../src/measure/stats/prng.js";

const ten = (v: number) => Array.from({ length: 10 }, () => v);

describe("round progress (issue 13, item 19)", () => {
  it("says round k of at most N with the current estimate, and each look's interval", () => {
    const texts: string[] = [];
    const onEvent = roundProgress(40, (text) => texts.push(text));
    onEvent({ kind: "warmup", arm: "A" });
    onEvent({ kind: "round", round: 1, order: "AB" });
    onEvent({ kind: "round-done", round: 1, estimate: 0.123 });
    const decision = decide(
      [{ name: "ms", better: "lower", a: ten(100), b: ten(80) }],
      null,
      { overall: 2.5, perScenario: 2.5, finalOverall: 2.5 },
      DEFAULT_DECISION,
      createRng(1),
    );
    onEvent({ kind: "look", rounds: 10, decision });
    expect(texts).toEqual([
      "round 1 of at most 40 · current estimate +12.3%",
      "look after 10 of at most 40 rounds: +20.0% [+20.0%, +20.0%], settled: improved",
    ]);
  });

  it("names the extension's bound once a promising comparison goes past max rounds", () => {
    const texts: string[] = [];
    const onEvent = roundProgress(40, (text) => texts.push(text), 80);
    onEvent({ kind: "round-done", round: 40, estimate: 0.03 });
    onEvent({ kind: "round-done", round: 45, estimate: 0.03 });
    expect(texts).toEqual([
      "round 40 of at most 40 · current estimate +3.0%",
      "round 45 of at most 80 (extended) · current estimate +3.0%",
    ]);
    expect(worthALine(texts[1] as string)).toBe(true);
  });

  it("prints the first and every fifth round and every look where lines are not rewritten", () => {
    const writes: string[] = [];
    const print = stepPrinter({ write: (chunk: string) => writes.push(chunk) });
    for (let k = 1; k <= 10; k++)
      print(`measuring: round ${k} of at most 40 · current estimate +1.0%`);
    print("measuring: look after 10 of at most 40 rounds: +1.0% [-2.0%, +4.0%], not settled");
    print("committing");
    expect(writes.map((w) => w.match(/round (\d+)|look|committing/)?.[0])).toEqual([
      "round 1",
      "round 5",
      "round 10",
      "look",
      "committing",
    ]);
    expect(worthALine("testing")).toBe(true);
  });
});
