import { git, gitRaw, gitWithInput } from "./git.js";

export interface HistoryCommit {
  id: string;
  tree: string;
  parents: string[];
  subject: string;
  /** The paths the commit changes against its first parent. */
  files: string[];
}

/**
 * The commits of `base..head`, oldest first, each with its tree, parents, subject and the paths it
 * changes: two git calls whatever the length of the history.
 */
export async function commitsSince(
  root: string,
  base: string,
  head: string,
): Promise<HistoryCommit[]> {
  const out = await gitRaw(
    [
      "-c",
      "core.quotePath=false",
      "log",
      "--reverse",
      "--no-renames",
      "--name-only",
      "--format=%x1e%H%x1f%T%x1f%P%x1f%s%x1f",
      `${base}..${head}`,
    ],
    root,
  );
  return out
    .split("\x1e")
    .filter((record) => record.trim() !== "")
    .map((record) => {
      const [id, tree, parents, subject, files] = record.split("\x1f") as string[];
      return {
        id: id as string,
        tree: tree as string,
        parents: (parents as string).split(" ").filter(Boolean),
        subject: subject as string,
        files: (files ?? "").split("\n").filter(Boolean),
      };
    });
}

/** The text of `path` at each commit (null where the commit has no such file), in one git call. */
export async function fileAtCommits(
  root: string,
  commits: readonly string[],
  path: string,
): Promise<(string | null)[]> {
  if (commits.length === 0) return [];
  const input = commits.map((c) => `${c}:${path}\n`).join("");
  const out = await gitWithInput(["cat-file", "--batch"], root, input);
  const texts: (string | null)[] = [];
  let at = 0;
  for (let i = 0; i < commits.length; i++) {
    const end = out.indexOf(0x0a, at);
    const header = out.subarray(at, end).toString("utf8");
    at = end + 1;
    const size = / blob (\d+)$/.exec(header)?.[1];
    if (size === undefined) {
      texts.push(null);
      continue;
    }
    texts.push(out.subarray(at, at + Number(size)).toString("utf8"));
    at += Number(size) + 1;
  }
  return texts;
}

/** `ancestor` is `head` or one of its ancestors. */
export async function isAncestor(root: string, ancestor: string, head: string): Promise<boolean> {
  return git(["merge-base", "--is-ancestor", ancestor, head], root).then(
    () => true,
    () => false,
  );
}

/** The tree of each commit, in order. */
export async function treesOf(root: string, commits: readonly string[]): Promise<string[]> {
  if (commits.length === 0) return [];
  return (await git(["rev-parse", ...commits.map((c) => `${c}^{tree}`)], root)).split("\n");
}
