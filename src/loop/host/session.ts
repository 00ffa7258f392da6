import { join } from "node:path";
import { InterruptedError, UsageError } from "../../errors.js";
import { requireIntact } from "../../experiment/intact.js";
import { FILES } from "../../experiment/layout.js";
import { currentBranch, type OpenedExperiment, openExperiment } from "../../experiment/open.js";
import { acquireRunLock } from "../../experiment/run-lock.js";
import { withInterrupt } from "../../measure/interrupt.js";
import { redactText } from "../../redact.js";
import { git, openRepository } from "../../workspace/git.js";
import { stageToolFiles } from "../../workspace/stage-tool-files.js";
import { LoopWorktrees } from "../worktrees.js";
import type { HostInterface } from "./protocol.js";
import { recoverHost } from "./recover.js";
import { requireRecorded } from "./require-recorded.js";

export interface HostOptions {
  /** Anywhere inside the repository. */
  cwd: string;
  /** The experiment (exp-001 or its full name); default: the one checked out. */
  experiment?: string;
  /** Whether hints name the shell commands or the MCP tools (default: the commands). */
  via?: HostInterface;
  /** Long steps (evaluate) report what they are doing. */
  onProgress?: (message: string) => void;
}

/** One step's hold on an experiment: opened, on its branch, recovered, its run lock held. */
export interface HostSession {
  root: string;
  opened: OpenedExperiment;
  worktrees: LoopWorktrees;
  via: HostInterface;
  /** What recovery did before the step, when an earlier step was killed; else null. */
  recovered: string | null;
  progress: (message: string) => void;
  /**
   * Throws InterruptedError once Ctrl-C was pressed during the step (on the command line; an MCP
   * server is stopped by its client): the evaluation's step boundaries call it.
   */
  checkpoint: () => void;
}

/**
 * Runs one host step on the experiment: refuses another branch or a run in progress in another
 * process, holds the experiment's run lock for the step's duration (so `run`, `status` and other
 * steps see it), and first brings a killed evaluation back in line with the ledger.
 */
export async function withHostSession<T>(
  options: HostOptions,
  work: (session: HostSession) => Promise<T>,
): Promise<T> {
  const repository = await openRepository(options.cwd);
  const root = repository.root;
  const opened = await openExperiment(root, options.experiment);
  const branch = await currentBranch(root);
  if (branch !== opened.experiment.branch) {
    throw new UsageError(
      "wrong-branch",
      `experiment ${opened.name} lives on branch ${opened.experiment.branch}, but ${branch ?? "a detached HEAD"} is checked out: run git checkout ${opened.experiment.branch} first.`,
    );
  }
  const release = acquireRunLock(repository.gitDir, opened.name);
  try {
    await requireIntact(root, opened.path, opened.ledger);
    const via = options.via ?? "cli";
    const step = async (signal: AbortSignal | null) => {
      const session: HostSession = {
        root,
        opened,
        worktrees: new LoopWorktrees(repository, opened.name),
        via,
        recovered: null,
        progress: options.onProgress ?? (() => {}),
        checkpoint: () => {
          if (signal?.aborted) throw new InterruptedError();
        },
      };
      session.recovered = await recoverHost(session);
      requireRecorded(session);
      return work(session);
    };
    return await (via === "cli" ? withInterrupt(step) : step(null));
  } finally {
    release();
  }
}

/** The folder of an iteration, absolute. */
export function iterationPath(session: HostSession, folder: string): string {
  return join(session.opened.dir, FILES.iterationsDir, folder);
}

/**
 * Commits the experiment folder alone (ledger lines), or only `files` in it (a reflexion and the
 * ledger), if anything there changed.
 */
export async function commitExperimentFolder(
  session: HostSession,
  message: string,
  files: readonly string[] = [session.opened.path],
): Promise<string | null> {
  const { root } = session;
  await stageToolFiles(root, files);
  const staged = await git(["diff", "--cached", "--name-only", "--", ...files], root);
  if (!staged) return null;
  await git(["commit", "--quiet", "-m", redactText(message), "--", ...files], root);
  return git(["rev-parse", "HEAD"], root);
}
