import { existsSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LoopState } from "../../experiment/state.js";
import { type BestProfile, readBestProfile } from "../../profile/best-profile.js";
import { profileCurrentBest } from "../profile-best.js";
import type { HostSession } from "./session.js";

/**
 * Where `step next` stages the current best's profile of an iteration (profile-snapshot.txt,
 * profile.speedscope.json, disasm-snapshot.txt) until the plan names the iteration's folder; the
 * profile itself is kept beside it as JSON for the plan and evaluate steps, other processes.
 */
function stagingDir(session: HostSession, iteration: number): string {
  return join(session.worktrees.base, "host", `iteration-${iteration}`);
}

/**
 * The loop's profile before planning: the best checked out and built, profiled running the
 * benchmark with its knobs, disassembled too after two iterations in a row without a keep. Null
 * when the experiment turns profiling off or the best does not build.
 */
export async function profileForIteration(
  session: HostSession,
  state: LoopState,
  iteration: number,
): Promise<BestProfile | null> {
  const dir = stagingDir(session, iteration);
  const profile = await profileCurrentBest(
    session.opened.experiment,
    session.worktrees,
    state,
    dir,
    (detail) => session.progress(`profiling: ${detail}`),
  );
  if (!profile) return null;
  // Whole or not at all: a host killed mid-write must not leave half a JSON for the next step.
  await writeFile(`${dir}.json.tmp`, `${JSON.stringify(profile)}\n`);
  await rename(`${dir}.json.tmp`, `${dir}.json`);
  return profile;
}

/** The profile `step next` staged for the iteration, or null. */
export async function stagedProfile(
  session: HostSession,
  iteration: number,
): Promise<BestProfile | null> {
  const path = `${stagingDir(session, iteration)}.json`;
  return existsSync(path) ? readBestProfile(path) : null;
}
