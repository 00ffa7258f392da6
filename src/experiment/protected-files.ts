import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { AutoOptimizeError, UsageError } from "../errors.js";
import { parseJson } from "../parse-json.js";
import { globMatcher } from "../workspace/files.js";
import { git } from "../workspace/git.js";
import { FILES } from "./layout.js";

/** sha256 of every protected file at lock time, keyed by path relative to the repository root. */
export const ProtectedHashes = z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, "a sha256"));
export type ProtectedHashes = z.infer<typeof ProtectedHashes>;

/**
 * The files the commands name that stay editable: inside the scope and matched by no protected
 * glob. A file both in scope and protected is protected (its edit rejects the iteration), so it
 * is not among them.
 */
export function unprotectedInScope(
  named: readonly string[],
  scope: readonly string[],
  protect: readonly string[],
): string[] {
  const inScope = globMatcher(scope);
  const covered = globMatcher(protect);
  return named.filter((file) => inScope(file) && !covered(file));
}

/** protected.json's text (read from disk or from git, `fileName` says which) validated. */
export function parseProtectedHashes(text: string, fileName: string): ProtectedHashes {
  return parseJson(text, ProtectedHashes, (problem) => badProtected(fileName, problem));
}

function badProtected(fileName: string, problem: string): UsageError {
  return new UsageError(
    "bad-experiment",
    `${fileName} ${problem}: it holds the protected files' hashes locked at init; restore it from git.`,
  );
}

export async function hashFiles(root: string, paths: readonly string[]): Promise<ProtectedHashes> {
  const hashes: ProtectedHashes = {};
  for (const path of [...paths].sort()) {
    hashes[path] = createHash("sha256")
      .update(await readFile(join(root, path)))
      .digest("hex");
  }
  return hashes;
}

/** Protected files that were changed or deleted in `root`, each with what happened to it. */
export async function protectedViolations(
  root: string,
  locked: ProtectedHashes,
): Promise<string[]> {
  const violations: string[] = [];
  for (const [path, hash] of Object.entries(locked)) {
    let now: string;
    try {
      now = createHash("sha256")
        .update(await readFile(join(root, path)))
        .digest("hex");
    } catch {
      violations.push(`protected file ${path} was deleted`);
      continue;
    }
    if (now !== hash) violations.push(`protected file ${path} was modified`);
  }
  return violations;
}

/**
 * The protected files' hashes as committed in the experiment folder (`experimentPath`, relative
 * to the root) at HEAD: the one source of the locked hashes for every check, so a copy edited in
 * the working tree counts for nothing.
 */
export async function committedProtected(
  root: string,
  experimentPath: string,
): Promise<ProtectedHashes> {
  const path = `${experimentPath}/${FILES.protected}`;
  let text: string;
  try {
    text = await git(["show", `HEAD:${path}`], root);
  } catch (error) {
    throw new AutoOptimizeError(
      "bad-experiment",
      `${path} is not committed on the experiment's branch (${(error as Error).message.split("\n")[0]}): it is written and committed at init; restore it from the experiment's first commit.`,
    );
  }
  return parseProtectedHashes(text, `HEAD:${path}`);
}
