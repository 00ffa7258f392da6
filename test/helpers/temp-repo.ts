import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * A real git repository in a temporary folder, for end-to-end tests. With `from`, a byte-for-byte
 * copy of that repository (same commits, branches, working tree and untracked files) in a folder
 * of its own: two copies start from the same state. Copy it with no worktree registered — a
 * worktree's metadata names absolute paths, which would still point into the original.
 */
export class TempRepo {
  readonly dir = mkdtempSync(join(tmpdir(), "auto-optimize-repo-"));

  constructor(from?: TempRepo) {
    if (from) cpSync(from.dir, this.dir, { recursive: true });
    else this.git("init", "--quiet", "--initial-branch=main");
  }

  git(...args: string[]): string {
    return execFileSync(
      "git",
      [
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@example.com",
        "-c",
        "commit.gpgsign=false",
        ...args,
      ],
      { cwd: this.dir, encoding: "utf8" },
    ).trim();
  }

  write(files: Record<string, string>): void {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }

  /** Writes the files and commits them; returns the commit id. */
  commit(message: string, files: Record<string, string>): string {
    this.write(files);
    this.git("add", "-A");
    this.git("commit", "--quiet", "-m", message);
    return this.git("rev-parse", "HEAD");
  }

  worktreeCount(): number {
    return this.git("worktree", "list", "--porcelain")
      .split("\n")
      .filter((l) => l.startsWith("worktree ")).length;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
