import { AutoOptimizeError } from "../errors.js";
import { restoreTree, type TreeState, treeChanges, treeState } from "./tree-state.js";

export type Side = "A" | "B";

/** A checkout whose state is checked after every test and benchmark run. */
export interface WatchedTree {
  /** How messages name it: "the best's worktree", "the main working tree". */
  label: string;
  path: string;
  /** The side whose runs happen in it, or null (the main tree while both sides run elsewhere). */
  side: Side | null;
  /**
   * What a run left is put back: everywhere in auto-optimize's own worktrees; in the user's tree
   * only under the experiment folder (auto-optimize's files), never the user's own.
   */
  removable: boolean | ((path: string) => boolean);
  /** Paths auto-optimize itself writes there between runs (the ledger, the open iteration). */
  ours?: (path: string) => boolean;
}

/** A candidate's run wrote where it may not: its iteration is rejected with this reason. */
export class CandidateWroteOutside extends Error {}

/**
 * Watches the checkouts through an evaluation: each is compared, after every run, with its state
 * when `reference` was taken (after its build), so whatever a run creates, writes or removes is
 * seen, ignored files included. What a run left in a worktree of ours is removed before the next
 * run, so no run reads state an earlier one left. A candidate is rejected when its run wrote into
 * a checkout not its own, or left in its own a path the best's runs never leave (the benchmark's
 * own output files are allowed, being left by both sides alike).
 */
export class RunWatch {
  private readonly references = new Map<string, TreeState>();
  private readonly bestLeaves = new Set<string>();

  /**
   * `confined`: the runs are sandboxed (bubblewrap), so a run cannot write any checkout but its
   * own: only that one is checked after it, and a change elsewhere is nobody's run (the user's,
   * the host's) — the re-check after measuring deals with that.
   */
  constructor(
    private readonly trees: readonly WatchedTree[],
    private readonly confined = false,
  ) {}

  /** Takes the reference state of the trees of `side` (every tree when omitted). */
  async reference(side?: Side | null): Promise<void> {
    for (const tree of this.trees) {
      if (side === undefined || tree.side === side)
        this.references.set(tree.path, await treeState(tree.path));
    }
  }

  /**
   * After a run of `side` (`what`: "the tests", "benchmark run 3"): restores what can be, throws
   * CandidateWroteOutside for a candidate's write, and stops the run (an AutoOptimizeError) when
   * the best's run wrote outside its own checkout. `leftoversAllowed`: the tests may leave files
   * in their own checkout (caches of the test runner); they are removed all the same.
   */
  async afterRun(side: Side, what: string, leftoversAllowed = false): Promise<void> {
    for (const tree of this.trees) {
      const reference = this.references.get(tree.path);
      if (!reference || (this.confined && tree.side !== side)) continue;
      const now = await treeState(tree.path);
      const changes = treeChanges(reference, now).filter((path) => !tree.ours?.(path));
      if (changes.length === 0) continue;
      const removable = changes.filter((path) =>
        typeof tree.removable === "function" ? tree.removable(path) : tree.removable,
      );
      if (removable.length > 0) await restoreTree(tree.path, reference, now, removable);
      // What stays (a user's tree is never cleaned, a build output written again cannot be put
      // back) is the new reference: it is not blamed on the next run.
      this.references.set(tree.path, await treeState(tree.path));
      if (tree.side === side) {
        if (side === "A") for (const path of changes) this.bestLeaves.add(path);
        const own = changes.filter((path) => !this.bestLeaves.has(path));
        if (side === "B" && !leftoversAllowed && own.length > 0)
          throw new CandidateWroteOutside(
            `the candidate's ${what} ${described(own, reference, now)} in its own checkout, which the best's runs never do: a run may write only to $TMPDIR, and nothing one run leaves may serve the next`,
          );
        continue;
      }
      if (side === "B")
        throw new CandidateWroteOutside(
          `the candidate's ${what} ${described(changes, reference, now)} in ${tree.label}${removable.length > 0 ? ` (${removable.length === changes.length ? "" : `${list(removable)} `}put back)` : ""}: a run may write only to its own checkout and $TMPDIR`,
        );
      throw new AutoOptimizeError(
        "best-wrote-outside-run",
        `The current best's ${what} ${described(changes, reference, now)} in ${tree.label}. A run must leave other checkouts alone; check what the benchmark writes and where (use $TMPDIR for scratch files), then run again.`,
      );
    }
  }
}

/** "created a, b; changed c; removed d" */
function described(paths: readonly string[], reference: TreeState, now: TreeState): string {
  const status = (path: string) => now.get(path)?.status ?? "";
  const created = paths.filter(
    (path) => !reference.has(path) && (status(path) === "??" || status(path) === "!!"),
  );
  const removed = paths.filter(
    (path) => !now.has(path) || now.get(path)?.signature === "gone" || status(path).includes("D"),
  );
  const changed = paths.filter((path) => !created.includes(path) && !removed.includes(path));
  return [
    created.length ? `created ${list(created)}` : "",
    changed.length ? `changed ${list(changed)}` : "",
    removed.length ? `removed ${list(removed)}` : "",
  ]
    .filter(Boolean)
    .join("; ");
}

function list(paths: readonly string[]): string {
  const shown = paths.slice(0, 5).join(", ");
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more` : shown;
}
