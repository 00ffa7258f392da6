import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { AutoOptimizeError, UsageError } from "../errors.js";
import { gitInput } from "./git-input.js";

const execFileAsync = promisify(execFile);

/** Runs git and returns its trimmed stdout; a failure is an error carrying git's own message. */
export async function git(args: readonly string[], cwd: string): Promise<string> {
  return (await gitRaw(await withIdentity(args, cwd), cwd)).trim();
}

const COMMITTING = new Set(["commit", "revert", "merge", "cherry-pick"]);
const identityKnown = new Map<string, boolean>();

/**
 * Commits need an author. When the user has configured none (a fresh CI machine, a container),
 * the tool's own commits are signed `auto-optimize <auto-optimize@localhost>` instead of failing.
 */
async function withIdentity(args: readonly string[], cwd: string): Promise<readonly string[]> {
  if (!COMMITTING.has(args[0] ?? "")) return args;
  let known = identityKnown.get(cwd);
  if (known === undefined) {
    known = await gitRaw(["config", "user.email"], cwd).then(
      (out) => out.trim() !== "",
      () => false,
    );
    identityKnown.set(cwd, known);
  }
  return known
    ? args
    : ["-c", "user.name=auto-optimize", "-c", "user.email=auto-optimize@localhost", ...args];
}

/** git's stdout exactly as printed: for formats where leading spaces mean something (porcelain). */
export async function gitRaw(args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync("git", args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? String(error);
    throw new AutoOptimizeError("git", `git ${args.join(" ")} failed in ${cwd}: ${stderr}`);
  }
}

/** Runs git with `input` on its stdin (e.g. a patch for `git apply`); a failure is an error. */
export async function gitWithInput(
  args: readonly string[],
  cwd: string,
  input: string | Buffer,
): Promise<Buffer> {
  const result = await gitInput(args, cwd, input);
  if (result.code !== 0) {
    throw new AutoOptimizeError(
      "git",
      `git ${args.join(" ")} failed in ${cwd}: ${result.stderr.trim()}`,
    );
  }
  return result.stdout;
}

export interface Repository {
  /** The top of the working tree. */
  root: string;
  /** The shared .git directory (also for linked worktrees). */
  gitDir: string;
  /** Where the caller stands inside the repository, relative to its root ("" at the top). */
  prefix: string;
}

export async function openRepository(cwd: string): Promise<Repository> {
  let root: string;
  try {
    root = await git(["rev-parse", "--show-toplevel"], cwd);
  } catch {
    throw new UsageError(
      "not-a-repository",
      `${cwd} is not inside a git repository: run this from the repository to measure.`,
    );
  }
  const gitDir = await git(["rev-parse", "--path-format=absolute", "--git-common-dir"], cwd);
  const prefix = await git(["rev-parse", "--show-prefix"], cwd);
  return { root, gitDir, prefix };
}

/** The full commit id a revision names, or a bad-input error that says which revision is unknown. */
export async function resolveCommit(repository: Repository, revision: string): Promise<string> {
  try {
    // Peeled in a second step: a suffix like ^{commit} would become part of a :/message search.
    const object = await git(
      ["rev-parse", "--verify", "--quiet", "--end-of-options", revision],
      repository.root,
    );
    return await git(["rev-parse", "--verify", "--quiet", `${object}^{commit}`], repository.root);
  } catch {
    throw new UsageError(
      "unknown-revision",
      `unknown revision '${revision}': give a commit, branch, tag or expression git understands (see 'git log --oneline').`,
    );
  }
}
