import { mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { git } from "../workspace/git.js";
import { type Worktree, WorktreeSet } from "../workspace/worktrees.js";
import { fetchRevisions } from "./bundles.js";

/** Where a worker keeps its repositories: $XDG_CACHE_HOME (else ~/.cache)/auto-optimize/worker. */
export function defaultWorkerCache(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "auto-optimize", "worker");
}

/**
 * A worker's copy of each repository it serves: a bare repository per repository id, filled from
 * the jobs' bundles, with one detached worktree per revision a job runs (removed after the job).
 * Fetches into one repository are serialized: concurrent jobs share it.
 */
export class WorkerCache {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly directory: string,
    private readonly redis: Redis,
  ) {}

  /** Checkouts of `commits` (fetched first when missing), in a set the caller removes. */
  async checkout(
    repository: string,
    purpose: string,
    commits: readonly string[],
  ): Promise<{ set: WorktreeSet; trees: Worktree[] }> {
    const bare = join(this.directory, repository, "repo.git");
    await this.serialized(repository, async () => {
      await mkdir(bare, { recursive: true });
      await git(["init", "-q", "--bare"], bare);
      await fetchRevisions(this.redis, bare, repository, commits);
    });
    const set = await WorktreeSet.create({ root: bare, gitDir: bare, prefix: "" }, purpose);
    const trees: Worktree[] = [];
    try {
      for (const [index, commit] of commits.entries()) {
        trees.push(await this.serialized(repository, () => set.add(`r${index}`, commit)));
      }
    } catch (error) {
      await set.remove();
      throw error;
    }
    return { set, trees };
  }

  private serialized<T>(repository: string, work: () => Promise<T>): Promise<T> {
    const before = this.locks.get(repository) ?? Promise.resolve();
    const next = before.then(work, work);
    this.locks.set(
      repository,
      next.catch(() => undefined),
    );
    return next;
  }
}
