import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchRevisions, publishRevisions } from "../src/queue/bundles.js";
import { connectQueue } from "../src/queue/connection.js";
import { checkQueueUrl } from "../src/queue/url.js";
import { RedisServer, redisMissing } from "./helpers/redis.js";
import { TempRepo } from "./helpers/temp-repo.js";

const missing = redisMissing();

describe.skipIf(missing !== null)(
  `git bundles through Redis${missing ? ` (${missing})` : ""}`,
  () => {
    let server: RedisServer;
    let redis: Redis;
    const dirs: string[] = [];

    beforeAll(async () => {
      server = await RedisServer.start();
      redis = await connectQueue(checkQueueUrl(server.url));
    });

    afterAll(() => {
      redis?.disconnect();
      server?.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    it("sends the history once, then only what a later commit adds; a worker's bare cache gets every commit", async () => {
      const repo = new TempRepo();
      dirs.push(repo.dir);
      // A first commit with some weight, so that its history dominates the first bundle.
      const big = Array.from({ length: 2000 }, (_, i) => `line ${i} ${Math.sin(i)}`).join("\n");
      const first = repo.commit("project", { "src/big.txt": big, "src/value.txt": "100\n" });
      const second = repo.commit("a candidate", { "src/value.txt": "80\n" });
      const id = "0123456789abcdef0123";
      await publishRevisions(redis, repo.dir, id, [first]);
      await publishRevisions(redis, repo.dir, id, [second]);
      const firstSize = (await redis.getBuffer(`ao:bundle:${id}:${first}`))?.length ?? 0;
      const secondSize = (await redis.getBuffer(`ao:bundle:${id}:${second}`))?.length ?? 0;
      expect(firstSize).toBeGreaterThan(5 * secondSize);
      expect(JSON.parse((await redis.get(`ao:basis:${id}:${second}`)) as string)).toEqual([first]);
      expect(await redis.ttl(`ao:bundle:${id}:${second}`)).toBeGreaterThan(0);
      // The controller's temporary refs are gone.
      expect(repo.git("for-each-ref", "refs/auto-optimize/")).toBe("");

      const cache = mkdtempSync(join(tmpdir(), "auto-optimize-bundle-cache-"));
      dirs.push(cache);
      execFileSync("git", ["init", "-q", "--bare"], { cwd: cache });
      await fetchRevisions(redis, cache, id, [second]);
      const show = (rev: string) =>
        execFileSync("git", ["show", rev], { cwd: cache, encoding: "utf8" }).trim();
      expect(show(`${second}:src/value.txt`)).toBe("80");
      expect(show(`${first}:src/value.txt`)).toBe("100");

      // Gone from Redis (expired): the worker's job fails saying so, naming the commit.
      const third = repo.commit("another", { "src/value.txt": "70\n" });
      await expect(fetchRevisions(redis, cache, id, [third])).rejects.toThrow(
        `the git bundle of commit ${third.slice(0, 12)} is not in Redis`,
      );
    });
  },
);
