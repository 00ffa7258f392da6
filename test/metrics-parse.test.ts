import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AutoOptimizeError, UsageError } from "../src/errors.js";
import { hasNoOutput, parseMetrics } from "../src/measure/metrics/parse.js";
import type { MetricFormat } from "../src/measure/metrics/types.js";

// Fixture provenance (captured vs hand-written) is listed in metrics-parsers.test.ts.
function fixture(name: string): string {
  return readFileSync(new URL(`fixtures/metrics/${name}`, import.meta.url), "utf8");
}

function parseError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("expected a UsageError");
}

const command = "node bench.js";

describe("auto-detection", () => {
  it.each<[string, MetricFormat]>([
    ["hyperfine.json", "hyperfine"],
    ["hyperfine-stdout.txt", "hyperfine"],
    ["jmh.json", "jmh"],
    ["google-benchmark.json", "google-benchmark"],
    ["google-benchmark-repetitions.json", "google-benchmark"],
    ["pytest-benchmark.json", "pytest-benchmark"],
    ["vitest-bench.json", "tinybench"],
    ["vitest-bench-stdout.txt", "tinybench"],
    ["tinybench-v2.txt", "tinybench"],
    ["tinybench-v6.json", "tinybench"],
    ["json-object.txt", "json"],
    ["go-bench.txt", "go-bench"],
    ["go-bench-benchmem.txt", "go-bench"],
    ["benchmark-js.txt", "benchmark.js"],
    ["cargo-bench.txt", "cargo-bench"],
    ["criterion.txt", "criterion"],
    ["timeit.txt", "timeit"],
    ["keyvalue.txt", "keyvalue"],
    ["hand-written.txt", "keyvalue"],
    ["number-with-logs.txt", "number"],
  ])("reads %s as %s", (name, format) => {
    const parsed = parseMetrics(fixture(name), { command });
    expect(parsed?.format).toBe(format);
    expect(parsed?.metrics.length).toBeGreaterThan(0);
  });

  it("reads vitest's colored table, then its JSON glued to a trailing log line", () => {
    const parsed = parseMetrics(fixture("vitest-bench-stdout.txt"), { command });
    expect(parsed?.metrics.map((m) => m.name)).toEqual([
      "sort.bench.mjs > top-level sum",
      "sort.bench.mjs > sort > native",
      "sort.bench.mjs > sort > typed",
    ]);
  });

  it("reads a single number, the seed's contract", () => {
    expect(parseMetrics("42\n", { command })).toEqual({
      format: "number",
      metrics: [{ name: "value", value: 42 }],
    });
  });

  it("reads a number among log lines", () => {
    const stdout = "Compiling...\nrunning 20 iterations (warm)\n  17.25  \nDone.\n";
    expect(parseMetrics(stdout, { command })).toEqual({
      format: "number",
      metrics: [{ name: "value", value: 17.25 }],
    });
  });

  it("reads key/value lines among log lines", () => {
    const stdout = "[12:00:01] starting\nlatency_ms=12.5\nsome log line\nrps: 800 req/s\n";
    expect(parseMetrics(stdout, { command })).toEqual({
      format: "keyvalue",
      metrics: [
        { name: "latency_ms", value: 12.5 },
        { name: "rps", value: 800, unit: "req/s", better: "higher" },
      ],
    });
  });

  it("averages repeated results of one benchmark (go test -count)", () => {
    const stdout = "BenchmarkX-8  100  10 ns/op\nBenchmarkX-8  100  14 ns/op\nPASS\n";
    expect(parseMetrics(stdout, { command })?.metrics).toEqual([
      { name: "BenchmarkX ns/op", value: 12, unit: "ns/op", better: "lower" },
    ]);
  });

  it("refuses a metric printed twice in one run, naming both values", () => {
    const error = parseError(() => parseMetrics("warm: 1 ms\nms: 100\nms: 1\n", { command }));
    expect(error.code).toBe("metric-repeated");
    expect(error.message).toContain('prints the metric "ms" twice in one run (100 and 1)');
  });

  it("says which was read when a JSON object and key/value lines both have metrics", () => {
    const stdout = 'p50 latency: 9 ms\n{"ms": 3, "rps": 5}\n';
    const json = parseMetrics(stdout, { command });
    expect(json?.format).toBe("json");
    expect(json?.metrics.map((m) => m.name)).toEqual(["ms", "rps"]);
    expect(json?.note).toBe(
      "read the JSON object; its key/value lines (p50 latency) were not read: --format keyvalue reads them instead",
    );
    const lines = parseMetrics(stdout, { command, format: "keyvalue" });
    expect(lines?.metrics.map((m) => m.name)).toEqual(["p50 latency"]);
    expect(lines?.note).toMatch(
      /^read the key\/value lines; its JSON object \(ms, rps\) was not read/,
    );
    expect(parseMetrics('{"ms": 3}\n', { command })?.note).toBeUndefined();
  });

  it("lets expected names choose between formats that both read the output", () => {
    const stdout = "iterations: 20\n1234.5\n";
    expect(parseMetrics(stdout, { command })?.format).toBe("keyvalue");
    expect(parseMetrics(stdout, { command, expect: ["value"] })).toEqual({
      format: "number",
      metrics: [{ name: "value", value: 1234.5 }],
    });
  });
});

