import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { contentionProbe, parseBusyTicks } from "../src/measure/contention.js";
import { lastAllowedCpu } from "../src/measure/cpu-pinning.js";
import { DEFAULT_DECISION } from "../src/measure/decision.js";
import { compareInterleaved, type InterleavedEvent } from "../src/measure/interleaved.js";
import { loadLine } from "../src/measure/load-report.js";
import {
  EXTENSION_ALPHA_SHARE,
  extensionLooks,
  lookBoundaries,
  lookSchedule,
  runSequential,
} from "../src/measure/sequential.js";
import { sequentialBoundaries } from "../src/measure/stats/group-sequential.js";
import { createRng } from "../src/measure/stats/prng.js";

const statLine = (busy: number, idle = 5000) =>
  `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 ${busy} 0 0 ${idle} 0 0 0 0 0 0\nintr 1\n`;

describe("contention of a round", () => {
  it("counts user, nice, system, irq, softirq and steal ticks of all CPUs", () => {
    const stat =
      "cpu  2997558 9713 650288 599429 6610 0 5954 56473 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n";
    expect(parseBusyTicks(stat)).toBe(2997558 + 9713 + 650288 + 0 + 5954 + 56473);
    expect(parseBusyTicks("cpu0 1 2 3\n")).toBeNull();
    expect(parseBusyTicks("cpu  1 2 x 4 5 6 7 8\n")).toBeNull();
  });

  it("is the others' CPU time per second of the round: all ticks less the runs' own", () => {
    const dir = mkdtempSync(join(tmpdir(), "contention-"));
    const file = join(dir, "stat");
    try {
      writeFileSync(file, statLine(1000));
      const probe = contentionProbe(file);
      const finish = probe?.start();
      // 150 ticks = 1500 ms of CPU in a 1000 ms round whose two runs used 200 ms of it.
      writeFileSync(file, statLine(1150));
      const round = finish?.([100, 100], 1000);
      expect(round?.otherCores).toBeCloseTo(1.3, 1);
      expect(round?.loadAverage).toBeGreaterThanOrEqual(0);
      // Without a run's CPU time the others' cannot be told apart.
      expect(probe?.start()([100, null], 1000)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(contentionProbe(join(dir, "missing"))).toBeNull();
  });

  it("says in one line what the machine did", () => {
    const contention = {
      thresholdCores: 0.5,
      measuredRounds: 20,
      contendedRounds: 3,
      share: 0.15,
      reruns: 3,
      medianOtherCores: 0.12,
    };
    expect(loadLine({ contention, pinning: { pinned: true, cpus: "1" } })).toBe(
      "machine load: other processes kept more than 0.5 cores busy in 3 of 20 rounds (median 0.12 cores), 3 rounds run again; runs pinned to CPU 1",
    );
    expect(loadLine({})).toBeNull();
  });
});

describe("pinning to one CPU", () => {
  it("takes the last CPU of taskset's affinity list", () => {
    expect(lastAllowedCpu("pid 16550's current affinity list: 0,1\n")).toBe("1");
    expect(lastAllowedCpu("pid 7's current affinity list: 0-3,6\n")).toBe("6");
    expect(lastAllowedCpu("taskset: failed to get pid 7's affinity")).toBeNull();
  });
});

describe("the extension past max rounds", () => {
  const schedule = { minRounds: 10, lookEvery: 5, maxRounds: 40, extendTo: 80 };
  const looks = lookSchedule(schedule);
  const extension = extensionLooks(schedule);

  it("looks every 5 rounds up to twice the rounds, its alpha kept back from the main looks", () => {
    expect(extension).toEqual([45, 50, 55, 60, 65, 70, 75, 80]);
    const design = lookBoundaries(looks, 0.05, 1, extension);
    const main = sequentialBoundaries(looks, (1 - EXTENSION_ALPHA_SHARE) * 0.05);
    expect(design.slice(0, looks.length).map((b) => b.overall)).toEqual(
      main.map((z) => expect.closeTo(z, 6)),
    );
    expect(design[looks.length - 1]).toMatchObject({ finalRounds: 40 });
    expect(design[design.length - 1]).toMatchObject({ finalRounds: 80 });
  });

  it("keeps the chance of crossing any boundary under no effect at alpha", () => {
    // Standardized partial sums of normal rounds, as the interval sees them with a known spread.
    const z = lookBoundaries(looks, 0.05, 1, extension).map((b) => b.overall);
    const all = [...looks, ...extension];
    const rng = createRng(5);
    const paths = 20_000;
    let crossed = 0;
    for (let p = 0; p < paths; p++) {
      let sum = 0;
      let n = 0;
      for (const [k, look] of all.entries()) {
        while (n < look) {
          sum += rng.normal();
          n++;
        }
        if (sum / Math.sqrt(n) >= (z[k] as number)) {
          crossed++;
          break;
        }
      }
    }
    // ±3 standard errors of 20 000 paths around 5%.
    expect(Math.abs(crossed / paths - 0.05)).toBeLessThan(0.0046);
  });

  it("goes on past the main end only for a promising decision", async () => {
    const boundaries = lookBoundaries(looks, 0.05, 1, extension);
    const run = (promising: boolean) =>
      runSequential({
        looks,
        boundaries,
        extension: { looks: extension, promising: () => promising },
        runRound: () => {},
        decideAt: (count) => ({ settledBy: count === 60 ? ("efficacy" as const) : null }),
      });
    expect(await run(true)).toMatchObject({ rounds: 60, stoppedFor: "efficacy", extended: true });
    expect(await run(false)).toMatchObject({
      rounds: 40,
      stoppedFor: "max-rounds",
      extended: false,
    });
  });
});

describe("a contended round run again", () => {
  it("drops both arms' runs of the round and measures it anew, within the bound", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rerun-"));
    const stat = join(dir, "stat");
    // Each run counts itself; runs 3 and 4 (round 1, after the two warm-ups) and 5 and 6 (its
    // re-run) each add 300 ticks of other processes' CPU time, as a neighbour would.
    writeFileSync(stat, statLine(1000));
    writeFileSync(
      join(dir, "bench.sh"),
      `n=$(( $(cat count 2>/dev/null || echo 0) + 1 )); echo $n > count
busy=$(awk '/^cpu /{print $2}' "${stat}")
case $n in 3|4|5|6) busy=$((busy + 300));; esac
printf 'cpu  %s 0 0 5000 0 0 0 0 0 0\\n' $busy > "${stat}"
echo "t: 10 ms"
`,
    );
    const events: InterleavedEvent[] = [];
    try {
      const arm = { label: "same", cwd: dir };
      const result = await compareInterleaved(
        arm,
        { ...arm },
        {
          bench: { command: "sh bench.sh", timeoutMs: 10_000, format: "auto", metrics: [] },
          schedule: { minRounds: 4, lookEvery: 4, maxRounds: 4 },
          settings: { ...DEFAULT_DECISION, maxRounds: 4 },
          seed: 1,
          statFile: stat,
          rerunContended: { thresholdCores: 0.5, maxReruns: 1 },
          onEvent: (event) => events.push(event),
        },
      );
      expect(
        events.filter((e) => e.kind === "rerun").map((e) => e.kind === "rerun" && e.round),
      ).toEqual([1]);
      expect(result.rounds).toHaveLength(4);
      // The bound spent, round 1's second try is kept although contended too.
      expect(result.contention).toMatchObject({
        reruns: 1,
        measuredRounds: 4,
        contendedRounds: 1,
        share: 0.25,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
