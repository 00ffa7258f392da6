import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { AutoOptimizeError } from "../errors.js";
import { git } from "../workspace/git.js";
import { FILES } from "./layout.js";

/** sha256 of every protected file at lock time, keyed by path relative to the repository root. */
export type ProtectedHashes = Record<string, string>;

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
  return parseProtectedHashes(text, path);
}

const ProtectedHashesSchema = z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/));

/** protected.json's text, checked: a corrupt file is an error that names it. */
export function parseProtectedHashes(text: string, file: string): ProtectedHashes {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new AutoOptimizeError(
      "bad-experiment",
      `${file} is not valid JSON (${(error as Error).message}): restore it from git.`,
    );
  }
  const parsed = ProtectedHashesSchema.safeParse(data);
  if (!parsed.success) {
    throw new AutoOptimizeError(
      "bad-experiment",
      `${file} is not a map of file paths to sha256 hashes (${parsed.error.issues[0]?.message ?? "malformed"}): restore it from git.`,
    );
  }
  return parsed.data;
}