describe("forced format", () => {
  it("runs only that parser", () => {
    const parsed = parseMetrics(fixture("google-benchmark.json"), { command, format: "json" });
    expect(parsed?.format).toBe("json");
    expect(parsed?.metrics).toContainEqual({ name: "context.num_cpus", value: 2 });
  });

  it("reads a fixture in its own format", () => {
    expect(parseMetrics(fixture("go-bench.txt"), { command, format: "go-bench" })?.format).toBe(
      "go-bench",
    );
  });

  it("fails on output of another format, naming only the forced one", () => {
    const error = parseError(() =>
      parseMetrics(fixture("go-bench.txt"), { command: "go test -bench .", format: "hyperfine" }),
    );
    expect(error.code).toBe("metric-parse");
    expect(error.message).toContain("`go test -bench .`");
    expect(error.message).toContain("(tried: hyperfine)");
    expect(error.message).toContain('With format "hyperfine"');
    expect(error.message).toContain("--export-json");
  });

  it("refuses an unknown format name", () => {
    const error = parseError(() =>
      parseMetrics("1", { command, format: "csv" as unknown as MetricFormat }),
    );
    expect(error.message).toContain('Unknown metric format "csv"');
  });
});

describe("errors", () => {
  it("names the command, every format tried, the first lines and what to print", () => {
    const long = "x".repeat(300);
    const stdout = ["hello", "world 3", long, "a", "b", "c", "d"].join("\n");
    const error = parseError(() => parseMetrics(stdout, { command }));
    expect(error).toBeInstanceOf(AutoOptimizeError);
    expect(error.exitCode).toBe(2);
    expect(error.code).toBe("metric-parse");
    const message = error.message;
    expect(message).toContain("`node bench.js`");
    expect(message).toContain(
      "tried: hyperfine, jmh, google-benchmark, pytest-benchmark, tinybench, json, go-bench, benchmark.js, cargo-bench, criterion, timeit, keyvalue, number",
    );
    expect(message).toContain("  | hello\n  | world 3\n");
    expect(message).toContain("  | b\n  (2 more lines)");
    expect(message).not.toContain("| c");
    expect(message).not.toContain(long);
    expect(message).toContain(`${"x".repeat(119)}…`);
    expect(message).toContain("a single number alone on a line");
    expect(message).toContain("`name: value [unit]`");
  });

  it("shows the output without terminal escapes", () => {
    const error = parseError(() => parseMetrics("\u001b[31mboom\u001b[39m\n", { command }));
    expect(error.message).toContain("  | boom\n");
  });

  it("names a missing expected metric and the ones found", () => {
    const error = parseError(() =>
      parseMetrics(fixture("keyvalue.txt"), { command: "./bench", expect: ["p50", "p99"] }),
    );
    expect(error.code).toBe("metric-parse");
    expect(error.message).toContain('`./bench` (read as keyvalue) has no metric "p99"');
    expect(error.message).toContain('it has: "latency_ms", "p50", "throughput", "errors"');
    expect(error.message).toContain("  | warming up (3 rounds)...");
  });

  it("passes when every expected metric is there", () => {
    const parsed = parseMetrics(fixture("hyperfine.json"), {
      command,
      expect: ["sleep 0.01", "sleep 0.02"],
    });
    expect(parsed?.format).toBe("hyperfine");
  });
});

describe("empty stdout", () => {
  it.each(["", "  \n\t\n", "\u001b[0m\n"])(
    "returns null for %j: the caller uses wall time",
    (out) => {
      expect(hasNoOutput(out)).toBe(true);
      expect(parseMetrics(out, { command })).toBeNull();
    },
  );

  it("is an error when metrics are expected", () => {
    const error = parseError(() => parseMetrics("", { command, expect: ["value"] }));
    expect(error.message).toContain('no metric "value"; it has: none');
    expect(error.message).toContain("Its stdout was empty.");
  });

  it("is not claimed for output with text", () => {
    expect(hasNoOutput("0\n")).toBe(false);
  });
});
