import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bareName, changedFunctions } from "../src/profile/changed-functions.js";
import { parseLanguage, programOf } from "../src/profile/detect.js";
import { bytecodeFindings as jvmFindings, methodBlocks } from "../src/profile/disasm/jvm.js";
import { functionListing } from "../src/profile/disasm/native.js";
import {
  nativeFindings,
  parseObjdump,
  parsePerfAnnotate,
} from "../src/profile/disasm/native-findings.js";
import { splitV8Output, traceFindings } from "../src/profile/disasm/node.js";
import { parseCallgrind } from "../src/profile/parsers/callgrind.js";
import { parseCollapsed } from "../src/profile/parsers/collapsed.js";
import { type CpuProfile, parseCpuProfiles } from "../src/profile/parsers/cpuprofile.js";
import { type JfrJson, parseJfrJson } from "../src/profile/parsers/jfr.js";
import { parseNmLines, parsePerfScript } from "../src/profile/parsers/perf-script.js";
import { parsePprofRaw } from "../src/profile/parsers/pprof-raw.js";
import { type PstatsJson, parsePstats } from "../src/profile/parsers/pstats.js";
import { commandFromArgs } from "../src/profile/shell.js";
import { functionsWithoutSamples } from "../src/profile/snapshot.js";
import { toSpeedscope } from "../src/profile/speedscope.js";
import { GC_NAME, summarize } from "../src/profile/summarize.js";
import { formatHotspots } from "../src/profile/table.js";
import type { AdapterResult, Language } from "../src/profile/types.js";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "fixtures/profile", name), "utf8");

function top(language: Language, result: Omit<AdapterResult, "notes">) {
  return summarize(language, { ...result, notes: [] });
}

