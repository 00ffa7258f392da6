import { describe, expect, it } from "vitest";
import { environmentDrift, measuredDrift } from "../src/loop/drift.js";

const snapshot = (load: string) => `cpus: 4\nload average: ${load}\nnode: v20.0.0\n`;
const ms = { name: "ms", direction: "lower" as const };

describe("environment drift from what was measured (issue 13, item 18)", () => {
  it("reports the best's own median 44% above its last measurement", () => {
    const drift = measuredDrift({ label: "the baseline", before: 46.335, now: 66.72 }, ms);
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatch(
      /^the best \(the baseline\) measured 66\.72 ms in this comparison against 46\.34 when it was last measured \(\+44\.0%\): the same code did worse/,
    );
  });

  it("says nothing when the best measured within 10% of its last run, and knows which way is better", () => {
    expect(measuredDrift({ label: "iteration 2", before: 100, now: 105 }, ms)).toEqual([]);
    expect(measuredDrift({ label: "iteration 2", before: 100, now: null }, ms)).toEqual([]);
    const throughput = { name: "ops", direction: "higher" as const };
    expect(measuredDrift({ label: "iteration 2", before: 100, now: 70 }, throughput)[0]).toMatch(
      /\(-30\.0%\): the same code did worse/,
    );
  });

  it("reports load that doubled although it stays below the CPUs", () => {
    expect(environmentDrift(snapshot("1.00 1.00 1.00"), snapshot("2.10 1.50 1.00"))).toEqual([
      "load average rose to 2.10 (baseline 1.00) on 4 CPUs",
    ]);
    expect(environmentDrift(snapshot("1.00 1.00 1.00"), snapshot("1.20 1.00 1.00"))).toEqual([]);
  });
});
