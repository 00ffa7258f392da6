import { parseGoBench } from "./go-bench.js";
import { parseGoogleBenchmark } from "./google-benchmark.js";
import { parseHyperfine } from "./hyperfine.js";
import { parseJmh } from "./jmh.js";
import { parseJsonObject } from "./json-object.js";
import { parseKeyValue } from "./keyvalue.js";
import { parseNumber } from "./number.js";
import { parsePytestBenchmark } from "./pytest-benchmark.js";
import { parseTinybench } from "./tinybench.js";
import type { Metric, MetricFormat } from "./types.js";

export interface MetricParser {
  format: MetricFormat;
  parse: (stdout: string) => Metric[] | null;
  /** What the output must look like, for error messages. */
  expects: string;
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
  },
  {
    format: "keyvalue",
    parse: parseKeyValue,
    expects:
      "one `name=value [unit]` or `name: value [unit]` line per metric (`latency_ms=12.5`, `p50: 180 ms`)",
  },
  {
    format: "number",
    parse: parseNumber,
    expects: "a single number alone on a line (`12.5`)",
  },
];
