import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readExclude } from "../workspace/exclude.js";
import { git, type Repository } from "../workspace/git.js";

/**
 * The loop's checkouts under .git/auto-optimize/<experiment>/: `best` (the current best commit,
 * the reference of every comparison) and `candidate` (where the agent edits) — with `run
 * --parallel K`, one candidate worktree per sibling of a generation (`forSlot`: candidate,
 * candidate-2, …), all sharing the one best. They persist across iterations and runs; a crash
 * leaves them to be reset, never trusted.
 */
export class LoopWorktrees {
  readonly base: string;

  constructor(
    private readonly repository: Repository,
    private readonly experimentName: string,
    readonly slot = 0,
    private readonly best: { built: string | null } = { built: null },
  ) {
    this.base = join(repository.gitDir, "auto-optimize", experimentName);
  }

  /** The same checkouts seen from sibling `slot` of a generation: its own candidate worktree. */
  forSlot(slot: number): LoopWorktrees {
    return new LoopWorktrees(this.repository, this.experimentName, slot, this.best);
  }

  get bestPath(): string {
    return join(this.base, "best");
  }

  get candidatePath(): string {
    return join(this.base, this.slot === 0 ? "candidate" : `candidate-${this.slot + 1}`);
  }

  /** Puts the checkout at `commit` with no local change; returns true when it moved. */
  async checkout(path: string, commit: string): Promise<boolean> {
    if (!(await this.registered(path))) {
      await rm(path, { recursive: true, force: true });
      await git(["worktree", "prune"], this.repository.root);
      await git(["worktree", "add", "--detach", "--quiet", path, commit], this.repository.root);
      return true;
    }
    const head = await git(["rev-parse", "HEAD"], path);
    await git(["checkout", "--quiet", "--detach", "--force", commit], path);
    await git(["clean", "-fdq"], path);
    return head !== commit;
  }

  /**
   * Keeps the repository's exclude file as the iteration opens: the ignore rules a candidate's
   * check trusts (`excludeAtStart`), and what a candidate that changed them is put back to.
   */
  async snapshotExclude(): Promise<void> {
    await mkdir(this.base, { recursive: true });
    await writeFile(this.excludeSnapshot, await readExclude(this.repository.root));
  }

  /** The exclude file as the iteration opened (as it is now, when no snapshot was taken). */
  async excludeAtStart(): Promise<string> {
    return readFile(this.excludeSnapshot, "utf8").catch(() => readExclude(this.repository.root));
  }

  private get excludeSnapshot(): string {
    return join(this.base, "exclude-at-start");
  }

  /** The best checkout needs building only when it moved since this process built it. */
  async prepareBest(commit: string): Promise<boolean> {
    await this.checkout(this.bestPath, commit);
    const needsBuild = this.best.built !== commit;
    return needsBuild;
  }

  markBestBuilt(commit: string): void {
    this.best.built = commit;
  }

  /** Every checkout of the experiment (the best, each slot's candidate) and the folder. */
  async remove(): Promise<void> {
    const candidates = existsSync(this.base)
      ? (await readdir(this.base))
          .filter((name) => name === "candidate" || /^candidate-\d+$/.test(name))
          .map((name) => join(this.base, name))
      : [];
    for (const path of [this.bestPath, ...candidates]) {
      if (existsSync(path)) {
        await git(["worktree", "remove", "--force", path], this.repository.root).catch(
          () => undefined,
        );
      }
    }
    await rm(this.base, { recursive: true, force: true });
    await git(["worktree", "prune"], this.repository.root).catch(() => undefined);
  }

  private async registered(path: string): Promise<boolean> {
    if (!existsSync(join(path, ".git"))) return false;
    const list = await git(["worktree", "list", "--porcelain"], this.repository.root);
    return list.split("\n").some((line) => line === `worktree ${path}`);
  }
}
