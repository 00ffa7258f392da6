import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseBenchmarkJs } from "../src/measure/metrics/benchmark-js.js";
import { parseCargoBench } from "../src/measure/metrics/cargo-bench.js";
import { parseCriterion } from "../src/measure/metrics/criterion.js";
import { parseGoBench } from "../src/measure/metrics/go-bench.js";
import { parseGoogleBenchmark } from "../src/measure/metrics/google-benchmark.js";
import { parseHyperfine } from "../src/measure/metrics/hyperfine.js";
import { parseJmh } from "../src/measure/metrics/jmh.js";
import { parseJsonObject } from "../src/measure/metrics/json-object.js";
import { parseKeyValue } from "../src/measure/metrics/keyvalue.js";
import { parseNumber } from "../src/measure/metrics/number.js";
import { PARSERS } from "../src/measure/metrics/parsers.js";
import { parsePytestBenchmark } from "../src/measure/metrics/pytest-benchmark.js";
import { parseTimeit } from "../src/measure/metrics/timeit.js";
import { parseTinybench } from "../src/measure/metrics/tinybench.js";

/*
 * Fixtures in test/fixtures/metrics/.
 * Captured from the real tools on this machine (Debian packages / npm):
 *   hyperfine.json, hyperfine-stdout.txt          hyperfine 1.15.0 (--export-json; /dev/stdout through a pipe)
 *   google-benchmark.json, google-benchmark-repetitions.json   libbenchmark 1.7.1, --benchmark_format=json
 *   go-bench.txt                                  go 1.19 `go test -run '^$' -bench . -benchtime 2000x`
 *   pytest-benchmark.json                         pytest-benchmark 3.2.2 --benchmark-json
 *   vitest-bench.json, vitest-bench-stdout.txt    vitest 4.1.12 `bench --run --outputJson` (file; /dev/stdout)
 *   tinybench-v2.txt, tinybench-v6.json           tinybench 2.9.0 / 6.2.5 task results printed as JSON
 *   benchmark-js.txt                              benchmark 2.1.4 on node 20, `String(event.target)` per cycle
 *   cargo-bench.txt                               rustc nightly 2026, `cargo +nightly bench` over two #[bench]
 *   timeit.txt                                    python 3.11 `python -m timeit -s "x=list(range(1000))" "sorted(x)"`
 * Hand-written:
 *   jmh.json                                      from JMH 1.37's documented `-rf json` layout (JMH not installable here)
 *   criterion.txt                                 from criterion.rs's documented command-line output (no crates here)
 *   go-bench-benchmem.txt                         from `go test -bench . -benchmem`'s documented layout (no go here)
 *   hand-written.txt                              the lines of issue 14, from real libraries' bench scripts
 *   keyvalue.txt, number-with-logs.txt, json-object.txt   auto-optimize's own plain formats
 */
function fixture(name: string): string {
  return readFileSync(new URL(`fixtures/metrics/${name}`, import.meta.url), "utf8");
}

describe("hyperfine", () => {
  it("reads each command's mean in seconds", () => {
    expect(parseHyperfine(fixture("hyperfine.json"))).toEqual([
      { name: "sleep 0.01", value: 0.0109845412, unit: "s", better: "lower" },
      { name: "sleep 0.02", value: 0.0211843392, unit: "s", better: "lower" },
    ]);
  });

  it("finds the JSON after hyperfine's own report on stdout", () => {
    expect(parseHyperfine(fixture("hyperfine-stdout.txt"))).toEqual([
      { name: "short", value: 0.011132452900000003, unit: "s", better: "lower" },
    ]);
  });
});

describe("jmh", () => {
  it("reads primary scores by benchmark and params, and secondary metrics", () => {
    expect(parseJmh(fixture("jmh.json"))).toEqual([
      {
        name: "org.sample.ListBenchmark.arrayListAdd",
        value: 3467631.2300505415,
        unit: "ops/s",
        better: "higher",
      },
      {
        name: "org.sample.ListBenchmark.sort(size=1000)",
        value: 18.3596125,
        unit: "us/op",
        better: "lower",
      },
      {
        name: "org.sample.ListBenchmark.sort(size=1000):gc.alloc.rate",
        value: 212.4521458,
        unit: "MB/sec",
      },
      {
        name: "org.sample.ListBenchmark.sort(size=1000):gc.alloc.rate.norm",
        value: 4096.0012345,
        unit: "B/op",
        better: "lower",
      },
      { name: "org.sample.ListBenchmark.sort(size=1000):gc.count", value: 12, unit: "counts" },
    ]);
  });

  it("strips the middle dot older JMH puts before profiler metrics", () => {
    const old = JSON.stringify([
      {
        benchmark: "a.B.m",
        mode: "avgt",
        primaryMetric: { score: 2, scoreUnit: "ns/op" },
        secondaryMetrics: { "·gc.alloc.rate.norm": { score: 16, scoreUnit: "B/op" } },
      },
    ]);
    expect(parseJmh(old)?.map((m) => m.name)).toEqual(["a.B.m", "a.B.m:gc.alloc.rate.norm"]);
  });
});

