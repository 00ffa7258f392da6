import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Experiment } from "../src/experiment/schema.js";
import { flagUnsampled, newIterationRecord } from "../src/loop/iteration-record.js";
import { bareName, changedFunctions } from "../src/profile/changed-functions.js";
import { profileWithEnoughSamples } from "../src/profile/enough-samples.js";
import { groupHotspots } from "../src/profile/file-groups.js";
import { expandInlined } from "../src/profile/inline-frames.js";
import { mergeStacks } from "../src/profile/merge-runs.js";
import { parseAddr2line } from "../src/profile/parsers/addr2line.js";
import { parseCollapsed } from "../src/profile/parsers/collapsed.js";
import { type CpuProfile, parseCpuProfiles } from "../src/profile/parsers/cpuprofile.js";
import { offsetToAddress, parseLoadSegments } from "../src/profile/parsers/elf-segments.js";
import { parsePerfScript, withoutParameters } from "../src/profile/parsers/perf-script.js";
import { profileCommand } from "../src/profile/profile.js";
import {
  extraRuns,
  finerInterval,
  MAX_MERGED_RUNS,
  MERGE_BUDGET_MS,
  TARGET_SAMPLES,
} from "../src/profile/sample-interval.js";
import { functionsWithoutSamples } from "../src/profile/snapshot.js";
import { summarize } from "../src/profile/summarize.js";
import { formatHotspots } from "../src/profile/table.js";
import type { Hotspot, Hotspots, StackData } from "../src/profile/types.js";
import { ProfileError } from "../src/profile/types.js";

const node = (
  id: number,
  functionName: string,
  children: number[],
  positionTicks?: { line: number; ticks: number }[],
) => ({
  id,
  callFrame: { functionName, url: "file:///w/bench.js", lineNumber: id, columnNumber: 0 },
  children,
  ...(positionTicks && { positionTicks }),
});

describe("hot lines inside hot functions", () => {
  it("V8: a node's positionTicks are the lines of its samples, shares of all samples", () => {
    const profile: CpuProfile = {
      nodes: [
        node(1, "(root)", [2]),
        node(2, "main", [3], [{ line: 9, ticks: 1 }]),
        node(
          3,
          "hot",
          [],
          [
            { line: 4, ticks: 6 },
            { line: 5, ticks: 2 },
          ],
        ),
      ],
      startTime: 0,
      endTime: 9000,
      samples: [3, 3, 3, 3, 3, 3, 3, 3, 2],
      timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
    };
    const hotspots = summarize("node", {
      profiler: "v8",
      data: parseCpuProfiles([profile]),
      notes: [],
    });
    const hot = hotspots.hotspots[0];
    expect(hot?.name).toBe("hot");
    expect(hot?.lines).toEqual([
      { line: 4, selfPct: 66.67 },
      { line: 5, selfPct: 22.22 },
    ]);
  });

  it("the Python sampler: the last pseudo-frame @N is the leaf's line, not a frame", () => {
    const data = parseCollapsed(
      [
        "main (b.py:1);hot (b.py:5);@8 30",
        "main (b.py:1);hot (b.py:5);@9 10",
        "main (b.py:1);@2 0",
      ].join("\n"),
    );
    expect(data.frames.map((f) => f.name)).toEqual(["main", "hot"]);
    const [hot] = summarize("python", { profiler: "python-sampler", data, notes: [] }).hotspots;
    expect(hot?.lines).toEqual([
      { line: 8, selfPct: 75 },
      { line: 9, selfPct: 25 },
    ]);
  });

  it("perf: addr2line's inline chain makes an inlined function a frame with its own lines", () => {
    const script = [
      "bench 1 1000",
      "\t    1209 work+0x69 (/w/bench)",
      "\t    1300 main+0x10 (/w/bench)",
      "",
      "bench 1 1000",
      "\t    1209 work+0x69 (/w/bench)",
      "\t    1300 main+0x10 (/w/bench)",
      "",
      "bench 1 1000",
      "\t    121a work+0x7a (/w/bench)",
      "\t    1300 main+0x10 (/w/bench)",
      "",
    ].join("\n");
    const chains = parseAddr2line(
      [
        "0x0000000000001209",
        "hash_str",
        "/w/bench.c:6",
        "work",
        "/w/bench.c:15 (discriminator 2)",
        "0x000000000000121a",
        "work",
        "/w/bench.c:13",
        "0x00000000000012ff",
        "main",
        "??:0",
      ].join("\n"),
    );
    expect(chains.get(0x1209)?.map((l) => l.name)).toEqual(["hash_str", "work"]);
    expect(chains.get(0x1209)?.[1]?.line).toBe(15);
    expect(chains.get(0x12ff)?.[0]).toEqual({ name: "main", file: null, line: null });
    const expanded = expandInlined(parsePerfScript(script, "nanoseconds"), (_dso, ip) =>
      chains.get(ip),
    );
    const hotspots = summarize("native", { profiler: "perf", data: expanded, notes: [] }).hotspots;
    const byName = new Map(hotspots.map((h) => [h.name, h]));
    expect(byName.get("hash_str")).toMatchObject({ samples: 2, file: "/w/bench.c" });
    expect(byName.get("hash_str")?.lines).toEqual([{ line: 6, selfPct: 66.67 }]);
    expect(byName.get("work")).toMatchObject({ samples: 1, totalPct: 100 });
    expect(byName.get("work")?.lines).toEqual([{ line: 13, selfPct: 33.33 }]);
  });

  it("ELF segments: perf's file offsets become the addresses addr2line reads", () => {
    const segments = parseLoadSegments(
      [
        "  LOAD           0x000000 0x0000000000000000 0x0000000000000000 0x014278 0x014278 R   0x1000",
        "  LOAD           0x014280 0x0000000000015280 0x0000000000015280 0x0423e0 0x0423e0 R E 0x1000",
      ].join("\n"),
    );
    expect(offsetToAddress(segments, 0x147ef)).toBe(0x157ef);
    expect(offsetToAddress(segments, 0x100)).toBe(0x100);
  });
});

