import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_DECISION } from "../src/measure/decision.js";
import { compareInterleaved } from "../src/measure/interleaved.js";
import { replayDecision } from "../src/measure/round-decision.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A checkout whose benchmark prints `base` plus fresh noise on every run. */
function checkout(base: number): string {
  const dir = mkdtempSync(join(tmpdir(), "auto-optimize-replay-"));
  dirs.push(dir);
  writeFileSync(join(dir, "base.txt"), `${base}\n`);
  return dir;
}

describe("replayDecision: the decision again from the raw rounds alone", () => {
  it("reaches the comparison's own decision on its rounds, and none on rounds it could not have stopped at", async () => {
    const schedule = { minRounds: 6, lookEvery: 3, maxRounds: 12 };
    const settings = { ...DEFAULT_DECISION, maxRounds: 12, minEffect: 0.01 };
    const seed = 1234;
    const result = await compareInterleaved(
      { label: "a", cwd: checkout(100) },
      { label: "b", cwd: checkout(97) },
      {
        bench: {
          command: `n=$(od -An -N2 -tu2 /dev/urandom); awk -v b="$(cat base.txt)" -v n="$n" 'BEGIN { printf "t=%.4f\\n", b * (1 + n / 65535 / 20) }'`,
          timeoutMs: 10_000,
          format: "auto",
          metrics: [],
        },
        schedule,
        settings,
        seed,
      },
    );
    const metrics = { scenarios: result.scenarios, counters: result.counters };
    const replayed = replayDecision(metrics, result.rounds, schedule, settings, seed);
    expect(replayed?.decision).toEqual(result.decision);
    expect(replayed?.stoppedFor).toBe(result.stoppedFor);
    expect(replayed?.looks).toBe(result.looks);
    // A round short of where it stopped is no stopping point of this schedule.
    expect(
      replayDecision(metrics, result.rounds.slice(0, -1), schedule, settings, seed),
    ).toBeNull();
    // Another seed draws other bootstrap resamples: the same rounds, not the same interval.
    const other = replayDecision(metrics, result.rounds, schedule, settings, seed + 1);
    expect(other?.decision.overall).not.toEqual(result.decision.overall);
  });
});
