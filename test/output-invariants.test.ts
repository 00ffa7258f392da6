import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import { checkBehaviour, volatilePatterns } from "../src/measure/behaviour-check.js";
import type { MetricFormat } from "../src/measure/metrics/types.js";
import {
  findDifference,
  formatDifference,
  type InvariantOptions,
  learnInvariants,
  type OutputInvariants,
  type OutputRun,
} from "../src/measure/output-invariants.js";
import { tokenizeLine } from "../src/measure/output-tokens.js";
import { RunOutput } from "../src/measure/run-output.js";

function run(
  stdout: string,
  metrics: Record<string, number> = {},
  extra: { format?: MetricFormat; truncated?: boolean; checkout?: string } = {},
): OutputRun {
  return {
    output: RunOutput.of(stdout, { truncated: extra.truncated ?? false, checkout: extra.checkout }),
    metrics,
    format: extra.format ?? "keyvalue",
  };
}

const scoredMs: InvariantOptions = { scored: ["ms"], volatile: [] };

/** A report whose time varies from run to run and whose result does not. */
function report(ms: number, digest = "46270f0ae1028369", customers = 2000): OutputRun {
  return run(`ms: ${ms}\nhits=181250\n# report digest ${digest} over ${customers} customers\n`, {
    ms,
    hits: 181250,
  });
}

function learned(runs: OutputRun[], options = scoredMs): OutputInvariants {
  const invariants = learnInvariants(runs, options);
  if (!invariants) throw new Error("nothing learned");
  return invariants;
}

describe("tokens", () => {
  it("keeps numbers with thousands separators, units and hex digests whole", () => {
    const texts = (line: string) =>
      tokenizeLine(line).map((t) => (t.numeric ? `#${t.text}` : t.text));
    expect(texts("hits=1,234,567 took 12.5ms")).toEqual([
      "hits",
      "=",
      "#1,234,567",
      "took",
      "#12.5",
      "ms",
    ]);
    expect(texts("# digest 46270f0ae1028369 sha256 v1.2.3")).toEqual([
      "#",
      "digest",
      "46270f0ae1028369",
      "sha256",
      "v1.2.3",
    ]);
  });
});

