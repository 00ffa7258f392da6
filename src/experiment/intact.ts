import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { git } from "../workspace/git.js";
import { verifyHistory } from "./history.js";
import { FILES } from "./layout.js";
import type { Ledger } from "./ledger.js";

/** experiment.json and protected.json where the working tree differs from HEAD (or lost them). */
export async function changedDefinition(root: string, experimentPath: string): Promise<string[]> {
  const definition = [FILES.experiment, FILES.protected].map((f) => `${experimentPath}/${f}`);
  return (await git(["diff", "--name-only", "HEAD", "--", ...definition], root))
    .split("\n")
    .filter(Boolean);
}

/**
 * The experiment's definition and history are auto-optimize's to write: experiment.json and
 * protected.json as committed, the ledger's committed lines unchanged (new lines may follow, chained),
 * and the branch's history the one the ledger records (`verifyHistory`). Checked before the
 * baseline, the loop, every host step, status and the report: nothing is measured or committed
 * over a changed definition or a forged history.
 */
export async function requireIntact(
  root: string,
  experimentPath: string,
  ledgerFile: Ledger,
): Promise<void> {
  const changed = await changedDefinition(root, experimentPath);
  if (changed.length > 0) {
    throw new UsageError(
      "experiment-changed",
      `${changed.join(" and ")} changed in the working tree, but the experiment's definition is fixed at init: restore ${changed.length > 1 ? "them" : "it"} (git checkout HEAD -- ${changed.join(" ")}).`,
    );
  }
  const ledger = `${experimentPath}/${FILES.ledger}`;
  const committed = await git(["show", `HEAD:${ledger}`], root).catch(() => "");
  const current = existsSync(ledgerFile.path) ? await readFile(ledgerFile.path, "utf8") : "";
  if (!current.startsWith(committed)) {
    throw new UsageError(
      "ledger-changed",
      `${ledger} no longer starts with its committed lines: the ledger is append-only and written by auto-optimize alone. Restore it (git checkout HEAD -- ${ledger}); the steps since the last commit are then lost.`,
    );
  }
  await verifyHistory(root, experimentPath, ledgerFile);
}
