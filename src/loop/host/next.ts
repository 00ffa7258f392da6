import { type Brief, briefText, buildBrief } from "../../agent/plan/brief.js";
import { UsageError } from "../../errors.js";
import { changedFiles } from "../../workspace/files.js";
import { startIteration } from "../open-iteration.js";
import { stopReason } from "../stop-reason.js";
import { hostContext } from "./context.js";
import { profileForIteration, stagedProfile } from "./profile.js";
import { HOST_AGENT, hostPosition, requireStep, stepCommand, stopHint } from "./protocol.js";
import {
  commitExperimentFolder,
  type HostOptions,
  type HostSession,
  withHostSession,
} from "./session.js";

export interface NextOptions extends HostOptions {
  /** Open another iteration although the target is reached. */
  continueAfterTarget?: boolean;
}

export interface NextResult {
  experiment: string;
  /** The iteration opened (or still open), or the one that would have come next when stopping. */
  iteration: number;
  /** The iteration was already open and waiting for its plan: the same brief, handed out again. */
  resumed: boolean;
  /** Why the experiment stops instead of opening an iteration; null when an iteration is open. */
  stop: string | null;
  /** What the planner needs, as data (with the plan's JSON Schema); null when stopping. */
  brief: Brief | null;
  /** The brief (or the stop) as text for a model or a person. */
  text: string;
  /** The main working tree, where the host makes the plan's edits. */
  worktree: string;
  nextHint: string;
  /** What recovery did first, when an earlier step was killed. */
  recovered: string | null;
}

/**
 * `step next`: opens the next iteration — or hands out the open one's brief again — and returns
 * the brief; or, when a stop condition holds, records the stop and says so.
 */
export async function stepNext(options: NextOptions): Promise<NextResult> {
  return withHostSession(options, async (session) => {
    const { opened, worktrees } = session;
    const { experiment, ledger } = opened;
    const position = hostPosition(experiment, ledger);
    if (position.expected === "baseline") {
      throw new UsageError(
        "no-baseline",
        `the baseline of ${opened.name} is not locked: lock it with ${stepCommand("baseline", session.via)} first.`,
      );
    }
    requireStep(position, "next", session.via);
    const { state } = position;

    if (position.expected === "plan") {
      return briefResult(session, position.iteration, true);
    }
    const stop = stopReason(experiment, state, {
      continueAfterTarget: options.continueAfterTarget,
    });
    if (stop) {
      if (state.stopped !== stop) {
        ledger.append({ type: "stopped", reason: stop });
        await commitExperimentFolder(session, `experiment(${experiment.id}): stopped — ${stop}`);
      }
      await worktrees.remove();
      const nextHint = stopHint(stop, session.via);
      return {
        experiment: opened.name,
        iteration: position.iteration,
        resumed: false,
        stop,
        brief: null,
        text: `Stop: ${stop}.\nNext: ${nextHint}`,
        worktree: session.root,
        nextHint,
        recovered: session.recovered,
      };
    }

    await requireBestCode(session, position.iteration);
    const lastRun = ledger.entries.filter((e) => e.type === "run-started" || e.type === "stopped");
    const current = lastRun.at(-1);
    if (!(current?.type === "run-started" && current.agent === HOST_AGENT)) {
      ledger.append({ type: "run-started", agent: HOST_AGENT });
    }
    const iteration = position.iteration;
    await startIteration(ledger, worktrees, iteration, state.best.commit);
    await worktrees.checkout(worktrees.bestPath, state.best.commit);
    await profileForIteration(session, state, iteration);
    return briefResult(session, iteration, false);
  });
}

async function briefResult(
  session: HostSession,
  iteration: number,
  resumed: boolean,
): Promise<NextResult> {
  const { opened } = session;
  const state = hostPosition(opened.experiment, opened.ledger).state;
  const context = await hostContext(
    session,
    state,
    iteration,
    (await stagedProfile(session, iteration))?.hotspots ?? null,
  );
  const brief = buildBrief(context);
  const plan = stepCommand("plan", session.via);
  const nextHint = `plan iteration ${iteration} from this brief — the four techniques, as JSON matching planSchema — and submit it with ${plan}; edit nothing before the plan is accepted.`;
  return {
    experiment: opened.name,
    iteration,
    resumed,
    stop: null,
    brief,
    text: [
      briefText(brief),
      "## Next",
      "",
      nextHint,
      "",
      "## The plan's JSON Schema",
      "",
      "```json",
      JSON.stringify(brief.planSchema, null, 2),
      "```",
      "",
    ].join("\n"),
    worktree: session.root,
    nextHint,
    recovered: session.recovered,
  };
}

/**
 * An iteration starts from the current best's code: the main working tree may differ from its
 * HEAD only in the experiment folder (the ledger's last lines).
 */
async function requireBestCode(session: HostSession, iteration: number): Promise<void> {
  const prefix = `${session.opened.path}/`;
  const dirty = (await changedFiles(session.root)).filter((p) => !p.startsWith(prefix));
  if (dirty.length === 0) return;
  const shown = dirty.slice(0, 10).join(", ");
  throw new UsageError(
    "dirty-tree",
    `the working tree has changes (${shown}${dirty.length > 10 ? ", …" : ""}), but iteration ${iteration} must start from the current best's code and edits come after an accepted plan. Discard them (git checkout -- <file>, and delete new files) or commit them elsewhere, then open the iteration again.`,
  );
}
