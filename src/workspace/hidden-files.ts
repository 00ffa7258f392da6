import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { AutoOptimizeError } from "../errors.js";
import { git, gitRaw } from "./git.js";
import { gitInput } from "./git-input.js";

/**
 * Files git ignores in `root` that the ignore rules of its starting point do not: files a
 * candidate hid behind a `.gitignore` or `.git/info/exclude` it wrote itself.
 *
 * The rule: an ignored path is the candidate's own change unless it is ignored by the rules that
 * held before any edit — the `.gitignore` files committed at HEAD (the commit the candidate starts
 * from, the best's code), the exclude file as it was when the iteration opened (`exclude`), and
 * the user's core.excludesFile. What the build produces (dist/, target/, node_modules/) is ignored
 * by those rules already, so it never counts; a file the rules of HEAD would show does. The
 * trusted rules are evaluated by `git check-ignore --no-index` in a scratch repository holding
 * only HEAD's `.gitignore` files, so nothing the candidate wrote can take part.
 */
export async function hiddenFiles(root: string, exclude: string): Promise<string[]> {
  const ignored = await ignoredEntries(root);
  if (ignored.length === 0) return [];
  const trusted = await trustedIgnored(root, exclude, ignored);
  const hidden: string[] = [];
  for (const entry of ignored.filter((path) => !trusted.has(path))) {
    hidden.push(...(entry.endsWith("/") ? await filesUnder(root, entry) : [entry]));
  }
  return hidden.sort();
}

/** Ignored untracked paths, a wholly ignored directory as one entry ending in `/`. */
async function ignoredEntries(root: string): Promise<string[]> {
  const out = await gitRaw(
    ["status", "--porcelain=v1", "-z", "--ignored=traditional", "--untracked-files=normal"],
    root,
  );
  return out
    .split("\0")
    .filter((entry) => entry.startsWith("!! "))
    .map((entry) => entry.slice(3));
}

/** Which of `paths` HEAD's ignore rules (with the iteration's exclude file) ignore. */
async function trustedIgnored(
  root: string,
  exclude: string,
  paths: readonly string[],
): Promise<Set<string>> {
  const scratch = await mkdtemp(join(tmpdir(), "auto-optimize-ignore-"));
  try {
    await git(["init", "--quiet", scratch], scratch);
    await writeFile(join(scratch, ".git", "info", "exclude"), exclude);
    const listed = await git(["ls-tree", "-r", "-z", "--name-only", "HEAD"], root);
    for (const path of listed.split("\0").filter((p) => p.split("/").at(-1) === ".gitignore")) {
      await mkdir(join(scratch, dirname(path)), { recursive: true });
      await writeFile(join(scratch, path), await git(["show", `HEAD:${path}`], root));
    }
    const excludesFile = await git(["config", "--path", "core.excludesFile"], root).catch(() => "");
    const config = excludesFile ? ["-c", `core.excludesFile=${excludesFile}`] : [];
    const args = [...config, "check-ignore", "--no-index", "--stdin", "-z"];
    const result = await gitInput(args, scratch, `${paths.join("\0")}\0`);
    // check-ignore exits 1 when it ignores none of the paths: then none is trusted.
    if (result.code > 1) {
      throw new AutoOptimizeError(
        "git",
        `git check-ignore failed in ${scratch}: ${result.stderr.trim()}`,
      );
    }
    return new Set(result.stdout.toString("utf8").split("\0").filter(Boolean));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Every file (and symlink) under the directory `dir` of `root`, repository-relative. */
async function filesUnder(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1));
}
