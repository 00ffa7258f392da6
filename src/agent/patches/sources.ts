import { readdir, readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { AutoOptimizeError, UsageError } from "../../errors.js";
import { git, openRepository, resolveCommit } from "../../workspace/git.js";
import { gitInput } from "../../workspace/git-input.js";

/** Where the patches agent takes its candidates from. */
export interface PatchesOptions {
  /** A folder of `*.patch` / `*.diff` files, applied in name order (relative to the repository root). */
  dir?: string;
  /** Revisions, each applied as the diff between its (first) parent and itself, in the order given. */
  revisions?: string[];
}

/** One candidate; `name` is its strategy string: the patch file's name, or the revision as given. */
export type Candidate =
  | { source: "file"; name: string; path: string }
  | { source: "revision"; name: string; commit: string; parent: string | null };

const PATCH_FILE = /\.(patch|diff)$/;

/**
 * The folder's `*.patch` and `*.diff` files, sorted by name (code point order). Read on every
 * call, so a file added while the run goes on is picked up in its place.
 */
export async function listPatchFiles(dir: string, root: string): Promise<Candidate[]> {
  const folder = resolve(root, dir);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    throw new UsageError(
      "patch-folder-missing",
      `patch folder ${folder} cannot be read: give an existing folder of *.patch or *.diff files.`,
    );
  }
  return names
    .filter((n) => PATCH_FILE.test(n))
    .sort(byCodePoint)
    .map((name) => ({ source: "file", name, path: resolve(folder, name) }));
}

/** Each revision resolved to its commit and first parent; an unknown one is bad input. */
export async function resolveRevisions(
  revisions: readonly string[],
  root: string,
): Promise<Candidate[]> {
  if (revisions.length === 0) return [];
  const repository = await openRepository(root);
  const candidates: Candidate[] = [];
  for (const revision of revisions) {
    const commit = await resolveCommit(repository, revision);
    const parents = (await git(["rev-list", "--parents", "-n", "1", commit], root)).split(" ");
    candidates.push({ source: "revision", name: revision, commit, parent: parents[1] ?? null });
  }
  return candidates;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The candidate's change as a patch git apply reads (bytes: content need not be UTF-8). */
export async function patchText(candidate: Candidate, root: string): Promise<Buffer> {
  if (candidate.source === "file") {
    try {
      return await readFile(candidate.path);
    } catch (error) {
      throw new AutoOptimizeError(
        "patch-missing",
        `patch ${candidate.path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
      );
    }
  }
  // Plumbing, so user diff settings (color, noprefix, external diff) cannot change the output.
  const args = [
    "diff-tree",
    "-p",
    "--binary",
    "--full-index",
    "--no-color",
    "--no-commit-id",
    "--root",
  ];
  const range = candidate.parent ? [candidate.parent, candidate.commit] : [candidate.commit];
  const result = await gitInput([...args, ...range], root, "");
  if (result.code !== 0) {
    throw new AutoOptimizeError(
      "git",
      `git ${[...args, ...range].join(" ")} failed in ${root}: ${result.stderr.trim()}`,
    );
  }
  return result.stdout;
}

/** The subject of a patch: its `Subject:` header without `[PATCH …]`, or its first line of prose. */
export function patchSubject(text: string): string | null {
  const header = /^Subject:\s*(?:\[[^\]]*\]\s*)?(.+)$/m.exec(text);
  if (header?.[1]) return header[1].trim();
  for (const line of text.split("\n")) {
    if (/^(diff --git |--- |Index: |\+\+\+ )/.test(line)) break;
    if (line.trim() !== "" && !/^(From |Date: |From: )/.test(line)) return line.trim();
  }
  return null;
}

export interface CandidateInfo {
  subject: string | null;
  /** `git apply --stat --summary` of the patch, or why it could not be read. */
  stat: string;
}

export async function describeCandidate(
  candidate: Candidate,
  root: string,
): Promise<CandidateInfo> {
  const text = await patchText(candidate, root);
  const subject =
    candidate.source === "revision"
      ? await git(["log", "-1", "--format=%s", candidate.commit], root)
      : patchSubject(text.toString("utf8"));
  const result = await gitInput(["apply", "--stat", "--summary", "-"], root, text);
  const stat =
    result.code === 0
      ? result.stdout.toString("utf8").trimEnd()
      : `(git apply --stat failed: ${result.stderr.trim()})`;
  return { subject: subject || null, stat };
}

export function candidateLabel(candidate: Candidate): string {
  return candidate.source === "file"
    ? `patch file \`${basename(candidate.path)}\``
    : `revision \`${candidate.name}\` (commit ${candidate.commit.slice(0, 12)}, applied as its diff against ${candidate.parent ? `parent ${candidate.parent.slice(0, 12)}` : "the empty tree"})`;
}
