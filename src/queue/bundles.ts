import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { AutoOptimizeError } from "../errors.js";
import { git } from "../workspace/git.js";

/**
 * Code travels through Redis as git bundles, one per commit a job needs, each holding only what
 * the commits published before it lack (its `basis`): the first job of a run sends the history,
 * later ones a commit or two. A worker fetches a bundle's basis first, then the bundle, into its
 * own cache of the repository (worker-cache.ts). Keys expire after BUNDLE_TTL_SECONDS; publishing
 * a commit again refreshes its chain.
 */
export const BUNDLE_TTL_SECONDS = 24 * 3600;
/** Redis holds strings up to 512 MB; a bundle past this is refused (see docs/scale-out.md). */
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

const keys = (repository: string) => ({
  bundle: (commit: string) => `ao:bundle:${repository}:${commit}`,
  basis: (commit: string) => `ao:basis:${repository}:${commit}`,
  published: `ao:published:${repository}`,
});

/** Makes each commit fetchable by workers: published once, its TTL refreshed after. */
export async function publishRevisions(
  redis: Redis,
  root: string,
  repository: string,
  commits: readonly string[],
): Promise<void> {
  for (const commit of commits) await publishCommit(redis, root, repository, commit);
}

async function publishCommit(
  redis: Redis,
  root: string,
  repository: string,
  commit: string,
): Promise<void> {
  const key = keys(repository);
  if (await redis.exists(key.bundle(commit))) {
    await refresh(redis, repository, commit, new Set());
    return;
  }
  const published = await redis.smembers(key.published);
  const alive: string[] = [];
  for (const other of published) {
    if (await redis.exists(key.bundle(other))) alive.push(other);
    else await redis.srem(key.published, other);
  }
  // A commit already inside a published one's history needs no bundle of its own.
  const containing = await firstMatching(alive, (other) => isAncestor(root, commit, other));
  const basis = containing
    ? [containing]
    : await filterAsync(alive, (other) => isAncestor(root, other, commit));
  const bundle = containing ? Buffer.alloc(0) : await createBundle(root, commit, basis);
  if (bundle.length > MAX_BUNDLE_BYTES) {
    throw new AutoOptimizeError(
      "bundle-too-large",
      `the git bundle for commit ${commit.slice(0, 12)} is ${(bundle.length / 2 ** 20).toFixed(1)} MiB, past the queue's ${MAX_BUNDLE_BYTES / 2 ** 20} MiB per bundle: the repository's history is too large to send through Redis. Shrink what the first commit carries (large files belong in Git LFS or outside the repository).`,
    );
  }
  for (const other of basis) await refresh(redis, repository, other, new Set());
  await redis
    .multi()
    .set(key.bundle(commit), bundle, "EX", BUNDLE_TTL_SECONDS)
    .set(key.basis(commit), JSON.stringify(basis), "EX", BUNDLE_TTL_SECONDS)
    .sadd(key.published, commit)
    .expire(key.published, BUNDLE_TTL_SECONDS)
    .exec();
}

/** The commit's bundle and its basis chain kept another TTL. */
async function refresh(
  redis: Redis,
  repository: string,
  commit: string,
  seen: Set<string>,
): Promise<void> {
  if (seen.has(commit)) return;
  seen.add(commit);
  const key = keys(repository);
  await redis.expire(key.bundle(commit), BUNDLE_TTL_SECONDS);
  await redis.expire(key.basis(commit), BUNDLE_TTL_SECONDS);
  for (const other of await readBasis(redis, repository, commit))
    await refresh(redis, repository, other, seen);
}

async function readBasis(redis: Redis, repository: string, commit: string): Promise<string[]> {
  const text = await redis.get(keys(repository).basis(commit));
  return text ? (JSON.parse(text) as string[]) : [];
}

/** The commit and its history less the basis's, as bundle bytes (through a temporary ref). */
async function createBundle(
  root: string,
  commit: string,
  basis: readonly string[],
): Promise<Buffer> {
  const ref = `refs/auto-optimize/bundle/${commit}`;
  const dir = await mkdtemp(join(tmpdir(), "ao-bundle-"));
  try {
    await git(["update-ref", ref, commit], root);
    const file = join(dir, "bundle");
    await git(
      ["bundle", "create", "-q", file, ref, ...(basis.length ? ["--not", ...basis] : [])],
      root,
    );
    return await readFile(file);
  } finally {
    await git(["update-ref", "-d", ref], root).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The worker's side: every commit present in `cacheRepo` (a bare repository), each fetched from
 * its bundle after its basis. A bundle gone from Redis (expired) is an error the job fails with.
 */
export async function fetchRevisions(
  redis: Redis,
  cacheRepo: string,
  repository: string,
  commits: readonly string[],
): Promise<void> {
  const seen = new Set<string>();
  const ensure = async (commit: string): Promise<void> => {
    if (seen.has(commit) || (await hasCommit(cacheRepo, commit))) return;
    seen.add(commit);
    const key = keys(repository);
    const bundle = await redis.getBuffer(key.bundle(commit));
    if (bundle === null) {
      throw new Error(
        `the git bundle of commit ${commit.slice(0, 12)} is not in Redis (expired, or Redis was emptied): the controller publishes it again when it sends the job again`,
      );
    }
    for (const other of await readBasis(redis, repository, commit)) await ensure(other);
    if (bundle.length > 0) {
      const dir = await mkdtemp(join(tmpdir(), "ao-bundle-"));
      try {
        const file = join(dir, "bundle");
        await writeFile(file, bundle);
        await git(
          ["fetch", "-q", file, "refs/auto-optimize/bundle/*:refs/auto-optimize/*"],
          cacheRepo,
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    if (!(await hasCommit(cacheRepo, commit)))
      throw new Error(`commit ${commit.slice(0, 12)} is not in its bundle`);
  };
  for (const commit of commits) await ensure(commit);
}

async function hasCommit(repo: string, commit: string): Promise<boolean> {
  return git(["cat-file", "-e", `${commit}^{commit}`], repo).then(
    () => true,
    () => false,
  );
}

async function isAncestor(root: string, ancestor: string, of: string): Promise<boolean> {
  return git(["merge-base", "--is-ancestor", ancestor, of], root).then(
    () => true,
    () => false,
  );
}

async function firstMatching<T>(
  items: readonly T[],
  test: (item: T) => Promise<boolean>,
): Promise<T | null> {
  for (const item of items) if (await test(item)) return item;
  return null;
}

async function filterAsync<T>(
  items: readonly T[],
  test: (item: T) => Promise<boolean>,
): Promise<T[]> {
  const kept: T[] = [];
  for (const item of items) if (await test(item)) kept.push(item);
  return kept;
}
