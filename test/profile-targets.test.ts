import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { build, copyTarget, has, perfWorks, TARGETS, whichSync } from "./helpers/toolchains.js";

interface ProfileJson {
  language: string;
  profiler: string;
  samples: number;
  hotspots: {
    name: string;
    file: string | null;
    line: number | null;
    selfPct: number;
    totalPct: number;
    samples: number;
    lines: { line: number; selfPct: number; source?: string }[];
  }[];
  notes: string[];
}

/** The hottest line of the planted function: the line numbers of its loop, in the example. */
function expectTopLineIn(json: ProfileJson, name: string, loop: number[]): void {
  const planted = json.hotspots.find((h) => h.name === name);
  expect(planted?.lines.length, JSON.stringify(planted)).toBeGreaterThan(0);
  expect(loop).toContain(planted?.lines[0]?.line);
  expect(planted?.lines[0]?.source).toBeTruthy();
}

async function profile(args: string[], cwd: string): Promise<ProfileJson> {
  const result = await runCli(["profile", "--json", ...args], cwd);
  if (result.code !== 0) throw new Error(`profile failed (${result.code}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as ProfileJson;
}

const native = perfWorks() || has("valgrind");

describe("profile ranks the planted hot function first (built binary)", () => {
  it("Node.js: hotFn, through NODE_OPTIONS, with a speedscope file", async () => {
    const dir = copyTarget("node");
    const speedscope = join(dir, "out.speedscope.json");
    const json = await profile(["--speedscope", speedscope, "--", "node", "hot.js", "10"], dir);
    expect(json).toMatchObject({ language: "node", profiler: "v8-cpu-profiler" });
    expect(json.hotspots[0]).toMatchObject({ name: "hotFn", file: "hot.js", line: 2 });
    expect(json.hotspots[0]?.selfPct).toBeGreaterThan(50);
    expectTopLineIn(json, "hotFn", [4]);
    const file = JSON.parse(readFileSync(speedscope, "utf8"));
    expect(file.$schema).toBe("https://www.speedscope.app/file-format-schema.json");
    expect(file.profiles[0].samples.length).toBeGreaterThan(0);
  });

  it("Node.js through a shell script and npm: child processes are profiled", async () => {
    const dir = copyTarget("node");
    const json = await profile(["--language", "node", "--", "sh -c 'node hot.js 10'"], dir);
    expect(json.hotspots[0]?.name).toBe("hotFn");
  });

  it("TypeScript compiled with source maps: the line in the .ts file", async () => {
    const dir = copyTarget("ts");
    const tsc = join(TARGETS, "../../node_modules/typescript/bin/tsc");
    build(process.execPath, [tsc, "-p", "tsconfig.json"], dir);
    const json = await profile(["--", "node", "dist/hot.js", "10"], dir);
    expect(json.hotspots[0]).toMatchObject({ name: "hotTs", file: "hot.ts", line: 3 });
    expectTopLineIn(json, "hotTs", [5]);
  });

  it.skipIf(!has("python3"))("Python: hot (skipped without python3)", async () => {
    const dir = copyTarget("python");
    const json = await profile(["--", "python3", "hot.py", "3"], dir);
    expect(json).toMatchObject({ language: "python", profiler: "python-sampler" });
    expect(json.hotspots[0]).toMatchObject({ name: "hot", file: "hot.py", line: 5 });
    expectTopLineIn(json, "hot", [7, 8]);
    // ~60 samples a run (SIGPROF cannot go faster): more runs are profiled and merged.
    expect(json.notes.join("\n")).toMatch(/[2-5] profiled runs merged: the first gave \d+ samples/);
    expect(json.samples).toBeGreaterThan(100);
  });

  it.skipIf(!has("python3"))(
    "Python with py-spy on PATH (a stand-in script): its samples are used (skipped without python3)",
    async () => {
      const dir = copyTarget("python");
      const fake = join(TARGETS, "../../test/fixtures/profile/fake-bin");
      const result = await runCli(["profile", "--json", "--", "python3", "hot.py", "1"], dir, {
        env: { PATH: `${fake}:${process.env.PATH}` },
      });
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(result.stdout) as ProfileJson;
      expect(json.profiler).toBe("py-spy");
      expect(json.hotspots[0]).toMatchObject({ name: "hot", file: "hot.py", line: 5, selfPct: 90 });
    },
  );

  it.skipIf(!has("python3"))(
    "Python, a run too short to sample: cProfile instead (skipped without python3)",
    async () => {
      const dir = copyTarget("python");
      const json = await profile(["--", "python3", "-c", "import hot; hot.cold(20000)"], dir);
      expect(json.profiler).toBe("cProfile");
      expect(json.hotspots.map((h) => h.name)).toContain("helper");
    },
  );

  it.skipIf(!has("gcc") || !native)(
    "C: hot_loop (skipped without gcc, or without both perf and valgrind)",
    async () => {
      const dir = copyTarget("c");
      build("gcc", ["-O2", "-g", "-o", "hot", "hot.c"], dir);
      const json = await profile(["--", "./hot", "10"], dir);
      expect(json.language).toBe("native");
      expect(json.hotspots[0]).toMatchObject({ name: "hot_loop", file: "hot.c", line: 5 });
      expectTopLineIn(json, "hot_loop", [7]);
    },
  );

  it.skipIf(!has("gcc") || !perfWorks() || !has("addr2line"))(
    "C: a function the compiler inlined is a frame of its own, with its lines (skipped without gcc, perf or addr2line)",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "profile-inlined-"));
      writeFileSync(
        join(dir, "inl.c"),
        [
          "#include <stdio.h>",
          "#include <stdlib.h>",
          "static inline unsigned mix(unsigned h, unsigned i) {",
          "  for (int k = 0; k < 64; k++) h = h * 33 + (i ^ k);",
          "  return h;",
          "}",
          "__attribute__((noinline)) unsigned work(int n) {",
          "  unsigned t = 0;",
          "  for (int i = 0; i < n; i++) t += mix(t, i);",
          "  return t;",
          "}",
          "int main(int argc, char **argv) {",
          '  printf("%u\\n", work(argc > 1 ? atoi(argv[1]) : 3000000));',
          "  return 0;",
          "}",
          "",
        ].join("\n"),
      );
      build("gcc", ["-O2", "-g", "-o", "inl", "inl.c"], dir);
      const json = await profile(["--", "./inl"], dir);
      const mix = json.hotspots.find((h) => h.name === "mix");
      expect(mix, JSON.stringify(json.hotspots.slice(0, 5))).toMatchObject({ file: "inl.c" });
      expect(mix?.samples).toBeGreaterThan(0);
      expectTopLineIn(json, "mix", [4]);
      // A 0.3 s run gives ~300 samples at 999 Hz: it is profiled again, at up to 4 kHz.
      expect(json.notes.join("\n")).toMatch(/profiled twice/);
      expect(json.samples).toBeGreaterThan(500);
    },
  );

  it.skipIf(!has("g++") || !native)(
    "C++: planted::hot_loop, demangled (skipped without g++, or without both perf and valgrind)",
    async () => {
      const dir = copyTarget("cpp");
      build("g++", ["-O2", "-g", "-o", "hot", "hot.cpp"], dir);
      const json = await profile(["--", "./hot", "40"], dir);
      expect(json.hotspots[0]).toMatchObject({
        name: "planted::hot_loop",
        file: "hot.cpp",
        line: 7,
      });
      expectTopLineIn(json, "planted::hot_loop", [9]);
    },
  );

  it.skipIf(!has("rustc") || !native)(
    "Rust: hot::hot_loop (skipped without rustc, or without both perf and valgrind)",
    async () => {
      const dir = copyTarget("rust");
      build("rustc", ["-O", "-g", "-o", "hot", "hot.rs"], dir);
      const json = await profile(["--", "./hot", "10"], dir);
      expect(json.hotspots[0]).toMatchObject({ name: "hot::hot_loop", file: "hot.rs", line: 3 });
      expectTopLineIn(json, "hot::hot_loop", [5, 6]);
    },
  );

  it.skipIf(!has("gcc") || !has("valgrind"))(
    "C under callgrind when perf is not on PATH: hot_loop (skipped without gcc or valgrind)",
    async () => {
      const dir = copyTarget("c");
      build("gcc", ["-O2", "-g", "-o", "hot", "hot.c"], dir);
      const bin = mkdtempSync(join(tmpdir(), "no-perf-"));
      // Debian's valgrind is a script that runs "$0.bin": stand in with a wrapper, not a link.
      writeFileSync(join(bin, "valgrind"), `#!/bin/sh\nexec ${whichSync("valgrind")} "$@"\n`, {
        mode: 0o755,
      });
      const result = await runCli(["profile", "--json", "--", "./hot", "1"], dir, {
        env: { PATH: bin },
      });
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(result.stdout) as ProfileJson;
      expect(json.profiler).toBe("callgrind");
      expect(json.hotspots[0]?.name).toBe("hot_loop");
    },
  );

  it.skipIf(!has("javac") || !has("java") || !has("jfr"))(
    "Java: Hot.hotMethod (skipped without javac, java or jfr)",
    async () => {
      const dir = copyTarget("java");
      build("javac", ["-d", "classes", "Hot.java"], dir);
      const json = await profile(["--", "java", "-cp", "classes", "Hot", "10"], dir);
      expect(json).toMatchObject({ language: "jvm", profiler: "jfr" });
      expect(json.hotspots[0]?.name).toBe("Hot.hotMethod");
      expectTopLineIn(json, "Hot.hotMethod", [5]);
    },
  );

  it.skipIf(!has("go"))("Go: HotFunc via go test -cpuprofile (skipped without go)", async () => {
    const dir = copyTarget("go");
    const json = await profile(
      ["--", "go", "test", "-run", "^$", "-bench", ".", "-benchtime", "0.5s", "."],
      dir,
    );
    expect(json).toMatchObject({ language: "go", profiler: "pprof" });
    expect(json.hotspots[0]?.name).toBe("example.com/gohot.HotFunc");
    expectTopLineIn(json, "example.com/gohot.HotFunc", [7, 8]);
    // 100 Hz cannot be changed through go test: runs are merged.
    expect(json.notes.join("\n")).toMatch(/profiled runs merged/);
    expect(readdirSync(dir).sort()).toEqual(["go.mod", "hot.go", "hot_test.go"]); // no test binary left
  });
});

describe("profile says what went wrong", () => {
  it("a command that fails: its exit code and stderr, and what was tried", async () => {
    const dir = copyTarget("node");
    const result = await runCli(
      ["profile", "--", "node", "-e", "console.error('boom'); process.exit(3)"],
      dir,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/failed while being profiled: it exited with code 3/);
    expect(result.stderr).toMatch(/boom/);
    expect(result.stderr).toMatch(/tried:/);
  });

  it("a command whose language cannot be told: asks for --language", async () => {
    const dir = mkdtempSync(join(tmpdir(), "profile-unknown-"));
    writeFileSync(join(dir, "bench"), "echo no shebang\n", { mode: 0o755 });
    const result = await runCli(["profile", "--", "./bench"], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot tell which language.*--language/s);
  });

  it("no native profiler on PATH: names what to install", async () => {
    const dir = mkdtempSync(join(tmpdir(), "profile-noperf-"));
    const result = await runCli(["profile", "--language", "native", "--", "/bin/true"], dir, {
      env: { PATH: dir },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/perf: not found/);
    expect(result.stderr).toMatch(/valgrind callgrind: not found \(apt-get install valgrind\)/);
  });
});
