import { FILES, iterationName } from "../experiment/layout.js";
import { runIsolationFor } from "../experiment/run-isolation.js";
import type { LoopState } from "../experiment/state.js";
import type { RunIsolation } from "../measure/run-isolation.js";
import { RunWatch, type WatchedTree } from "../workspace/run-watch.js";
import type { Candidate, EvaluationEnv } from "./evaluate.js";
import { readyBest } from "./measure-candidate.js";
import { laneOf } from "./measurement-lane.js";

/** How an evaluation's test and benchmark runs are isolated, and the watch over its checkouts. */
export interface EvaluationRuns {
  watch: RunWatch;
  best: RunIsolation;
  candidate: RunIsolation;
  /**
   * The files the check found changed: in the main tree they are the host's edits, which the
   * re-check after measuring compares with the snapshot (naming a change there rightly).
   */
  checkedFiles: Set<string>;
}

/**
 * Readies the best (checked out and built) and starts watching the checkouts: the best's
 * worktree, the candidate's (its reference is taken after each of its builds) and the main
 * working tree, where only auto-optimize's own appends to the ledger and the open iteration's
 * folder may change while runs go on.
 */
export async function openEvaluationRuns(
  env: EvaluationEnv,
  state: LoopState,
  candidate: Candidate,
): Promise<EvaluationRuns> {
  const { experiment, worktrees, root } = env;
  const checkedFiles = new Set<string>();
  const iterations = `${env.relativeDir}/${FILES.iterationsDir}/`;
  // A generation's siblings are planned and write their folders while this candidate's runs go on.
  const folders = env.generation
    ? [...env.generation.iterations].map((n) => iterationName(n, ""))
    : [`${candidate.folder}/`];
  const ours = (path: string) =>
    checkedFiles.has(path) ||
    path === `${env.relativeDir}/${FILES.ledger}` ||
    folders.some((folder) => path.startsWith(`${iterations}${folder}`));
  // The candidate runs in its snapshot's checkout (the candidate worktree) in both modes; the main
  // tree holds the host's edits in host mode, and is never where a run happens.
  const trees: WatchedTree[] = [
    { label: "the best's worktree", path: worktrees.bestPath, side: "A", removable: true },
    {
      label: "the candidate's worktree",
      path: worktrees.candidatePath,
      side: "B",
      removable: true,
    },
    {
      label: "the main working tree",
      path: root,
      side: null,
      removable: (path) => path.startsWith(`${env.relativeDir}/`),
      ours,
    },
  ];
  const best = await runIsolationFor(experiment, worktrees.bestPath);
  const watch = new RunWatch(trees, best.confinement.kind === "bwrap");
  // The best's checkout is shared by a generation's siblings: it is readied while none runs there.
  await laneOf(env).exclusive(async () => {
    await readyBest(
      {
        experiment,
        ledger: env.ledger,
        worktrees,
        candidatePath: candidate.path,
        onStep: env.onStep,
      },
      state,
    );
    await watch.reference("A");
  });
  await watch.reference(null);
  return {
    watch,
    best,
    candidate: await runIsolationFor(experiment, worktrees.candidatePath),
    checkedFiles,
  };
}