describe("google-benchmark", () => {
  it("reads real time per benchmark, and items per second when set", () => {
    expect(parseGoogleBenchmark(fixture("google-benchmark.json"))).toEqual([
      { name: "BM_StringCreation", value: 8.3274065633628735e-1, unit: "ns", better: "lower" },
      { name: "BM_VectorPush/8", value: 6.85100008184438e1, unit: "ns", better: "lower" },
      {
        name: "BM_VectorPush/8 items_per_second",
        value: 1.1674905806289174e8,
        unit: "items/s",
        better: "higher",
      },
      { name: "BM_VectorPush/512", value: 5.7680138779224387e2, unit: "ns", better: "lower" },
      {
        name: "BM_VectorPush/512 items_per_second",
        value: 8.8749873418232024e8,
        unit: "items/s",
        better: "higher",
      },
    ]);
  });

  it("takes the mean aggregate of repetitions and drops the other aggregates", () => {
    expect(parseGoogleBenchmark(fixture("google-benchmark-repetitions.json"))).toEqual([
      { name: "BM_VectorPush/8", value: 1.1228294684874611e2, unit: "ns", better: "lower" },
      {
        name: "BM_VectorPush/8 items_per_second",
        value: 7.1233337721952409e7,
        unit: "items/s",
        better: "higher",
      },
    ]);
  });
});

describe("go-bench", () => {
  it("makes one metric per benchmark and unit, without the GOMAXPROCS suffix", () => {
    expect(parseGoBench(fixture("go-bench.txt"))).toEqual([
      { name: "BenchmarkFib20 ns/op", value: 33410, unit: "ns/op", better: "lower" },
      { name: "BenchmarkJoin ns/op", value: 53.02, unit: "ns/op", better: "lower" },
      { name: "BenchmarkJoin B/op", value: 8, unit: "B/op", better: "lower", counter: true },
      {
        name: "BenchmarkJoin allocs/op",
        value: 1,
        unit: "allocs/op",
        better: "lower",
        counter: true,
      },
      { name: "BenchmarkFibSizes/n=5 ns/op", value: 20.47, unit: "ns/op", better: "lower" },
      { name: "BenchmarkFibSizes/n=10 ns/op", value: 244.3, unit: "ns/op", better: "lower" },
      { name: "BenchmarkCopy ns/op", value: 1167, unit: "ns/op", better: "lower" },
      { name: "BenchmarkCopy MB/s", value: 56164.86, unit: "MB/s", better: "higher" },
    ]);
  });

  it("reads -benchmem's zero B/op and allocs/op as counters of the per-op time", () => {
    expect(parseGoBench(fixture("go-bench-benchmem.txt"))).toEqual([
      { name: "BenchmarkTrim ns/op", value: 24.61, unit: "ns/op", better: "lower" },
      { name: "BenchmarkTrim B/op", value: 0, unit: "B/op", better: "lower", counter: true },
      {
        name: "BenchmarkTrim allocs/op",
        value: 0,
        unit: "allocs/op",
        better: "lower",
        counter: true,
      },
      { name: "BenchmarkJoin ns/op", value: 87.35, unit: "ns/op", better: "lower" },
      { name: "BenchmarkJoin B/op", value: 16, unit: "B/op", better: "lower", counter: true },
      {
        name: "BenchmarkJoin allocs/op",
        value: 1,
        unit: "allocs/op",
        better: "lower",
        counter: true,
      },
    ]);
  });

  it("keeps custom b.ReportMetric units, with no direction", () => {
    expect(parseGoBench("BenchmarkHits-4  100  12 ns/op  0.75 hit-ratio")).toEqual([
      { name: "BenchmarkHits ns/op", value: 12, unit: "ns/op", better: "lower" },
      { name: "BenchmarkHits hit-ratio", value: 0.75, unit: "hit-ratio" },
    ]);
  });
});