describe("profile parsers on captured outputs", () => {
  it("V8 .cpuprofile: self time in samples, pseudo-frames dropped, GC on its own line", () => {
    const data = parseCpuProfiles([JSON.parse(fixture("node.cpuprofile")) as CpuProfile]);
    const profile = top("node", { profiler: "v8", data, isGc: (f) => f.name === GC_NAME });
    expect(profile.hotspots[0]?.name).toBe("hotFn");
    expect(profile.hotspots[0]?.line).toBe(2);
    expect(profile.hotspots[0]?.selfPct).toBeGreaterThan(70);
    const names = profile.hotspots.map((h) => h.name);
    expect(names).not.toContain("(program)");
    expect(names).not.toContain("(idle)");
    expect(names).not.toContain("(root)");
    expect(names).toContain(GC_NAME);
    expect(profile.gcPct).toBeGreaterThan(0);
    // Weights are the time deltas (for speedscope): they add up to the profiled time.
    const total = data.stacks.reduce((a, s) => a + s.weight, 0);
    expect(total).toBeGreaterThan(50_000);
  });

  it("merges profiles of several processes: the same function is one line", () => {
    const profile = JSON.parse(fixture("node.cpuprofile")) as CpuProfile;
    const one = parseCpuProfiles([profile]);
    const two = parseCpuProfiles([profile, profile]);
    expect(two.frames.length).toBe(one.frames.length);
    const sum = (d: typeof one) => d.stacks.reduce((a, s) => a + s.samples, 0);
    expect(sum(two)).toBe(2 * sum(one));
  });

  it("cProfile stats: self and cumulative time per function, the profiler's own frames dropped", () => {
    const data = parsePstats(JSON.parse(fixture("pstats.json")) as PstatsJson);
    const profile = top("python", { profiler: "cProfile", data });
    expect(profile.hotspots[0]?.name).toBe("hot");
    expect(profile.hotspots[0]?.file).toMatch(/hot\.py$/);
    const main = profile.hotspots.find((h) => h.name === "main");
    expect(main?.totalPct).toBeGreaterThan(90);
    expect(profile.hotspots.find((h) => h.name === "helper")?.samples).toBe(100_000);
    expect(profile.hotspots.some((h) => /_lsprof/.test(h.name))).toBe(false);
  });

  it("perf script: leaf-first call chains, periods as weights, unknown symbols named by binary", () => {
    const data = parsePerfScript(fixture("perf-script.txt"), "nanoseconds");
    const profile = top("native", { profiler: "perf", data });
    expect(profile.hotspots[0]?.name).toBe("hot_loop");
    expect(profile.hotspots[0]?.selfPct).toBeGreaterThan(80);
    expect(profile.samples).toBe(data.stacks.reduce((a, s) => a + s.samples, 0));
    const lines = parseNmLines(fixture("nm-lines.txt"));
    expect(lines.get("hot_loop")).toEqual({ file: "examples/profile-targets/c/hot.c", line: 5 });
  });

  it("callgrind: self cost from cost lines, inclusive cost adds the calls", () => {
    const data = parseCallgrind([fixture("callgrind.out")]);
    const profile = top("native", { profiler: "callgrind", data });
    expect(profile.hotspots[0]?.name).toBe("hot_loop");
    expect(profile.hotspots[0]?.selfPct).toBeGreaterThan(80);
    const main = profile.hotspots.find((h) => h.name === "main");
    expect(main?.totalPct).toBeGreaterThan(95);
    expect(profile.hotspots[0]?.samples).toBe(1);
  });

  it("JFR execution samples: leaf-first frames, class.method names, period weights", () => {
    const data = parseJfrJson(JSON.parse(fixture("jfr.json")) as JfrJson, 10);
    const profile = top("jvm", { profiler: "jfr", data });
    expect(profile.hotspots[0]?.name).toBe("Hot.hotMethod");
    expect(profile.hotspots[0]?.file).toBe("Hot.java");
    expect(profile.hotspots[0]?.lines?.[0]?.line).toBe(5); // the loop of hotMethod
    expect(profile.hotspots.find((h) => h.name === "Hot.main")?.totalPct).toBeGreaterThan(90);
  });

  it("pprof -raw: inlined functions expanded, nanoseconds as weights", () => {
    const data = parsePprofRaw(fixture("pprof-raw.txt"));
    const profile = top("go", { profiler: "pprof", data });
    expect(profile.hotspots[0]?.name).toBe("example.com/gohot.HotFunc");
    expect(profile.hotspots[0]?.file).toMatch(/hot\.go$/);
    // Line 8 is the body of HotFunc's loop in examples/profile-targets/go/hot.go.
    expect(profile.hotspots[0]?.lines?.[0]?.line).toBe(8);
    const bench = profile.hotspots.find((h) => h.name === "example.com/gohot.BenchmarkWork");
    expect(bench?.totalPct).toBeGreaterThan(90);
  });

  it("collapsed stacks (py-spy raw, async-profiler): locations and annotations split off", () => {
    const py = parseCollapsed(fixture("py-spy-raw.txt"), "none", (f) => /^process \d+:/.test(f));
    const pyProfile = top("python", { profiler: "py-spy", data: py });
    expect(pyProfile.hotspots[0]).toMatchObject({ name: "hot", file: "hot.py" });
    expect(pyProfile.hotspots.some((h) => h.name.startsWith("process"))).toBe(false);
    const java = parseCollapsed(fixture("async-profiler.collapsed"));
    const javaProfile = top("jvm", {
      profiler: "async-profiler",
      data: java,
      isGc: (f) => /^(GCTaskThread|G1 )/.test(f.name),
    });
    expect(javaProfile.hotspots[0]?.name).toBe("Hot.hotMethod");
    expect(javaProfile.gcPct).toBeCloseTo((100 * 7) / 324, 1);
  });
});

describe("profile model", () => {
  it("speedscope export follows the sampled-profile schema", () => {
    const data = parsePerfScript(fixture("perf-script.txt"), "nanoseconds");
    const file = toSpeedscope(data, "hot", "auto-optimize");
    expect(file.$schema).toBe("https://www.speedscope.app/file-format-schema.json");
    const [profile] = file.profiles;
    expect(profile?.type).toBe("sampled");
    expect(profile?.samples.length).toBe(profile?.weights.length);
    const max = file.shared.frames.length;
    expect(profile?.samples.flat().every((i) => i >= 0 && i < max)).toBe(true);
    expect(profile?.endValue).toBe(profile?.weights.reduce((a, b) => a + b, 0));
    const flat = toSpeedscope(
      parsePstats(JSON.parse(fixture("pstats.json")) as PstatsJson),
      "py",
      "auto-optimize",
    );
    expect(flat.profiles[0]?.samples.every((s) => s.length === 1)).toBe(true);
  });

  it("the table is sorted by self time and names the profiler", () => {
    const data = parsePerfScript(fixture("perf-script.txt"), "nanoseconds");
    const text = formatHotspots(
      summarize("native", { profiler: "perf", data, notes: ["a note"] }),
      3,
    );
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^native profile by perf: \d+ samples/);
    expect(lines[1]).toMatch(/self %\s+total %\s+samples\s+function/);
    expect(lines[2]).toContain("hot_loop");
    expect(text).toContain("note: a note");
  });

  it("commands after -- : one argument is a shell command, several are quoted words", () => {
    expect(commandFromArgs(["npm run bench"])).toBe("npm run bench");
    expect(commandFromArgs(["node", "b.js", "a b", "it's"])).toBe(`node b.js 'a b' 'it'\\''s'`);
    expect(programOf("FOO=1 env -i nice ./bench --x")).toBe("./bench");
    expect(programOf("cd sub && python3 x.py")).toBe("python3");
    expect(parseLanguage("C++")).toBe("native");
    expect(parseLanguage("kotlin")).toBe("jvm");
    expect(() => parseLanguage("cobol")).toThrow(/--language must be one of/);
  });
});

