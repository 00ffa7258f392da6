import { join } from "node:path";
import { UsageError } from "../../errors.js";
import { EXPERIMENTS_DIR, FILES } from "../../experiment/layout.js";
import { writeRedacted } from "../../redact.js";
import { changedFiles } from "../../workspace/files.js";
import { commitMessage } from "../commit.js";
import { stopReason } from "../stop-reason.js";
import { hostPosition, requireStep, stepCommand, stopHint } from "./protocol.js";
import {
  commitExperimentFolder,
  type HostOptions,
  type HostSession,
  iterationPath,
  withHostSession,
} from "./session.js";

export interface ReflectOptions extends HostOptions {
  /** reflexion.md: what surprised, the lessons, the directions left unexplored. */
  text: string;
  continueAfterTarget?: boolean;
}

export interface ReflectResult {
  experiment: string;
  iteration: number;
  /** reflexion.md, relative to the repository root. */
  path: string;
  /** The commit that recorded it. */
  commit: string | null;
  /** A stop condition that holds: no next iteration, the report instead. */
  stop: string | null;
  nextHint: string;
  recovered: string | null;
}

/** Shorter than this, a reflexion says nothing the next iteration can learn from. */
const MIN_LENGTH = 20;

/**
 * `step reflect`: records the host's reflexion of the iteration just evaluated (reflexion.md in
 * its folder, `reflected` in the ledger) and commits it, and nothing else: any other change under
 * experiments/ is refused. The next `step next` waits for it.
 */
export async function stepReflect(options: ReflectOptions): Promise<ReflectResult> {
  return withHostSession(options, async (session) => {
    const { opened } = session;
    const { experiment, ledger } = opened;
    const position = hostPosition(experiment, ledger);
    requireStep(position, "reflect", session.via);
    const text = options.text.trim();
    if (text.length < MIN_LENGTH) {
      throw new UsageError(
        "empty-reflexion",
        `the reflexion is ${text.length === 0 ? "empty" : `only ${text.length} characters`}: write what surprised you in iteration ${position.iteration}'s outcome, the concrete lessons for the next iteration, and the directions left unexplored, then send it again with ${stepCommand("reflect", session.via)}.`,
      );
    }
    const { iteration } = position;
    const folder = position.folder as string;
    const ledgerPath = `${opened.path}/${FILES.ledger}`;
    const reflexionPath = `${opened.path}/${FILES.iterationsDir}/${folder}/reflexion.md`;
    await requireOnlyOwnFiles(session, [ledgerPath, reflexionPath]);
    await writeRedacted(join(iterationPath(session, folder), "reflexion.md"), `${text}\n`);
    ledger.append({ type: "reflected", iteration });
    const subject = commitMessage(experiment, iteration, "reflexion");
    const commit = await commitExperimentFolder(session, subject, [ledgerPath, reflexionPath]);
    const stop = stopReason(experiment, position.state, {
      continueAfterTarget: options.continueAfterTarget,
    });
    return {
      experiment: opened.name,
      iteration,
      path: `${opened.path}/${FILES.iterationsDir}/${folder}/reflexion.md`,
      commit,
      stop,
      nextHint: stop
        ? stopHint(stop, session.via)
        : `open the next iteration with ${stepCommand("next", session.via)}.`,
      recovered: session.recovered,
    };
  });
}

/**
 * The reflexion's commit holds the reflexion and the ledger's new lines (verified by the session:
 * chained appends). Any other change under experiments/ — an earlier iteration's summary.md,
 * result.json, the leaderboard — is not the host's to make, and is refused before anything is
 * written.
 */
async function requireOnlyOwnFiles(session: HostSession, own: readonly string[]): Promise<void> {
  const others = (await changedFiles(session.root)).filter(
    (path) => path.startsWith(`${EXPERIMENTS_DIR}/`) && !own.includes(path),
  );
  if (others.length === 0) return;
  const shown = others.slice(0, 10).join(" ");
  throw new UsageError(
    "experiment-changed",
    `the experiment's files are auto-optimize's to write, but ${others.length === 1 ? "this one was" : `${others.length} were`} changed outside it: ${shown}${others.length > 10 ? " …" : ""}. Nothing was recorded or committed. Undo ${others.length === 1 ? "it" : "them"} (git checkout -- <file> for a changed file, rm for a new one, e.g. git checkout -- ${others[0]}), then send the reflexion again with ${stepCommand("reflect", session.via)}.`,
  );
}
