import { existsSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../errors.js";
import { FILES } from "../../experiment/layout.js";
import { hostPosition } from "./protocol.js";
import type { HostSession } from "./session.js";

/**
 * The iteration awaiting its reflexion was committed, so its result.json must be on disk: the
 * ledger and the folder disagree otherwise (the file was deleted or the folder cleaned), and the
 * step is refused with the file, the disagreement and the command that restores it.
 */
export function requireRecorded(session: HostSession): void {
  const { opened } = session;
  const position = hostPosition(opened.experiment, opened.ledger);
  if (position.expected !== "reflect" || !position.folder) return;
  const folder = `${opened.path}/${FILES.iterationsDir}/${position.folder}`;
  const path = `${folder}/result.json`;
  if (existsSync(join(session.root, path))) return;
  const finished = position.state.finished.find((f) => f.iteration === position.iteration);
  const commit = finished?.commits[0];
  throw new UsageError(
    "missing-iteration-record",
    `${path} is missing, but the ledger says iteration ${position.iteration} was committed (${position.decision}): the experiment folder and its ledger disagree. Restore the iteration's folder as it was committed${commit ? ` — git checkout ${commit.slice(0, 12)} -- ${folder}` : " from git"} — and run the step again; leave the experiment folder to auto-optimize.`,
  );
}