describe("disassembly findings on captured listings", () => {
  it("objdump of a scalar loop with a division, annotated by perf", () => {
    const listing = functionListing(fixture("objdump-hot_loop.txt"));
    const instructions = parseObjdump(listing);
    expect(instructions.length).toBeGreaterThan(10);
    const samples = parsePerfAnnotate(fixture("perf-annotate-hot_loop.txt"));
    expect(samples.size).toBeGreaterThan(10);
    for (const i of instructions) i.pct = samples.get(i.address) ?? 0;
    const findings = nativeFindings(instructions).join("\n");
    expect(findings).toMatch(/no vector \(SIMD\) arithmetic/);
    expect(findings).toMatch(/divsd/);
    expect(findings).toMatch(/no calls/);
    expect(findings).toMatch(/hottest instructions: \d/);
  });

  it("recognises packed SIMD, calls and repeated memory accesses", () => {
    const listing = [
      "0000000000001000 <sum>:",
      "    1000:\tvmovupd (%rdi,%rax,8),%ymm1",
      "    1005:\tvaddpd %ymm1,%ymm0,%ymm0",
      "    100a:\tmov    0x8(%rsi),%rdx",
      "    100e:\tadd    %rdx,0x8(%rsi)",
      "    1012:\tcall   1100 <helper>",
      "    1017:\tadd    $0x4,%rax",
      "    101b:\tcmp    %rax,%rcx",
      "    101e:\tjne    1000 <sum>",
      "    1020:\tret",
    ].join("\n");
    const findings = nativeFindings(parseObjdump(listing)).join("\n");
    expect(findings).toMatch(/vector \(SIMD\) instructions used: 1 packed operations, 256-bit/);
    expect(findings).toMatch(/calls not inlined \(1\): helper/);
    expect(findings).toMatch(/same memory accessed repeatedly: 0x8\(%rsi\)/);
  });

  it("points at the source lines the instructions came from, as the profile's hot lines do", () => {
    const listing = [
      "0000000000001000 <f>:",
      "    1000:\tmov    $0x1,%eax",
      "    1005:\tdivsd  %xmm1,%xmm0",
      "    1009:\taddsd  %xmm0,%xmm2",
      "    100d:\tadd    $0x1,%eax",
      "    1010:\tcmp    %eax,%edi",
      "    1012:\tjne    1005 <f+0x5>",
      "    1014:\tret",
    ].join("\n");
    const instructions = parseObjdump(listing);
    const lineOf: Record<number, number> = { 4096: 3, 4101: 5, 4105: 5, 4109: 4 };
    const pctOf: Record<number, number> = { 4105: 70, 4109: 20, 4112: 10 };
    for (const i of instructions) {
      i.pct = pctOf[i.address] ?? 0;
      const line = lineOf[i.address] ?? 4;
      i.source = { file: "f.c", line, ...(line === 5 && { text: "s += 1.0 / x;" }) };
    }
    const findings = nativeFindings(instructions).join("\n");
    expect(findings).toMatch(/loop 1 \(0x1005–0x1012, f\.c:4–5, 5 instructions/);
    expect(findings).toMatch(/70\.0% at 0x1009 addsd \(f\.c:5\)/);
    expect(findings).toMatch(
      /samples by source line \(the profile's hot lines\): 70\.0% f\.c:5 `s \+= 1\.0 \/ x;`; 30\.0% f\.c:4$/m,
    );
  });

  it("javap: the method's block, its loop and the calls in it", () => {
    const block = methodBlocks(fixture("javap-Hot.txt"), "hotMethod");
    expect(block).toMatch(/static double hotMethod\(int\);/);
    expect(block).not.toMatch(/coldMethod/);
    expect(jvmFindings(block).join("\n")).toMatch(
      /loop at bytecode \d+–\d+: 1 calls \(java\/lang\/Math\.sqrt/,
    );
  });

  it("V8: the function's bytecode and its optimization trace", () => {
    const { bytecode, trace } = splitV8Output(fixture("v8-bytecode-hotFn.txt"), "hotFn");
    expect(bytecode).toMatch(/JumpLoop/);
    expect(trace.some((l) => /completed optimizing/.test(l))).toBe(true);
    expect(traceFindings(trace).join("\n")).toMatch(/optimized by TurboFan/);
    const deopt = traceFindings([
      "[bailout (kind: deopt-eager, reason: wrong map): begin. deoptimizing <JSFunction hotFn (sfi = )>]",
    ]);
    expect(deopt.join("\n")).toMatch(/deoptimized 1 time: wrong map \(deopt-eager\)/);
  });
});

describe("changed functions without samples", () => {
  const diff = [
    "diff --git a/src/a.ts b/src/a.ts",
    "--- a/src/a.ts",
    "+++ b/src/a.ts",
    "@@ -1,7 +1,7 @@ export function hotFn(n: number): number {",
    "   let s = 0;",
    "-  for (let i = 0; i < n; i++) s += i;",
    "+  for (let i = 0; i < n; i += 2) s += i;",
    "   return s;",
    " }",
    " export const coldArrow = (x: number) => {",
    "-  return x;",
    "+  return x + 1;",
    " };",
    "+function brandNew() {",
    "+  return 1;",
    "+}",
    "diff --git a/lib/m.py b/lib/m.py",
    "--- a/lib/m.py",
    "+++ b/lib/m.py",
    "@@ -10,3 +10,3 @@ class Parser:",
    "     def parse(self, text):",
    "-        return text.split()",
    "+        return text.split(' ')",
    "diff --git a/hot.c b/hot.c",
    "--- a/hot.c",
    "+++ b/hot.c",
    "@@ -5,3 +5,3 @@",
    " __attribute__((noinline)) double hot_loop(int n) {",
    "-  double s = 0;",
    "+  double s = 1;",
    "diff --git a/x.go b/x.go",
    "--- a/x.go",
    "+++ b/x.go",
    "@@ -1,3 +1,3 @@",
    " func (p *Parser) Scan(b []byte) int {",
    "-\treturn 0",
    "+\treturn 1",
    "diff --git a/Hot.java b/Hot.java",
    "--- a/Hot.java",
    "+++ b/Hot.java",
    "@@ -3,3 +3,3 @@ public class Hot {",
    "   static double coldMethod(int n) {",
    "-    double s = 0;",
    "+    double s = 1;",
    "diff --git a/README.md b/README.md",
    "--- a/README.md",
    "+++ b/README.md",
    "@@ -1 +1 @@",
    "-function notCode() {",
    "+function stillNotCode() {",
  ].join("\n");

  it("finds the function of each changed line, in several languages, new ones marked, with its lines before the change", () => {
    expect(changedFunctions(diff)).toEqual([
      { file: "src/a.ts", name: "hotFn", added: false, deleted: false, oldLines: [1, 2] },
      { file: "src/a.ts", name: "coldArrow", added: false, deleted: false, oldLines: [5, 6] },
      { file: "src/a.ts", name: "brandNew", added: true, deleted: false, oldLines: [] },
      { file: "lib/m.py", name: "parse", added: false, deleted: false, oldLines: [10, 11] },
      { file: "hot.c", name: "hot_loop", added: false, deleted: false, oldLines: [5, 6] },
      { file: "x.go", name: "Scan", added: false, deleted: false, oldLines: [1, 2] },
      { file: "Hot.java", name: "coldMethod", added: false, deleted: false, oldLines: [3, 4] },
    ]);
  });

  it("reports the changed functions the profile has no samples of, not the new ones", () => {
    const hot = (name: string) => ({
      name,
      file: null,
      line: null,
      selfPct: 10,
      totalPct: 10,
      samples: 3,
    });
    const profile = {
      hotspots: [
        hot("hotFn"),
        hot("Parser.parse"),
        hot("hot_loop"),
        hot("example.com/x.(*Parser).Scan"),
        hot("Hot.hotMethod"),
      ],
    };
    expect(functionsWithoutSamples(diff, profile)).toEqual([
      "src/a.ts: coldArrow",
      "Hot.java: coldMethod",
    ]);
    expect(functionsWithoutSamples(diff, null)).toEqual([]);
    expect(bareName("ns::Cls::method(int) const")).toBe("method");
    expect(bareName("example.com/x.(*Parser).Scan")).toBe("Scan");
  });
});
