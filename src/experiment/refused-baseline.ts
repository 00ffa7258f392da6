import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { UsageError } from "../errors.js";
import type { EnvironmentSnapshot } from "../measure/environment.js";
import type { Observation } from "../measure/observe.js";
import { OutputInvariants } from "../measure/output-invariants.js";
import { RunOutput } from "../measure/run-output.js";
import { readJsonFile } from "../parse-json.js";
import { redactText } from "../redact.js";

const Sample = z.object({
  metrics: z.record(z.string(), z.number()),
  better: z.record(z.string(), z.enum(["lower", "higher"])),
  units: z.record(z.string(), z.string()),
  format: z.string(),
  wallMs: z.number(),
  cpuMs: z.number().nullable(),
  peakRssKb: z.number().nullable(),
  resourceNote: z.string(),
  counters: z.array(z.string()).default([]),
});

/**
 * The runs of a baseline refused as noisy, and what they measured: `baseline --accept-noise`
 * locks them when it would measure the same thing, instead of running the benchmark again.
 * The runs' output is kept only as the invariants learned from it.
 */
export const RefusedBaseline = z.object({
  measuredAt: z.string(),
  /** The same measurement: commit, command with knob arguments, knob environment, build. */
  commit: z.string(),
  command: z.string(),
  knobEnv: z.record(z.string(), z.string()),
  build: z.string().nullable(),
  /** experiment.json's text when measured: a changed definition measures anew. */
  definition: z.string(),
  /** The runs asked for (before the extra runs gathered for noise). */
  requestedRuns: z.number(),
  extraRuns: z.number(),
  names: z.array(
    z.object({
      name: z.string(),
      better: z.enum(["lower", "higher"]),
      unit: z.string().nullable(),
    }),
  ),
  samples: z.array(Sample),
  environment: z.record(z.string(), z.unknown()),
  resourceNote: z.string(),
  invariants: OutputInvariants.nullable(),
});
export type RefusedBaseline = z.infer<typeof RefusedBaseline>;

/** .git/auto-optimize/<experiment>.refused-baseline.json: not committed, it decides nothing. */
export function refusedBaselinePath(gitDir: string, name: string): string {
  return join(gitDir, "auto-optimize", `${name}.refused-baseline.json`);
}

export function saveRefusedBaseline(path: string, refused: RefusedBaseline): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, redactText(`${JSON.stringify(refused)}\n`));
}

export function readRefusedBaseline(path: string): RefusedBaseline | null {
  if (!existsSync(path)) return null;
  return readJsonFile(
    path,
    RefusedBaseline,
    (problem) =>
      new UsageError(
        "bad-refused-baseline",
        `${path} ${problem}: it holds the runs of a baseline refused as noisy. Delete it, or pass --fresh to measure the baseline again.`,
      ),
  );
}

export function discardRefusedBaseline(path: string): void {
  rmSync(path, { force: true });
}

/** What differs between the refused runs and the measurement asked for now; empty when none. */
export function refusedMismatch(
  refused: RefusedBaseline,
  now: Pick<
    RefusedBaseline,
    "commit" | "command" | "knobEnv" | "build" | "definition" | "requestedRuns"
  >,
): string[] {
  const differences: string[] = [];
  if (refused.commit !== now.commit) differences.push("the commit");
  if (refused.command !== now.command) differences.push("the benchmark command");
  if (JSON.stringify(refused.knobEnv) !== JSON.stringify(now.knobEnv))
    differences.push("the knobs' environment");
  if (refused.build !== now.build) differences.push("the build command");
  if (refused.definition !== now.definition) differences.push("experiment.json");
  if (refused.requestedRuns !== now.requestedRuns) differences.push("the number of runs");
  return differences;
}

/** The stored runs as observations (with no output: only their invariants were kept). */
export function refusedSamples(refused: RefusedBaseline): Observation[] {
  return refused.samples.map((s) => ({
    ...s,
    format: s.format as Observation["format"],
    output: RunOutput.of("", { truncated: false }),
  }));
}

export function refusedEnvironment(refused: RefusedBaseline): EnvironmentSnapshot {
  return refused.environment as unknown as EnvironmentSnapshot;
}