describe("learning the invariants", () => {
  const best = [report(12.1), report(13.7), report(11.9)];

  it("ignores what varies between runs of the same code and catches a changed result", () => {
    const invariants = learned(best);
    expect(invariants.runs).toBe(3);
    expect(findDifference(invariants, report(3.2), scoredMs)).toBeNull();
    const shortcut = findDifference(invariants, report(0.7, "9f1c33aa01be77d2", 1), scoredMs);
    expect(shortcut).toEqual({
      line: 3,
      expected: "# report digest 46270f0ae1028369 over 2000 customers",
      actual: { line: 3, text: "# report digest 9f1c33aa01be77d2 over 1 customers" },
    });
    expect(formatDifference(shortcut as NonNullable<typeof shortcut>)).toBe(
      'line 3 "# report digest 46270f0ae1028369 over 2000 customers" → "# report digest 9f1c33aa01be77d2 over 1 customers"',
    );
  });

  it("treats numbers besides the scored metric as invariants", () => {
    const invariants = learned(best);
    const changed = run(
      "ms: 5\nhits=181251\n# report digest 46270f0ae1028369 over 2000 customers",
      {
        ms: 5,
      },
    );
    expect(findDifference(invariants, changed, scoredMs)?.line).toBe(2);
  });

  it("masks the scored metric even when it never varies", () => {
    const steady = [
      run("instructions: 5000\nok", { instructions: 5000 }),
      run("instructions: 5000\nok", { instructions: 5000 }),
    ];
    const options = { scored: ["instructions"], volatile: [] };
    const faster = run("instructions: 4000\nok", { instructions: 4000 });
    expect(findDifference(learned(steady, options), faster, options)).toBeNull();
    // Not scored, the same line is an invariant.
    const unscored = { scored: [], volatile: [] };
    expect(findDifference(learned(steady, unscored), faster, unscored)?.line).toBe(1);
  });

  it("masks a scored value printed with thousands separators, and checks other grouped numbers", () => {
    const line = (ops: string, rows: string) => `ops ${ops} per second over ${rows} rows`;
    const runs = [
      run(line("1,234,567", "2,000,000"), { ops: 1234567 }),
      run(line("1,198,002", "2,000,000"), { ops: 1198002 }),
    ];
    const options = { scored: ["ops"], volatile: [] };
    const invariants = learned(runs, options);
    expect(findDifference(invariants, run(line("9,999,999", "2,000,000")), options)).toBeNull();
    expect(findDifference(invariants, run(line("9,999,999", "2,000,001")), options)).toEqual({
      line: 1,
      expected: line("1,234,567", "2,000,000"),
      actual: { line: 1, text: line("9,999,999", "2,000,001") },
    });
  });

  it("makes the place of a line that appears in some runs only volatile", () => {
    const a = run("ms: 10\nwarning: cold cache\ntotal 42\ndone", { ms: 10 });
    const b = run("ms: 11\ntotal 42\ndone", { ms: 11 });
    const invariants = learned([a, b]);
    expect(invariants.lines.map((l) => l.optional)).toEqual([false, true, false, false]);
    expect(findDifference(invariants, run("ms: 4\ntotal 42\ndone"), scoredMs)).toBeNull();
    expect(
      findDifference(invariants, run("ms: 4\nwarning: cold cache\ntotal 43\ndone"), scoredMs),
    ).toEqual({
      line: 3,
      expected: "total 42",
      actual: { line: 3, text: "total 43" },
    });
    expect(findDifference(invariants, run("ms: 4\ntotal 42"), scoredMs)).toEqual({
      line: 4,
      expected: "done",
      actual: null,
    });
  });

  it("accepts any value in a line that is all volatile, but not another shape of line", () => {
    const invariants = learned([run("12.5\nresult 7"), run("13.25\nresult 7")], {
      scored: [],
      volatile: [],
    });
    const none = { scored: [], volatile: [] };
    expect(findDifference(invariants, run("1.75\nresult 7"), none)).toBeNull();
    expect(findDifference(invariants, run("1.75 extra\nresult 7"), none)?.line).toBe(1);
  });

  it("catches a token that varies only between the candidate's runs", () => {
    const stable = [run("ms: 10\nseed 1\n"), run("ms: 12\nseed 1\n")];
    const candidate = [run("ms: 3\nseed 1\n"), run("ms: 3\nseed 2\n"), run("ms: 3\nseed 1\n")];
    const check = checkBehaviour(stable, candidate, scoredMs);
    expect(check).toMatchObject({ changed: true, learnedFrom: 2, checked: 3 });
    expect(check.firstDifference?.actual?.text).toBe("seed 2");
  });

  it("learns nothing from a single run, so it checks nothing", () => {
    const check = checkBehaviour([report(10)], [report(1, "ffff", 1)], scoredMs);
    expect(check).toEqual({ changed: false, firstDifference: null, learnedFrom: 1, checked: 0 });
  });

  it("continues invariants learned earlier (the baseline's)", () => {
    const baseline = learned([run("at /repo\nok 1"), run("at /repo\nok 1")], {
      scored: [],
      volatile: [],
    });
    const none = { scored: [], volatile: [] };
    const best = [run("at /elsewhere\nok 1"), run("at /elsewhere\nok 1")];
    expect(
      checkBehaviour(best, [run("at /third\nok 1")], { ...none, from: baseline }).changed,
    ).toBe(false);
    expect(checkBehaviour(best, [run("at /third\nok 1")], none).changed).toBe(true);
    expect(
      checkBehaviour(best, [run("at /third\nok 2")], { ...none, from: baseline }).changed,
    ).toBe(true);
  });

  it("replaces each run's checkout path, so arms in different checkouts print the same", () => {
    const runs = [
      run("reading /w/best/data.csv\nrows 10", {}, { checkout: "/w/best" }),
      run("reading /w/best/data.csv\nrows 10", {}, { checkout: "/w/best" }),
    ];
    const none = { scored: [], volatile: [] };
    const candidate = run("reading /w/cand/data.csv\nrows 10", {}, { checkout: "/w/cand" });
    expect(findDifference(learned(runs, none), candidate, none)).toBeNull();
  });

  it("marks the tokens --volatile patterns cover", () => {
    const runs = [run("ms: 10\nrun id 7f3a\nrows 10"), run("ms: 11\nrun id 7f3a\nrows 10")];
    const candidate = run("ms: 1\nrun id 99bc\nrows 10");
    expect(findDifference(learned(runs), candidate, scoredMs)?.line).toBe(2);
    const options = { scored: ["ms"], volatile: volatilePatterns(["^run id \\w+"]) };
    expect(findDifference(learned(runs, options), candidate, options)).toBeNull();
    const changed = run("ms: 1\nrun id 99bc\nrows 9");
    expect(findDifference(learned(runs, options), changed, options)?.line).toBe(3);
  });

  it("refuses a --volatile pattern that is not a regular expression", () => {
    expect(() => volatilePatterns(["(unclosed"])).toThrow(UsageError);
    expect(() => volatilePatterns(["(unclosed"])).toThrow(
      /--volatile '\(unclosed' is not a regular expression/,
    );
  });

  it("reads only the words of a benchmark harness's report", () => {
    const go = (n: string, ns: string, name = "BenchmarkParse-8") =>
      run(
        `goos: linux\n${name}  ${n}  ${ns} ns/op\nPASS\nok  example.com/p  1.2s`,
        {},
        { format: "go-bench" },
      );
    const invariants = learned([go("1000", "1200"), go("1000", "1180")], {
      scored: [],
      volatile: [],
    });
    const none = { scored: [], volatile: [] };
    // A faster candidate runs more iterations in the same time.
    expect(findDifference(invariants, go("5000", "240"), none)).toBeNull();
    expect(findDifference(invariants, go("5000", "240", "BenchmarkSkip-8"), none)?.line).toBe(2);
  });

  it("lets a candidate print the value of a knob it runs with instead of the best's", () => {
    const runs = [run("threads=4\nsum 99"), run("threads=4\nsum 99")];
    const none = { scored: [], volatile: [] };
    const tuned = run("threads=8\nsum 99");
    expect(findDifference(learned(runs, none), tuned, none)?.line).toBe(1);
    expect(findDifference(learned(runs, none), tuned, none, [["4", "8"]])).toBeNull();
  });

  it("says nothing about lines after the end of a truncated run", () => {
    const full = (ms: number) => `ms: ${ms}\nrows 10\ndigest abc`;
    const invariants = learned([
      run(full(21), { ms: 21 }),
      run("ms: 23\nrows 10\ndig", { ms: 23 }, { truncated: true }),
      run(full(22), { ms: 22 }),
    ]);
    expect(invariants.lines.map((l) => l.optional)).toEqual([false, false, false]);
    expect(
      findDifference(invariants, run("ms: 1\nrows 10\ndige", {}, { truncated: true }), scoredMs),
    ).toBeNull();
    expect(
      findDifference(invariants, run("ms: 1\nrows 11\ndige", {}, { truncated: true }), scoredMs)
        ?.line,
    ).toBe(2);
    expect(findDifference(invariants, run("ms: 1\nrows 10\ndigest abd"), scoredMs)?.line).toBe(3);
  });

  it("clips long lines around their first difference", () => {
    const long = (digest: string) => `${"x".repeat(300)} digest ${digest} ${"y".repeat(300)}`;
    const none = { scored: [], volatile: [] };
    const invariants = learned([run(long("aaaa")), run(long("aaaa"))], none);
    const difference = findDifference(invariants, run(long("bbbb")), none);
    const message = formatDifference(difference as NonNullable<typeof difference>);
    expect(message).toContain("digest aaaa");
    expect(message).toContain("digest bbbb");
    expect(message.length).toBeLessThan(260);
  });
});

describe("a hand-written metric line (issue 14)", () => {
  const line = (ms: string, hits: number) =>
    run(`satisfies: ${ms} ms (hits=${hits})\n`, { satisfies: Number(ms.replaceAll(",", "")) });
  const scored: InvariantOptions = { scored: ["satisfies"], volatile: [] };
  const invariants = () => learned([line("1,408.0", 181250), line("1,391.5", 181250)], scored);

  it("lets the scored time vary and holds the text after it invariant", () => {
    expect(findDifference(invariants(), line("1,000.0", 181250), scored)).toBeNull();
    expect(findDifference(invariants(), line("1,000.0", 181251), scored)).toEqual({
      line: 1,
      expected: "satisfies: 1,408.0 ms (hits=181250)",
      actual: { line: 1, text: "satisfies: 1,000.0 ms (hits=181251)" },
    });
  });
});
