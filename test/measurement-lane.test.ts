import { describe, expect, it } from "vitest";
import { MeasurementLane } from "../src/loop/measurement-lane.js";

/** A piece of work that starts when the lane lets it and ends when the test says so. */
function gate(log: string[], name: string) {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    work: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
    },
    finish: () => finish(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("the measurement lane", () => {
  it("runs builds and tests side by side, and a comparison alone", async () => {
    const lane = new MeasurementLane();
    const log: string[] = [];
    const build1 = gate(log, "build 1");
    const build2 = gate(log, "build 2");
    const compare = gate(log, "compare");
    const build3 = gate(log, "build 3");
    const all = [
      lane.shared(build1.work),
      lane.shared(build2.work),
      lane.exclusive(compare.work),
      // Arrives after the waiting comparison: it waits for it, so a comparison is never starved.
      lane.shared(build3.work),
    ];
    await settle();
    expect(log).toEqual(["start build 1", "start build 2"]);
    build1.finish();
    await settle();
    expect(log).toEqual(["start build 1", "start build 2", "end build 1"]);
    build2.finish();
    await settle();
    expect(log.slice(3)).toEqual(["end build 2", "start compare"]);
    compare.finish();
    await settle();
    expect(log.slice(5)).toEqual(["end compare", "start build 3"]);
    build3.finish();
    await Promise.all(all);
    expect(log.at(-1)).toBe("end build 3");
  });

  it("lets one comparison after another, and frees the lane when the work throws", async () => {
    const lane = new MeasurementLane();
    const log: string[] = [];
    const first = gate(log, "compare 1");
    const failing = lane.exclusive(async () => {
      log.push("start failing");
      throw new Error("benchmark crashed");
    });
    const second = lane.exclusive(first.work);
    await expect(failing).rejects.toThrow("benchmark crashed");
    await settle();
    expect(log).toEqual(["start failing", "start compare 1"]);
    const build = gate(log, "build");
    const after = lane.shared(build.work);
    await settle();
    expect(log).not.toContain("start build");
    first.finish();
    await second;
    await settle();
    expect(log.at(-1)).toBe("start build");
    build.finish();
    await after;
  });
});