describe("pytest-benchmark", () => {
  it("reads each test's mean in seconds", () => {
    expect(parsePytestBenchmark(fixture("pytest-benchmark.json"))).toEqual([
      { name: "test_fib", value: 7.186840000485972e-5, unit: "s", better: "lower" },
      { name: "test_sort[10]", value: 1.0812000004989386e-7, unit: "s", better: "lower" },
      { name: "test_sort[1000]", value: 4.747199977828132e-6, unit: "s", better: "lower" },
    ]);
  });

  it("names tests by their full node id when two share a name", () => {
    const report = JSON.stringify({
      machine_info: {},
      benchmarks: [
        { name: "test_a", fullname: "x.py::test_a", stats: { mean: 1 } },
        { name: "test_a", fullname: "y.py::test_a", stats: { mean: 2 } },
      ],
    });
    expect(parsePytestBenchmark(report)?.map((m) => m.name)).toEqual([
      "x.py::test_a",
      "y.py::test_a",
    ]);
  });
});

describe("tinybench", () => {
  it("reads vitest bench's JSON report, named by group and bench", () => {
    expect(parseTinybench(fixture("vitest-bench.json"))).toEqual([
      {
        name: "sort.bench.mjs > top-level sum",
        value: 0.0012795735489815109,
        unit: "ms",
        better: "lower",
      },
      {
        name: "sort.bench.mjs > sort > native",
        value: 0.016999149218219232,
        unit: "ms",
        better: "lower",
      },
      {
        name: "sort.bench.mjs > sort > typed",
        value: 0.006462090850349078,
        unit: "ms",
        better: "lower",
      },
    ]);
  });

  it("reads a tinybench 2 task array after a log line", () => {
    expect(parseTinybench(fixture("tinybench-v2.txt"))).toEqual([
      { name: "sort copy", value: 0.014378491086831173, unit: "ms", better: "lower" },
      { name: "typed sort", value: 0.005017472907886709, unit: "ms", better: "lower" },
    ]);
  });

  it("reads tinybench 6 latency statistics", () => {
    expect(parseTinybench(fixture("tinybench-v6.json"))).toEqual([
      { name: "sort copy", value: 0.015370455439459007, unit: "ms", better: "lower" },
      { name: "typed sort", value: 0.005655592353806815, unit: "ms", better: "lower" },
    ]);
  });
});

describe("benchmark.js", () => {
  it("reads each cycle line's operations per second, thousands separators and all", () => {
    expect(parseBenchmarkJs(fixture("benchmark-js.txt"))).toEqual([
      { name: "RegExp#test", value: 23243937, unit: "ops/sec", better: "higher" },
      { name: "String#indexOf", value: 505855737, unit: "ops/sec", better: "higher" },
    ]);
  });

  it("keeps a name that has ' x ' in it, and a single run", () => {
    expect(parseBenchmarkJs("a x b x 1.5 ops/sec ±0.50% (1 run sampled)")).toEqual([
      { name: "a x b", value: 1.5, unit: "ops/sec", better: "higher" },
    ]);
  });
});

describe("cargo-bench", () => {
  it("reads libtest's nanoseconds per iteration and skips the tests it ignored", () => {
    expect(parseCargoBench(fixture("cargo-bench.txt"))).toEqual([
      { name: "tests::bench_parse", value: 22.73, unit: "ns/iter", better: "lower" },
      { name: "tests::bench_parse_long", value: 11713.91, unit: "ns/iter", better: "lower" },
    ]);
  });

  it("reads the integer layout of older toolchains, throughput after it", () => {
    const line = "test bench_parse ... bench:       1,234 ns/iter (+/- 56) = 810 MB/s";
    expect(parseCargoBench(line)).toEqual([
      { name: "bench_parse", value: 1234, unit: "ns/iter", better: "lower" },
    ]);
  });
});

describe("criterion", () => {
  it("reads the middle of each time interval in nanoseconds, not the change lines", () => {
    expect(parseCriterion(fixture("criterion.txt"))).toEqual([
      { name: "alloc", value: 1147400, unit: "ns", better: "lower" },
      { name: "parse/small", value: 2621.9, unit: "ns", better: "lower" },
      { name: "a_benchmark_with_a_long_name", value: 249.13, unit: "ns", better: "lower" },
    ]);
  });
});

