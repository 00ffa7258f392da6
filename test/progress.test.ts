import { describe, expect, it } from "vitest";
import { createProgress, formatElapsed } from "../src/loop/progress.js";

function fakeStream(options: { isTTY?: boolean; columns?: number } = {}) {
  const writes: string[] = [];
  return { writes, stream: { ...options, write: (chunk: string) => writes.push(chunk) } };
}

const START = 1_000_000;
// 2 min 31 s after the start, always: elapsed time is shown, never asserted as a measurement
const clock = () => START + 151_000;

describe("progress", () => {
  it("writes a plain line only when the iteration or the step changes when the stream is no terminal", () => {
    const { writes, stream } = fakeStream();
    const progress = createProgress({ stream, total: 10, startedAt: START, now: clock, env: {} });
    progress.update({ iteration: 1, step: "planning" });
    progress.update({ iteration: 1, step: "planning" });
    progress.update({ iteration: 1, step: "measuring", detail: "round 1/40" });
    progress.update({ iteration: 1, step: "measuring", detail: "round 2/40" });
    progress.line("iteration 1: kept (+12.3%)");
    progress.update({
      iteration: 2,
      step: "measuring",
      detail: "round 1/40",
      best: "182.4 ms (-12.3%)",
    });
    progress.done();
    expect(writes).toEqual([
      "iteration 1/10 · planning · 02:31 elapsed\n",
      "iteration 1/10 · measuring · round 1/40 · 02:31 elapsed\n",
      "iteration 1: kept (+12.3%)\n",
      "iteration 2/10 · measuring · round 1/40 · 02:31 elapsed · best 182.4 ms (-12.3%)\n",
    ]);
    expect(writes.join("")).not.toContain("\r");
    expect(writes.join("")).not.toContain("\x1b");
  });

  it("writes plain lines at a comparison's milestones: the first and every fifth round, each look (issue 13, item 19)", () => {
    const { writes, stream } = fakeStream();
    const progress = createProgress({ stream, total: 10, startedAt: START, now: clock, env: {} });
    for (let k = 1; k <= 6; k++)
      progress.update({
        iteration: 1,
        step: "measuring",
        detail: `round ${k} of at most 40 · current estimate +4.0%`,
      });
    expect(writes).toEqual([
      "iteration 1/10 · measuring · round 1 of at most 40 · current estimate +4.0% · 02:31 elapsed\n",
      "iteration 1/10 · measuring · round 5 of at most 40 · current estimate +4.0% · 02:31 elapsed\n",
    ]);
  });

  it("is plain on a terminal when CI is set, or when asked", () => {
    for (const [env, plain] of [
      [{ CI: "true" }, undefined],
      [{ CI: "1" }, undefined],
      [{}, true],
    ] as const) {
      const { writes, stream } = fakeStream({ isTTY: true });
      const progress = createProgress({
        stream,
        total: 3,
        startedAt: START,
        now: clock,
        env,
        plain,
      });
      progress.update({ iteration: 1, step: "testing" });
      progress.update({ iteration: 1, step: "testing", detail: "again" });
      expect(writes).toEqual(["iteration 1/3 · testing · 02:31 elapsed\n"]);
    }
  });

  it("rewrites one live line in place on a terminal", () => {
    const { writes, stream } = fakeStream({ isTTY: true });
    const progress = createProgress({
      stream,
      total: 10,
      startedAt: START,
      now: clock,
      env: { CI: "false" },
    });
    progress.update({
      iteration: 3,
      step: "measuring",
      detail: "round 12/40",
      best: "182.4 ms (-12.3%)",
    });
    progress.update({
      iteration: 3,
      step: "measuring",
      detail: "round 13/40",
      best: "182.4 ms (-12.3%)",
    });
    progress.line("iteration 3: dropped");
    progress.done();
    progress.update({ iteration: 4, step: "planning" });
    expect(writes).toEqual([
      "\riteration 3/10 · measuring · round 12/40 · 02:31 elapsed · best 182.4 ms (-12.3%)\x1b[K",
      "\riteration 3/10 · measuring · round 13/40 · 02:31 elapsed · best 182.4 ms (-12.3%)\x1b[K",
      // a line of its own: clear the live line, print, draw the live line again below it
      "\r\x1b[K",
      "iteration 3: dropped\n",
      "\riteration 3/10 · measuring · round 13/40 · 02:31 elapsed · best 182.4 ms (-12.3%)\x1b[K",
      // done ends the live line; nothing is drawn after it
      "\n",
    ]);
  });

  it("cuts the live line to the terminal's width so it never wraps", () => {
    const { writes, stream } = fakeStream({ isTTY: true, columns: 30 });
    const progress = createProgress({ stream, total: 10, startedAt: START, now: clock, env: {} });
    progress.update({ iteration: 3, step: "measuring", detail: "round 12/40" });
    const text = (writes[0] as string).replace("\r", "").replace("\x1b[K", "");
    expect(text).toBe("iteration 3/10 · measuring ·…");
    expect(text.length).toBe(29);
  });

  it("formats elapsed time as mm:ss, with hours past an hour", () => {
    expect(formatElapsed(0)).toBe("00:00");
    expect(formatElapsed(151_999)).toBe("02:31");
    expect(formatElapsed(3_600_000 + 62_000)).toBe("1:01:02");
  });
});
