import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkQueueUrl } from "../src/queue/url.js";
import { runCli } from "./helpers/cli.js";
import { HostRepo, valuePlan } from "./helpers/host.js";
import { LoopRepo } from "./helpers/loop-repo.js";
import { freePort, RedisServer, redisMissing, WorkerProcess } from "./helpers/redis.js";

describe("the queue's URL", () => {
  it("takes loopback as it is, and elsewhere only a password or TLS unless --insecure", () => {
    expect(checkQueueUrl("redis://127.0.0.1:6379").shown).toBe("redis://127.0.0.1:6379");
    expect(checkQueueUrl("redis://localhost:1").url).toBe("redis://localhost:1");
    expect(checkQueueUrl("redis://[::1]:6379").url).toBe("redis://[::1]:6379");
    expect(checkQueueUrl("redis://:s3cret@bench.lan:6379").shown).toBe(
      "redis://:***@bench.lan:6379",
    );
    expect(checkQueueUrl("rediss://bench.lan:6380").url).toBe("rediss://bench.lan:6380");
    expect(checkQueueUrl("redis://10.0.0.7:6379", { insecure: true }).url).toBe(
      "redis://10.0.0.7:6379",
    );
    expect(() => checkQueueUrl("redis://10.0.0.7:6379")).toThrow(/neither a password nor TLS/);
    expect(() => checkQueueUrl("http://127.0.0.1:6379")).toThrow(/is a http: URL/);
    expect(() => checkQueueUrl("127.0.0.1:6379")).toThrow(/is not a URL|is a 127.0.0.1: URL/);
  });

  it("run refuses a non-loopback queue without credentials before anything runs (exit 2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "auto-optimize-queue-"));
    try {
      const result = await runCli(["run", "--queue", "redis://192.0.2.1:6379"], dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("redis://192.0.2.1:6379 is not on this machine");
      expect(result.stderr).toContain("--insecure");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const missing = redisMissing();

describe.skipIf(missing !== null)(
  `run --queue on real workers${missing ? ` (${missing})` : ""}`,
  () => {
    let redis: RedisServer;
    let cache: string;
    const workers: WorkerProcess[] = [];
    const worker = (name: string, extra: string[] = []) => {
      const started = new WorkerProcess(redis.url, name, join(cache, name), extra);
      workers.push(started);
      return started;
    };

    beforeAll(async () => {
      redis = await RedisServer.start();
      cache = mkdtempSync(join(tmpdir(), "auto-optimize-worker-cache-"));
    });

    // Each test's workers stop with it: a later test's jobs go to its own workers only.
    afterEach(async () => {
      for (const w of workers.splice(0))
        if (w.process.exitCode === null && !w.process.killed) await w.kill();
    });

    afterAll(async () => {
      redis?.stop();
      rmSync(cache, { recursive: true, force: true });
    });

    /** The result.json of each iteration, in order. */
    const records = (repo: LoopRepo) => {
      const dir = join(repo.experimentDir(), "iterations");
      return readdirSync(dir)
        .sort()
        .map((folder) => JSON.parse(readFileSync(join(dir, folder, "result.json"), "utf8")));
    };

    it("keeps a gain and drops a slowdown and a no-op measured on two workers, each comparison's worker and environment recorded, one at a time and as one generation (--parallel 3); an unreachable Redis stops it first, naming the URL", async () => {
      const repo = new LoopRepo();
      let generation: LoopRepo | undefined;
      try {
        expect((await repo.init(["--unconfined"])).code).toBe(0);
        const dead = `redis://127.0.0.1:${await freePort()}`;
        const refused = await repo.run(["flat", "keep", "drop"], ["--queue", dead]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(`cannot reach the queue's Redis at ${dead}`);
        generation = new LoopRepo(repo);

        const one = worker("w1");
        const two = worker("w2");
        await Promise.all([one.waitFor("serving"), two.waitFor("serving")]);
        const result = await repo.run(["flat", "keep", "drop"], ["--queue", redis.url]);
        expect(result.stderr).not.toContain("Error");
        expect(result.code).toBe(0);
        expect(repo.decisions()).toEqual(["1:drop", "2:keep", "3:drop"]);
        const measured = records(repo);
        expect(measured.map((r) => r.verdict)).toEqual(["no-change", "improved", "regressed"]);
        for (const record of measured) {
          expect(["w1", "w2"]).toContain(record.measuredBy);
          expect(record.measuredOn.cpuCount).toBeGreaterThan(0);
        }
        expect(
          repo
            .ledger()
            .filter((e) => e.type === "measured")
            .map((e) => "measuredBy" in e && e.measuredBy),
        ).toEqual(measured.map((r) => r.measuredBy));
        // Every job the run sent was done by a worker: builds and tests too, not only comparisons.
        expect(one.log + two.log).toMatch(/build\/test build-\w+ \(attempt 1\) passed/);

        // One generation of three siblings through the same two workers: the keep committed last.
        const parallel = await generation.run(
          ["flat", "keep", "slower"],
          ["--queue", redis.url, "--parallel", "3"],
        );
        expect(parallel.code, parallel.stderr).toBe(0);
        expect(generation.decisions()).toEqual(["1:drop", "3:drop", "2:keep"]);
        const siblings = records(generation);
        expect(siblings.map((r) => r.verdict)).toEqual(["no-change", "improved", "regressed"]);
        for (const record of siblings) expect(["w1", "w2"]).toContain(record.measuredBy);
      } finally {
        repo.remove();
        generation?.remove();
      }
    });

    it("survives kill -9 of the controller while its comparison waits (resumed, the iteration redone) and of the measuring worker mid-comparison (re-queued, measured again from scratch on another): the same decisions", async () => {
      const repo = new LoopRepo();
      try {
        // A benchmark slow enough (0.2 s a run) for a comparison to be caught mid-way.
        repo.commit("a slower benchmark", { "src/slow.sh": "sleep 0.2\ncat src/value.txt\n" });
        expect((await repo.init(["--unconfined", "--bench", "sh src/slow.sh"])).code).toBe(0);
        const builder = worker("builder", ["--no-measure"]);
        await builder.waitFor("serving");
        const args = [
          "run",
          "--agent",
          "patches",
          "--revisions",
          `${repo.ideas.keep},${repo.ideas.drop}`,
        ];
        const queued = [...args, "--no-report", "--queue", redis.url];
        // Nobody measures yet: the controller waits on its comparison, and is killed there.
        const killed = await runCli(queued, repo.dir, {
          onStderr: (text, child) => {
            if (text.includes("on the queue redis://")) child.kill("SIGKILL");
          },
        });
        expect(killed.signal).toBe("SIGKILL");

        let measuring = false;
        const resumed = runCli(queued, repo.dir, {
          onStderr: (text) => {
            measuring ||= text.includes("on the queue redis://");
          },
        });
        while (!measuring) await new Promise((resolve) => setTimeout(resolve, 50));
        const doomed = worker("m1");
        await doomed.waitFor("comparison measure-");
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await doomed.kill();
        expect(doomed.log).not.toContain("done: measured");
        const survivor = worker("m2");
        const result = await resumed;
        expect(result.code).toBe(0);
        expect(result.stderr).toContain("resumed");
        expect(repo.decisions()).toEqual(["1:keep", "2:drop"]);
        expect(records(repo).map((r) => r.measuredBy)).toEqual(["m2", "m2"]);
        // The comparison m1 started was taken up again by m2 once m1's lock lapsed.
        const started = doomed.log.match(/comparison (measure-\w+)/)?.[1] as string;
        expect(survivor.log).toContain(`comparison ${started}`);
      } finally {
        repo.remove();
      }
    });

    it("step evaluate --queue measures a host's edit on a worker and records it", async () => {
      const repo = new HostRepo();
      try {
        await repo.start(["--unconfined"]);
        const host = worker("h1");
        await host.waitFor("serving");
        await repo.ok(["next"]);
        await repo.ok(repo.planArgs(valuePlan(1)));
        repo.write({ "src/value.txt": "80\n" });
        const evaluated = await repo.ok<{ decision: string }>(["evaluate", "--queue", redis.url]);
        expect(evaluated.decision).toBe("keep");
        expect(records(repo).map((r) => r.measuredBy)).toEqual(["h1"]);
        expect(host.log).toContain("done: measured");
      } finally {
        repo.remove();
      }
    });
  },
);