describe("timeit", () => {
  it("reads the best time per loop in nanoseconds", () => {
    expect(parseTimeit(fixture("timeit.txt"))).toEqual([
      { name: "timeit", value: 8410, unit: "ns", better: "lower" },
    ]);
  });

  it.each([
    ["1 loop, best of 5: 1.23 sec per loop", 1.23e9],
    ["200 loops, best of 5: 1.23 msec per loop", 1.23e6],
    ["10000000 loops, best of 3: 0.0253 usec per loop", 25.3],
    ["50000000 loops, best of 5: 8.64 nsec per loop", 8.64],
  ])("reads %j in one unit", (line, ns) => {
    expect(parseTimeit(line)?.[0]?.value).toBe(ns);
  });
});

describe("json", () => {
  it("turns numeric leaves into metrics named by their joined keys, skipping arrays", () => {
    expect(parseJsonObject(fixture("json-object.txt"))).toEqual([
      { name: "latency.p50", value: 12.5 },
      { name: "latency.p99", value: 30 },
      { name: "rps", value: 8000 },
    ]);
  });

  it("finds JSON between log lines that open brackets too", () => {
    expect(parseJsonObject('[INFO] start {\n{"ms": 3}\n[INFO] done')).toEqual([
      { name: "ms", value: 3 },
    ]);
  });
});

describe("keyvalue", () => {
  it("reads name=value and name: value lines with optional units, ignoring other lines", () => {
    expect(parseKeyValue(fixture("keyvalue.txt"))).toEqual([
      { name: "latency_ms", value: 12.5 },
      { name: "p50", value: 180, unit: "ms", better: "lower" },
      { name: "throughput", value: 1.2e6, unit: "ops/s", better: "higher" },
      { name: "errors", value: 0 },
    ]);
  });

  it("does not read a clock time as a value with a unit", () => {
    expect(parseKeyValue("started: 12:30:01")).toBeNull();
  });

  it("reads hand-written lines: labels with spaces, parentheses and accents, text after the unit", () => {
    expect(parseKeyValue(fixture("hand-written.txt"))).toEqual([
      { name: "satisfies", value: 1408, unit: "ms", better: "lower" },
      { name: "jsdiff append", value: 740, unit: "ms", better: "lower" },
      { name: "marked list(4000)", value: 412.3, unit: "ms", better: "lower" },
      { name: "compare-sort", value: 613, unit: "ms", better: "lower" },
      { name: "latência média", value: 12, unit: "ms", better: "lower" },
      { name: "p50 latency", value: 3, unit: "ms", better: "lower" },
      { name: "rows", value: 1048576, unit: "rows" },
    ]);
  });

  it.each(["version: 1.2.3", "x: 1,23", "12: 5 ms", 'say: "5 ms"'])(
    "reads no value from %j",
    (line) => {
      expect(parseKeyValue(line)).toBeNull();
    },
  );

  it("leaves the lines of a JSON document alone", () => {
    expect(parseKeyValue('{\n  "ms": 3,\n  "rps": 5\n}\nwall: 9 ms')).toEqual([
      { name: "wall", value: 9, unit: "ms", better: "lower" },
    ]);
  });
});

describe("number", () => {
  it("reads the one number among log lines", () => {
    expect(parseNumber(fixture("number-with-logs.txt"))).toEqual([
      { name: "value", value: 1234.5 },
    ]);
  });

  it("reads signs and exponents", () => {
    expect(parseNumber("-1.5e-3\n")).toEqual([{ name: "value", value: -0.0015 }]);
  });

  it("refuses several numbers: which one is the result is ambiguous", () => {
    expect(parseNumber("12\n13\n")).toBeNull();
  });
});

describe("every parser", () => {
  it.each(PARSERS.map((p) => [p.format, p.parse] as const))(
    "%s returns null on text that is not its format",
    (_format, parse) => {
      expect(parse("hello world\nno metrics here\n")).toBeNull();
    },
  );
});

describe("long lines", () => {
  it.each(PARSERS.map((p) => [p.format, p.parse] as const))(
    "%s reads a 150,000-character line without backtracking on it",
    (_format, parse) => {
      // A quadratic pattern takes minutes on this; a linear one milliseconds.
      const line = `${"ab x ".repeat(20_000)}${" ".repeat(50_000)}time: [1 ms`;
      expect(parse(`${line}\n`)).toBeNull();
    },
  );
});
