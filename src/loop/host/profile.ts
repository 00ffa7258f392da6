import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { knobRunTarget } from "../../experiment/knobs.js";
import { type BestProfile, profileBest } from "../../profile/snapshot.js";
import { runCheckCommand } from "../commands.js";
import type { LoopState } from "../state.js";
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
  const { experiment } = session.opened;
  const { worktrees } = session;
  if (experiment.profiling?.enabled === false) return null;
  const timeoutMs = experiment.measurement.timeoutSeconds * 1000;
  if (await worktrees.prepareBest(state.best.commit)) {
    if (experiment.commands.build) {
      session.progress("building the best");
      const built = await runCheckCommand(
        "the build",
        experiment.commands.build,
        { cwd: worktrees.bestPath },
        timeoutMs,
      );
      if (!built.ok) return null;
    }
    worktrees.markBestBuilt(state.best.commit);
  }
  session.progress("profiling the best, running the benchmark");
  const target = knobRunTarget(experiment.knobs, state.best.knobs);
  const dir = stagingDir(session, iteration);
  const profile = await profileBest({
    dir,
    cwd: worktrees.bestPath,
    command: target.args
      ? `${experiment.commands.bench} ${target.args}`
      : experiment.commands.bench,
    env: target.env,
    timeoutMs,
    disasm: state.sinceLastKeep >= 2,
    log: session.progress,
  });
  await writeFile(`${dir}.json`, `${JSON.stringify(profile)}\n`);
  return profile;
}

/** The profile `step next` staged for the iteration, or null. */
export async function stagedProfile(
  session: HostSession,
  iteration: number,
): Promise<BestProfile | null> {
  const path = `${stagingDir(session, iteration)}.json`;
  return existsSync(path) ? (JSON.parse(await readFile(path, "utf8")) as BestProfile) : null;
}