const hotspot = (name: string, file: string | null, selfPct: number, samples: number): Hotspot => ({
  name,
  file,
  line: 1,
  selfPct,
  totalPct: selfPct,
  samples,
});

describe("the table a planner reads", () => {
  it("percentages follow the sample counts, even when one sample lasted long", () => {
    // One sample of `setup` lasted 50 ms (a pause); `hot` has more samples of 1 ms each.
    const data: StackData = {
      kind: "stacks",
      unit: "microseconds",
      frames: [
        { name: "setup", file: "a.js", line: 1 },
        { name: "hot", file: "a.js", line: 5 },
      ],
      stacks: [
        { stack: [0], weight: 50_000, samples: 1 },
        { stack: [1], weight: 16_000, samples: 16 },
      ],
    };
    const rows = summarize("node", { profiler: "v8", data, notes: [] }).hotspots;
    expect(rows.map((r) => [r.name, r.samples, r.selfPct])).toEqual([
      ["hot", 16, 94.12],
      ["setup", 1, 5.88],
    ]);
  });

  it("says the sample count and interval, groups the scope's files first, shows hot lines with their source", () => {
    const hotspots = groupHotspots(
      [
        { ...hotspot("makeData", "bench/gen.js", 40, 800), lines: [{ line: 3, selfPct: 39 }] },
        {
          ...hotspot("parse", "src/parse.js", 35, 700),
          lines: [{ line: 12, selfPct: 30, source: "while ((m = re.exec(s))) out.add(m[0]);" }],
        },
        hotspot("GC", null, 25, 500),
      ],
      { scope: ["src/**"], protect: ["bench/**"] },
    );
    const profile: Hotspots = {
      language: "node",
      profiler: "v8-cpu-profiler",
      samples: 2000,
      intervalUs: 250,
      hotspots,
      notes: [],
    };
    const text = formatHotspots(profile);
    expect(text.split("\n")[0]).toBe("node profile by v8-cpu-profiler: 2000 samples every 250 µs");
    const scope = text.indexOf("— in the scope");
    const bench = text.indexOf("— in the benchmark's own files");
    expect(scope).toBeGreaterThan(0);
    expect(bench).toBeGreaterThan(scope);
    expect(text.indexOf("parse ")).toBeLessThan(bench);
    expect(text.indexOf("makeData")).toBeGreaterThan(bench);
    const lines = text.slice(text.indexOf("hot lines"));
    expect(lines).toMatch(
      /parse \(src\/parse\.js:1\)\n\s+30\.0%\s+src\/parse\.js:12\s+while \(\(m = re\.exec/,
    );
    expect(lines.indexOf("parse")).toBeLessThan(lines.indexOf("makeData"));
  });

  it("--focus: percentages are shares of the samples inside the named function", () => {
    const data = parseCollapsed(
      ["main;setup 60", "main;measure;hot 30", "main;measure 10"].join("\n"),
    );
    const profile = summarize("python", { profiler: "python-sampler", data, notes: [] }, "measure");
    expect(profile.focus).toEqual({ name: "measure", pctOfAll: 40 });
    expect(profile.samples).toBe(40);
    expect(profile.hotspots[0]).toMatchObject({ name: "hot", selfPct: 75 });
    expect(profile.hotspots.map((h) => h.name)).not.toContain("setup");
    const missing = summarize("python", { profiler: "python-sampler", data, notes: [] }, "nope");
    expect(missing.samples).toBe(100);
    expect(missing.notes.join()).toMatch(/no sample ran a function of that name/);
  });

  it("a short run is profiled again at the interval that gives about 2,000 samples", () => {
    expect(finerInterval("v8-cpu-profiler", 1000, 200)).toBe(100);
    expect(finerInterval("v8-cpu-profiler", 1000, 10)).toBe(100); // the floor
    expect(finerInterval("perf", 1001, 1000)).toBe(500);
    expect(finerInterval("perf", 1001, 100)).toBe(250); // the floor
    expect(finerInterval("perf", 1001, TARGET_SAMPLES)).toBeNull();
    expect(finerInterval("python-sampler", 5000, 100)).toBeNull(); // SIGPROF cannot go faster
    expect(finerInterval("cProfile", undefined, 10)).toBeNull();
  });

  it("a profiler that cannot sample faster: enough more runs to reach the target, within the caps", () => {
    expect(extraRuns(TARGET_SAMPLES, 1000)).toBe(0);
    expect(extraRuns(1000, 1000)).toBe(1);
    expect(extraRuns(700, 500)).toBe(2); // 3 runs give 2,100
    expect(extraRuns(50, 100)).toBe(MAX_MERGED_RUNS - 1);
    expect(extraRuns(100, MERGE_BUDGET_MS / 2)).toBe(2); // the time the further runs may take
    expect(extraRuns(100, MERGE_BUDGET_MS * 2)).toBe(0);
  });

  it("runs are profiled and merged until the target, and a failed run ends the merging", async () => {
    const request = { command: "x", cwd: "/", timeoutMs: 1000, workDir: "" };
    const sampler = (failOn?: number) => {
      let calls = 0;
      return async () => {
        calls++;
        if (calls === failOn) throw new ProfileError("profiled-command-failed", "it exited 1");
        const data: StackData = {
          kind: "stacks",
          unit: "none",
          frames: [{ name: "hot", file: "b.py", line: 5 }],
          stacks: [{ stack: [0], weight: 500, samples: 500 }],
        };
        return { profiler: "python-sampler", intervalUs: 5000, data, notes: [] };
      };
    };
    const withDir = async (f: (workDir: string) => Promise<void>) => {
      const workDir = mkdtempSync(join(tmpdir(), "enough-samples-"));
      try {
        await f(workDir);
      } finally {
        rmSync(workDir, { recursive: true, force: true });
      }
    };
    await withDir(async (workDir) => {
      const merged = await profileWithEnoughSamples(sampler(), { ...request, workDir }, undefined);
      expect(merged.data.kind === "stacks" && merged.data.stacks[0]?.samples).toBe(TARGET_SAMPLES);
      expect(merged.notes[0]).toMatch(/^4 profiled runs merged: the first gave 500 samples/);
    });
    await withDir(async (workDir) => {
      const cut = await profileWithEnoughSamples(sampler(3), { ...request, workDir }, undefined);
      expect(cut.data.kind === "stacks" && cut.data.stacks[0]?.samples).toBe(1000);
      expect(cut.notes[0]).toMatch(/2 profiled runs merged.*still fewer than 2000.*run 3 failed/);
    });
  });

  it("merged runs: the same frame is one frame, samples and leaf lines on one stack add up", () => {
    const run = (hotFirst: boolean, hotLine: number): StackData => {
      const main = { name: "main", file: "b.py", line: 1 };
      const hot = { name: "hot", file: "b.py", line: 5 };
      return {
        kind: "stacks",
        unit: "none",
        frames: hotFirst ? [hot, main] : [main, hot],
        stacks: [
          {
            stack: hotFirst ? [1, 0] : [0, 1],
            weight: 10,
            samples: 10,
            leafLines: new Map([[hotLine, 10]]),
          },
        ],
      };
    };
    const merged = mergeStacks([run(false, 8), run(true, 8), run(true, 9)]);
    expect(merged.frames.map((f) => f.name)).toEqual(["main", "hot"]);
    expect(merged.stacks).toEqual([
      {
        stack: [0, 1],
        weight: 30,
        samples: 30,
        leafLines: new Map([
          [8, 20],
          [9, 10],
        ]),
      },
    ]);
  });
});

/** An edit to `tiny`, which the compiler inlines into `work`. */
const inlinedDiff = [
  "diff --git a/inl.js b/inl.js",
  "--- a/inl.js",
  "+++ b/inl.js",
  "@@ -1,2 +1,2 @@",
  "-function tiny(x) { return (x * 31 + 7) % 1000003; }",
  "+function tiny(x) { return (x * 31 + 7) % 999983; }",
  " function work(n) { let s = 0; for (let i = 0; i < n; i++) s = (s + tiny(i + s)) | 0; return s; }",
].join("\n");

describe("does the benchmark run the changed code? inlined and deleted functions", () => {
  const diff = [
    "diff --git a/t.c b/t.c",
    "--- a/t.c",
    "+++ b/t.c",
    "@@ -1,12 +1,6 @@",
    "-static unsigned next_prime(unsigned n) {",
    "-  while (!is_prime(n)) n++;",
    "-  return n;",
    "-}",
    " static unsigned hash_str(const char *s) {",
    "-  unsigned h = 0;",
    "+  unsigned h = 5381;",
    "   return h;",
    " }",
    " static void cold(void) {",
    '-  puts("a");',
    '+  puts("b");',
    " }",
  ].join("\n");
  const profiled = {
    hotspots: [hotspot("hash_str", "t.c", 30, 10), hotspot("work", "t.c", 70, 20)],
  };

  it("a deleted function is not 'unsampled'; an inlined one with samples ran", () => {
    expect(changedFunctions(diff).find((f) => f.name === "next_prime")).toMatchObject({
      deleted: true,
      added: false,
    });
    expect(functionsWithoutSamples(diff, profiled)).toEqual(["t.c: cold"]);
  });

  it("V8 counts inlined code under its caller, on the inlined function's own lines: it ran", () => {
    const inlined = inlinedDiff;
    const work = [hotspot("work", "inl.js", 99, 2000)];
    expect(functionsWithoutSamples(inlined, { hotspots: work })).toEqual(["inl.js: tiny"]);
    expect(
      functionsWithoutSamples(inlined, { hotspots: work, sampledLines: { "inl.js": [1, 2] } }),
    ).toEqual([]);
    // Lines of another file with the same numbers say nothing about this one.
    expect(
      functionsWithoutSamples(inlined, { hotspots: work, sampledLines: { "other.js": [1] } }),
    ).toEqual(["inl.js: tiny"]);
  });

  it("a real V8 profile: a function TurboFan inlined into its caller ran", async () => {
    const dir = mkdtempSync(join(tmpdir(), "profile-v8-inlined-"));
    try {
      writeFileSync(
        join(dir, "inl.js"),
        [
          "function tiny(x) { return (x * 31 + 7) % 1000003; }",
          "function work(n) { let s = 0; for (let i = 0; i < n; i++) s = (s + tiny(i + s)) | 0; return s; }",
          "console.log(work(4e7));",
          "",
        ].join("\n"),
      );
      const { hotspots } = await profileCommand({
        command: "node inl.js",
        cwd: dir,
        timeoutMs: 60_000,
        language: "node",
      });
      // Once TurboFan inlines tiny, its samples are work's, on tiny's line (before, a few are tiny's).
      const work = hotspots.hotspots.find((h) => h.name === "work");
      expect(work?.lines?.map((l) => l.line)).toContain(1);
      const withoutTiny = hotspots.hotspots.filter((h) => h.name !== "tiny");
      expect(functionsWithoutSamples(inlinedDiff, { ...hotspots, hotspots: withoutTiny })).toEqual(
        [],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--focus: the interval is chosen for the samples inside the measured function", async () => {
    const dir = mkdtempSync(join(tmpdir(), "profile-focus-"));
    try {
      writeFileSync(
        join(dir, "bench.js"),
        [
          "function setup(n) { const a = []; for (let i = 0; i < n; i++) a.push(Math.sqrt(i) % 7); return a; }",
          "function measure(a) { let s = 0; for (let r = 0; r < 3; r++) for (const x of a) s += x % 3; return s; }",
          "console.log(measure(setup(6e6)));",
          "",
        ].join("\n"),
      );
      const { hotspots } = await profileCommand({
        command: "node bench.js",
        cwd: dir,
        timeoutMs: 60_000,
        language: "node",
        focus: "measure",
      });
      expect(hotspots.focus?.name).toBe("measure");
      const first = /the first run, every 1000 µs, gave (\d+) samples inside measure/.exec(
        hotspots.notes.join("\n"),
      );
      expect(first, hotspots.notes.join("\n")).not.toBeNull();
      expect(hotspots.samples).toBeGreaterThan(1.5 * Number(first?.[1]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the summary lists every sampled line by file, past the top lines shown", () => {
    const lines = new Map(Array.from({ length: 8 }, (_, i) => [i + 1, 10] as [number, number]));
    const data: StackData = {
      kind: "stacks",
      unit: "none",
      frames: [{ name: "work", file: "inl.js", line: 2 }],
      stacks: [{ stack: [0], weight: 80, samples: 80, leafLines: lines }],
    };
    const summary = summarize("node", { profiler: "v8", data, notes: [] });
    expect(summary.hotspots[0]?.lines).toHaveLength(5);
    expect(summary.sampledLines).toEqual({ "inl.js": [1, 2, 3, 4, 5, 6, 7, 8] });
  });

  it("a function the compiler cloned ran under its clone's name (gcc's .part/.constprop/.isra)", () => {
    const clones = {
      hotspots: [
        hotspot("hash_str.constprop.0", "t.c", 30, 10),
        hotspot("cold.part.0", "t.c", 1, 1),
      ],
    };
    expect(functionsWithoutSamples(diff, clones)).toEqual([]);
    expect(bareName("ns::grow(int) [clone .isra.0]")).toBe("grow");
    expect(bareName("main.(*Set).Add")).toBe("Add");
    expect(withoutParameters("main.(*Set).Add")).toBe("main.(*Set).Add");
    expect(withoutParameters("ns::work(int) const")).toBe("ns::work");
  });

  it("where the profile cannot see inlined code it warns and never rejects", () => {
    const experiment = Experiment.parse({
      schemaVersion: 1,
      id: "exp-001",
      slug: "x",
      createdAt: "2026-12-01T00:00:00Z",
      branch: "auto-optimize/exp-001-x",
      baseCommit: "0".repeat(40),
      goal: "faster",
      scope: ["*.c"],
      protect: [],
      metric: { name: "ms", direction: "lower" },
      target: 1,
      threshold: 0.02,
      iterations: 3,
      commands: { test: "true", bench: "true" },
      profiling: { rejectUnsampled: true },
    });
    const record = () =>
      newIterationRecord(experiment, {
        iteration: 1,
        strategy: "s",
        reason: "r",
        baselineValue: null,
        knobs: {},
        changedFiles: ["t.c"],
        violations: [],
        testOutput: null,
      });
    const sure = record();
    expect(flagUnsampled(experiment, sure, diff, profiled)).toMatch(
      /does not run the changed code.*t\.c: cold/,
    );
    const unsure = record();
    const reason = flagUnsampled(experiment, unsure, diff, {
      ...profiled,
      profile: { inlinedShown: false },
    });
    expect(reason).toBeNull();
    expect(unsure.unsampledFunctions?.[0]).toMatch(
      /^t\.c: cold \(perhaps inlined.*never a rejection\)$/,
    );
  });
});
