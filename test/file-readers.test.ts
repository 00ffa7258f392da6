import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AutoOptimizeError, UsageError } from "../src/errors.js";
import { openExperiment } from "../src/experiment/open.js";
import { parseProtectedHashes } from "../src/experiment/protected-files.js";
import {
  acquireRunLock,
  isRunning,
  parseRunMarker,
  runMarkerPath,
} from "../src/experiment/run-lock.js";
import { writeIterationArtifacts } from "../src/loop/artifacts.js";
import { readIterationRecord } from "../src/loop/iteration-record-schema.js";
import { readBestProfile } from "../src/profile/best-profile.js";
import { CpuProfileSchema } from "../src/profile/parsers/cpuprofile.js";
import { JfrJsonSchema } from "../src/profile/parsers/jfr.js";
import { PstatsJsonSchema } from "../src/profile/parsers/pstats.js";
import { parseProfilerJson } from "../src/profile/profiler-json.js";
import { applySourceMaps } from "../src/profile/sourcemap.js";
import { ProfileError } from "../src/profile/types.js";
import { buildExperiment, NAME, RELATIVE_DIR } from "./helpers/experiment-fixture.js";
import { TempRepo } from "./helpers/temp-repo.js";

const repos: TempRepo[] = [];
afterAll(() => {
  for (const repo of repos) repo.remove();
});
function repository(): TempRepo {
  const repo = new TempRepo();
  repos.push(repo);
  return repo;
}

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "fixtures/profile", name), "utf8");

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error("nothing was thrown");
}

describe("files auto-optimize wrote, read back", () => {
  it("experiment.json that is not JSON is refused, naming the file", async () => {
    const repo = repository();
    buildExperiment(repo);
    const file = join(repo.dir, RELATIVE_DIR, "experiment.json");
    writeFileSync(file, readFileSync(file, "utf8").slice(0, 40));
    const error = await openExperiment(repo.dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(`${file} cannot be read as JSON`);
  });

  it("a damaged ledger line stops the experiment from opening, naming the file and line", async () => {
    const repo = repository();
    buildExperiment(repo);
    const file = join(repo.dir, RELATIVE_DIR, "ledger.jsonl");
    const lines = readFileSync(file, "utf8").split("\n");
    lines[1] = lines[1]?.replace('"type":"baseline-locked"', '"type":"baseline-unlocked"') ?? "";
    writeFileSync(file, lines.join("\n"));
    const error = await openExperiment(repo.dir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "bad-ledger" });
    expect((error as Error).message).toContain(`${file} line 2 is not a ledger event: type:`);
  });

  it("result.json reads back as it was written, and a damaged one names the file", async () => {
    const repo = repository();
    const { experiment, dir } = buildExperiment(repo);
    const folder = join(dir, "iterations", "iter-009-check");
    mkdirSync(folder, { recursive: true });
    const record = {
      iteration: 9,
      strategy: "check",
      decision: "keep" as const,
      reason: "improved",
      baselineValue: 100,
      bestValue: 90,
      value: 80,
      improvement: 0.11,
      ci: [0.1, 0.12] as [number, number],
      verdict: "improved" as const,
      rounds: 8,
      seed: 42,
      knobs: { DIV: 2 },
      changedFiles: ["value.txt"],
      violations: [],
      testOutput: null,
      environmentDrift: [],
      comparison: { delta: 0.01 },
      cost: { usd: 0.5, inputTokens: 10, outputTokens: 5, cachedTokens: 0 },
    };
    await writeIterationArtifacts(folder, experiment, record, "reflexion");
    const file = join(folder, "result.json");
    expect(readIterationRecord(file)).toEqual(record);

    writeFileSync(file, JSON.stringify({ ...record, verdict: "unchanged" }));
    const error = thrown(() => readIterationRecord(file));
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: "bad-iteration-record" });
    expect((error as Error).message).toContain(
      `${file} does not have the expected fields: verdict`,
    );
  });

  it("protected.json from git is checked too, named as the caller says", () => {
    const hash = "a".repeat(64);
    expect(parseProtectedHashes(`{"bench.js":"${hash}"}`, "HEAD:x/protected.json")).toEqual({
      "bench.js": hash,
    });
    expect(() => parseProtectedHashes('["bench.js"]', "HEAD:x/protected.json")).toThrow(
      "HEAD:x/protected.json does not have the expected fields",
    );
  });

  it("the run marker: this process's mark is live, a torn one marks nothing", () => {
    const repo = repository();
    const gitDir = join(repo.dir, ".git");
    const release = acquireRunLock(gitDir, NAME);
    const path = runMarkerPath(gitDir, NAME);
    expect(parseRunMarker(readFileSync(path, "utf8"), path)).toMatchObject({
      pid: process.pid,
      host: hostname(),
    });
    expect(isRunning(gitDir, NAME)).toBe(true);
    writeFileSync(path, `{"pid": ${process.pid}, "ho`);
    expect(isRunning(gitDir, NAME)).toBe(false);
    expect(() => parseRunMarker(readFileSync(path, "utf8"), path)).toThrow(`${path} is not JSON`);
    release();
  });

  it("a damaged staged profile names the file", () => {
    const repo = repository();
    const path = join(repo.dir, "iteration-3.json");
    writeFileSync(path, JSON.stringify({ dir: repo.dir, snapshot: null, disassembled: false }));
    const error = thrown(() => readBestProfile(path));
    expect(error).toBeInstanceOf(AutoOptimizeError);
    expect((error as Error).message).toContain(`${path} does not have the expected fields: run`);
  });
});

describe("profiler outputs", () => {
  it("accept what the profilers wrote in the captured fixtures", () => {
    for (const [name, schema] of [
      ["node.cpuprofile", CpuProfileSchema],
      ["jfr.json", JfrJsonSchema],
      ["pstats.json", PstatsJsonSchema],
    ] as const) {
      const text = fixture(name);
      expect(parseProfilerJson(text, schema, name), name).toBeTypeOf("object");
    }
  });

  it("name the malformed file and keep what was tried", () => {
    const broken = JSON.stringify({ ...JSON.parse(fixture("node.cpuprofile")), nodes: [{}] });
    const error = thrown(() =>
      parseProfilerJson(broken, CpuProfileSchema, "/tmp/CPU.1.cpuprofile", ["V8"]),
    );
    expect(error).toBeInstanceOf(ProfileError);
    expect(error).toMatchObject({ code: "bad-profile", tried: ["V8"] });
    expect((error as Error).message).toContain(
      "/tmp/CPU.1.cpuprofile does not have the expected fields: nodes.0.id",
    );
  });

  it("a malformed source map is reported by name and its frames stay unmapped", async () => {
    const repo = repository();
    repo.write({
      "out/main.js": "function hot() {}\n//# sourceMappingURL=main.js.map\n",
      "out/main.js.map": '{"version":3,"sources":["../src/main.ts"]}',
    });
    const file = join(repo.dir, "out/main.js");
    const frames = [{ name: "hot", file, line: 1, col: 1 }];
    const result = await applySourceMaps(frames, repo.dir);
    expect(result.mapped).toBe(0);
    expect(result.malformed).toEqual([
      `${join(repo.dir, "out/main.js.map")} does not have the expected fields: mappings: Invalid input: expected string, received undefined`,
    ]);
    expect(frames[0]).toMatchObject({ file: "out/main.js", line: 1 });
  });
});
