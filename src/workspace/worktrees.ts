import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { git, type Repository } from "./git.js";

export interface Worktree {
  path: string;
  commit: string;
}

/**
 * Detached worktrees under .git/auto-optimize/, one per revision being measured. They are removed
 * by `remove()`, and — should the process exit first (Ctrl-C, an uncaught error) — by an exit hook,
 * so the user's repository is left with no stray worktree.
 */
export class WorktreeSet {
  private readonly created: Worktree[] = [];
  private readonly exitHook = () => this.removeSync();

  private constructor(
    private readonly repository: Repository,
    readonly directory: string,
  ) {}

  static async create(repository: Repository, purpose: string): Promise<WorktreeSet> {
    const base = join(repository.gitDir, "auto-optimize");
    await mkdir(base, { recursive: true });
    const directory = join(base, `${purpose}-${process.pid}-${Date.now().toString(36)}`);
    await mkdir(directory);
    const set = new WorktreeSet(repository, directory);
    process.once("exit", set.exitHook);
    return set;
  }

  async add(name: string, commit: string): Promise<Worktree> {
    const path = join(this.directory, name);
    await git(["worktree", "add", "--detach", "--quiet", path, commit], this.repository.root);
    const worktree = { path, commit };
    this.created.push(worktree);
    return worktree;
  }

  async remove(): Promise<void> {
    process.removeListener("exit", this.exitHook);
    for (const worktree of this.created) {
      await git(["worktree", "remove", "--force", worktree.path], this.repository.root).catch(
        () => undefined,
      );
    }
    await rm(this.directory, { recursive: true, force: true });
    await git(["worktree", "prune"], this.repository.root).catch(() => undefined);
  }

  private removeSync(): void {
    for (const worktree of this.created) {
      try {
        execFileSync("git", ["worktree", "remove", "--force", worktree.path], {
          cwd: this.repository.root,
          stdio: "ignore",
        });
      } catch {
        // Pruned below once the folder is gone.
      }
    }
    try {
      rmSync(this.directory, { recursive: true, force: true });
      execFileSync("git", ["worktree", "prune"], { cwd: this.repository.root, stdio: "ignore" });
    } catch {
      // Best effort at exit: nothing more can be done here.
    }
  }
}
