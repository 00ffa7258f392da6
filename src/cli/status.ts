import type { Command } from "commander";
import { AutoOptimizeError } from "../errors.js";
import { verifyHistoryIfSettled } from "../experiment/history.js";
import { listExperiments, type OpenedExperiment, openExperiment } from "../experiment/open.js";
import { isRunning } from "../experiment/run-lock.js";
import { experimentStatus, formatStatus } from "../loop/status.js";
import { openRepository } from "../workspace/git.js";

interface StatusFlags {
  experiment?: string;
  json?: boolean;
}

/**
 * The experiment `status` and `report` are about: the one named, else the one `openExperiment`
 * picks (checked out, else the latest unfinished), else the latest in the working tree — a
 * finished experiment can still be looked at and reported.
 */
export async function openForReading(root: string, name?: string): Promise<OpenedExperiment> {
  try {
    return await openExperiment(root, name);
  } catch (error) {
    if (name !== undefined || !(error instanceof AutoOptimizeError)) throw error;
    if (error.code !== "no-experiment") throw error;
    const latest = (await listExperiments(root)).filter((e) => e.dir !== null).at(-1);
    if (!latest) throw error;
    return openExperiment(root, latest.name);
  }
}

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description(
      "Where an experiment stands: phase, iterations and budget, best so far, target, patience, cost.",
    )
    .option(
      "--experiment <name>",
      "the experiment (exp-001 or its full name; default: the current one)",
    )
    .option("--json", "print one JSON object")
    .action(async (flags: StatusFlags) => {
      const repository = await openRepository(process.cwd());
      const opened = await openForReading(repository.root, flags.experiment);
      await verifyHistoryIfSettled(repository.root, repository.gitDir, opened);
      const status = experimentStatus(opened.name, opened.experiment, opened.ledger, {
        running: isRunning(repository.gitDir, opened.name),
      });
      process.stdout.write(
        `${flags.json ? JSON.stringify(status, null, 2) : formatStatus(status)}\n`,
      );
    });
}
