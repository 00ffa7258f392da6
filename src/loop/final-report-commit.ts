import { requireIntact } from "../experiment/intact.js";
import type { OpenedExperiment } from "../experiment/open.js";
import { acquireRunLock } from "../experiment/run-lock.js";
import { git, openRepository } from "../workspace/git.js";
import { stageToolFiles } from "../workspace/stage-tool-files.js";
import { type FinalReportResult, writeFinalReport } from "./final-report.js";

/**
 * Writes final-report.md and commits it with the experiment folder (`experiment(exp-NNN): final
 * report`), holding the experiment's run lock: the re-measure must not race a run or a step. The
 * report is written only over an intact experiment whose history its ledger accounts for.
 */
export async function commitFinalReport(input: {
  root: string;
  opened: OpenedExperiment;
  remeasure: { maxRounds: number } | null;
  onStep?: (text: string) => void;
}): Promise<FinalReportResult & { commit: string }> {
  const { root, opened } = input;
  const release = acquireRunLock((await openRepository(root)).gitDir, opened.name);
  try {
    await requireIntact(root, opened.path, opened.ledger);
    return await writeAndCommit(input);
  } finally {
    release();
  }
}

async function writeAndCommit(input: Parameters<typeof commitFinalReport>[0]) {
  const { root, opened } = input;
  const result = await writeFinalReport({
    root,
    name: opened.name,
    dir: opened.dir,
    experiment: opened.experiment,
    ledger: opened.ledger,
    remeasure: input.remeasure,
    onStep: input.onStep,
  });
  await stageToolFiles(root, [opened.path]);
  await git(
    [
      "commit",
      "--quiet",
      "-m",
      `experiment(${opened.experiment.id}): final report`,
      "--",
      opened.path,
    ],
    root,
  );
  return { ...result, commit: await git(["rev-parse", "HEAD"], root) };
}
