import { existsSync, lstatSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";

/** A tool call the program refuses; the message goes back to the model. */
export class ToolRefusal extends Error {}

/**
 * The one way a tool turns a model-given path into a file: relative to the worktree, no `..`, not
 * inside .git, and — following every symbolic link on the way — still inside the worktree.
 * Returns the absolute path and the repository-relative one.
 */
export function confine(root: string, path: unknown): { full: string; rel: string } {
  if (typeof path !== "string" || path.trim() === "") throw new ToolRefusal("give a path");
  const given = path.trim().replace(/\\/g, "/");
  if (isAbsolute(given) || /^[A-Za-z]:\//.test(given)) {
    throw new ToolRefusal(
      `absolute path '${given}' refused: give a path relative to the worktree root`,
    );
  }
  const parts = given.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) {
    throw new ToolRefusal(
      `path '${given}' refused: '..' may not be used; stay inside the worktree`,
    );
  }
  if (parts[0] === ".git") throw new ToolRefusal(`path '${given}' refused: .git is off limits`);
  const realRoot = realpathSync(root);
  const rel = parts.join("/");
  const full = join(realRoot, rel);
  // The deepest part of the path that exists decides where it really leads.
  let existing = full;
  while (!existsSync(existing) && !isSymlink(existing) && existing !== realRoot) {
    existing = dirname(existing);
  }
  let real: string;
  try {
    real = realpathSync(existing);
  } catch {
    throw new ToolRefusal(`path '${given}' refused: it goes through a broken symbolic link`);
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep)) {
    throw new ToolRefusal(
      `path '${given}' refused: a symbolic link leads outside the worktree (${relative(realRoot, real)})`,
    );
  }
  return { full, rel };
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
