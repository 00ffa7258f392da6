import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Plan } from "../agent/types.js";
import { FILES, iterationName, slugify } from "../experiment/layout.js";
import type { Ledger } from "../experiment/ledger.js";
import { type BestProfile, snapshotIntoIteration, wantsDisassembly } from "../profile/snapshot.js";
import { createIterationFolder, writePlan } from "./artifacts.js";
import { faultPoint } from "./fault.js";
import type { LoopWorktrees } from "./worktrees.js";

/** The steps before an evaluation, shared by the loop and host mode: open, then record the plan. */

/**
 * Opens iteration `iteration` from the current best (`iteration-started`), with the repository's
 * exclude file kept as the ignore rules the candidate's check trusts — as the first sibling of a
 * generation found it, for its later siblings (the others may be editing by then).
 */
export async function startIteration(
  ledger: Ledger,
  worktrees: LoopWorktrees,
  iteration: number,
  best: string,
  generation?: { slot: number; size: number },
): Promise<void> {
  if (!generation || generation.slot === 0) await worktrees.snapshotExclude();
  ledger.append({ type: "iteration-started", iteration, best, ...(generation && { generation }) });
  faultPoint("after-start", iteration);
}

export interface RecordedPlan {
  /** The iteration's folder under iterations/, and the same absolute. */
  folder: string;
  path: string;
  /** The best's hot spots as staged into the folder (the plan may have asked for disassembly). */
  hotspots: string | null;
}

/**
 * Records an accepted plan: the iteration's folder (named by the strategy) with plan.md,
 * plan.json and the best's profile (disassembled too when the plan asks for it), then `planned`.
 */
export async function recordPlan(
  experimentDir: string,
  ledger: Ledger,
  iteration: number,
  plan: Plan,
  profile: BestProfile | null,
): Promise<RecordedPlan> {
  const folder = iterationName(iteration, slugify(plan.strategy));
  await removeLeftovers(experimentDir, iteration);
  const path = join(experimentDir, FILES.iterationsDir, folder);
  await createIterationFolder(path);
  await writePlan(path, plan);
  const hotspots = await snapshotIntoIteration(profile, path, wantsDisassembly(plan.data));
  ledger.append({ type: "planned", iteration, strategy: plan.strategy, folder });
  faultPoint("after-plan", iteration);
  return { folder, path, hotspots };
}

/**
 * Folders of this iteration number that a killed plan step left behind (written, never recorded):
 * a plan recorded again under another strategy must not leave them in the tree.
 */
async function removeLeftovers(experimentDir: string, iteration: number): Promise<void> {
  const dir = join(experimentDir, FILES.iterationsDir);
  if (!existsSync(dir)) return;
  const prefix = iterationName(iteration, "");
  for (const name of await readdir(dir)) {
    if (name.startsWith(prefix)) await rm(join(dir, name), { recursive: true, force: true });
  }
}
