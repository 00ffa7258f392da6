import { git } from "./git.js";

/**
 * Stages the tool's own files (the experiment folder, the files init wrote) with `--force`:
 * they are committed whatever the user's ignore rules say (npm packages start .gitignore with
 * `/*`), and the user's .gitignore is never edited to let them through.
 */
export async function stageToolFiles(root: string, paths: readonly string[]): Promise<void> {
  await git(["add", "-A", "--force", "--", ...paths], root);
}
