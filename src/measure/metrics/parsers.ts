import { parseBenchmarkJs } from "./benchmark-js.js";
import { parseCargoBench } from "./cargo-bench.js";
import { parseCriterion } from "./criterion.js";
import { parseGoBench } from "./go-bench.js";
import { parseGoogleBenchmark } from "./google-benchmark.js";
import { parseHyperfine } from "./hyperfine.js";
import { parseJmh } from "./jmh.js";
import { parseJsonObject } from "./json-object.js";
import { parseKeyValue } from "./keyvalue.js";
import { parseNumber } from "./number.js";
import { parsePytestBenchmark } from "./pytest-benchmark.js";
import { parseTimeit } from "./timeit.js";
import { parseTinybench } from "./tinybench.js";
import type { Metric, MetricFormat } from "./types.js";

export interface MetricParser {
  format: MetricFormat;
  parse: (stdout: string) => Metric[] | null;
  /** What the output must look like, for error messages. */
  expects: string;
  /** "average": its harness repeats a benchmark in one run; else a name printed twice is an error. */
  repeats?: "average";
}

/** In auto-detection order: specific shapes before the generic ones that would also accept them. */
export const PARSERS: readonly MetricParser[] = [
  {
    format: "hyperfine",
    parse: parseHyperfine,
    expects: "hyperfine's JSON export (`hyperfine --export-json /dev/stdout ...`)",
  },
  {
    format: "jmh",
    parse: parseJmh,
    expects: "JMH's JSON result (`-rf json -rff /dev/stdout`)",
  },
  {
    format: "google-benchmark",
    parse: parseGoogleBenchmark,
    expects: "Google Benchmark's JSON (`--benchmark_format=json`)",
    repeats: "average",
  },
  {
    format: "pytest-benchmark",
    parse: parsePytestBenchmark,
    expects: "pytest-benchmark's JSON (`--benchmark-json=/dev/stdout`)",
  },
  {
    format: "tinybench",
    parse: parseTinybench,
    expects:
      "vitest bench's JSON (`vitest bench --run --outputJson /dev/stdout`) or a JSON array of tinybench task results",
  },
  {
    format: "json",
    parse: parseJsonObject,
    expects: 'a JSON object whose numeric fields are the metrics (`{"latency_ms": 12.5}`)',
  },
  {
    format: "go-bench",
    parse: parseGoBench,
    expects: "`go test -bench` result lines (`BenchmarkX-8  1000  1234 ns/op`)",
    repeats: "average",
  },
  {
    format: "benchmark.js",
    parse: parseBenchmarkJs,
    expects:
      "benchmark.js cycle lines (`RegExp#test x 4,263,446 ops/sec ±1.23% (91 runs sampled)`)",
  },
  {
    format: "cargo-bench",
    parse: parseCargoBench,
    expects:
      "libtest bench lines from `cargo bench` (`test parse ... bench:  1,234 ns/iter (+/- 56)`)",
  },
  {
    format: "criterion",
    parse: parseCriterion,
    expects: "criterion.rs's report (`parse/small  time:  [1.2345 ms 1.2400 ms 1.2456 ms]`)",
  },
  {
    format: "timeit",
    parse: parseTimeit,
    expects: "`python -m timeit`'s result (`200 loops, best of 5: 1.23 msec per loop`)",
  },
  {
    format: "keyvalue",
    parse: parseKeyValue,
    expects:
      "one `name: value [unit]` or `name=value [unit]` line per metric, anything after it (`p50 latency: 180 ms (warm)`, `latency_ms=12.5`)",
  },
  {
    format: "number",
    parse: parseNumber,
    expects: "a single number alone on a line (`12.5`)",
  },
];
