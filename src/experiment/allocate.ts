import { mkdirSync, readdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import { git } from "../workspace/git.js";
import { EXPERIMENTS_DIR, experimentName } from "./layout.js";
import { BRANCH_PREFIX, experimentBranches } from "./open.js";

export interface Allocated {
  number: number;
  /** exp-001-<slug> */
  name: string;
  /** Absolute path of the new, empty folder. */
  dir: string;
  branch: string;
}

const NUMBERED = /^exp-(\d{3,})(?:-|$)/;

/**
 * Claims the next experiment number no folder and no branch uses, by creating its folder with a
 * plain mkdir (atomic: of two concurrent inits, one gets EEXIST and moves to the next number).
 * A number whose folder exists under another slug, or whose branch exists, is skipped too.
 */
export async function allocateExperiment(root: string, slug: string): Promise<Allocated> {
  const parent = join(root, EXPERIMENTS_DIR);
  mkdirSync(parent, { recursive: true });
  const branches = await experimentBranches(root);
  const used = new Set<number>();
  for (const name of [
    ...readdirSync(parent),
    ...branches.map((b) => b.slice(BRANCH_PREFIX.length)),
  ]) {
    const number = NUMBERED.exec(name)?.[1];
    if (number) used.add(Number(number));
  }
  for (let number = Math.max(0, ...used) + 1; ; number++) {
    const name = experimentName(number, slug);
    const dir = join(parent, name);
    try {
      mkdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw error;
    }
    const prefix = experimentName(number, "");
    const twins = readdirSync(parent).filter(
      (n) => n === prefix.slice(0, -1) || n.startsWith(prefix),
    );
    const branchTaken = await git(
      ["for-each-ref", "--format=%(refname)", `refs/heads/${BRANCH_PREFIX}${prefix}*`],
      root,
    );
    if (twins.length > 1 || branchTaken) {
      rmdirSync(dir);
      continue;
    }
    return { number, name, dir, branch: `${BRANCH_PREFIX}${name}` };
  }
}
