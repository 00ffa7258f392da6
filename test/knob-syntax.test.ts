import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import { parseKnob } from "../src/experiment/knob-syntax.js";

const root = mkdtempSync(join(tmpdir(), "knob-syntax-"));
mkdirSync(join(root, "src"));
writeFileSync(
  join(root, "src/config.js"),
  "export const CHUNK = 64;\nexport const RATIO = 0.5;\nconst url = 'http://x:1';\nmode = fast\n",
);

async function refusal(spec: string): Promise<string> {
  const error = await parseKnob(spec, root).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as UsageError).message;
}

describe("--knob syntax", () => {
  it("reads an environment knob; the variable defaults to the knob's name", async () => {
    expect(await parseKnob("THREADS:env:int:1..8=1", root)).toEqual({
      name: "THREADS",
      kind: "env",
      env: "THREADS",
      domain: { type: "int", min: 1, max: 8 },
      initial: 1,
    });
    expect(await parseKnob("fast:env:FAST:bool=false", root)).toEqual({
      name: "fast",
      kind: "env",
      env: "FAST",
      domain: { type: "bool" },
      initial: false,
    });
  });

  it("reads argument knobs: with a flag, a flag ending in '=', and none", async () => {
    expect(await parseKnob("mode:arg:--mode:enum:a|b|c=a", root)).toEqual({
      name: "mode",
      kind: "arg",
      flag: "--mode",
      domain: { type: "enum", values: ["a", "b", "c"] },
      initial: "a",
    });
    expect(await parseKnob("level:arg:--level=:int:-3..3:1=0", root)).toMatchObject({
      flag: "--level=",
      domain: { type: "int", min: -3, max: 3, step: 1 },
      initial: 0,
    });
    const bare = await parseKnob("n:arg:float:0.1..2.5=1.5", root);
    expect(bare).toMatchObject({ kind: "arg", domain: { type: "float", min: 0.1, max: 2.5 } });
    expect(bare.initial).toBe(1.5);
    expect(bare.flag).toBeUndefined();
  });

  it("reads an integer domain with a step", async () => {
    expect((await parseKnob("B:env:int:16..4096:16=64", root)).domain).toEqual({
      type: "int",
      min: 16,
      max: 4096,
      step: 16,
    });
  });

  it("reads a file knob whose pattern captures the initial value from the file as it is", async () => {
    const knob = await parseKnob("chunk:file:src/config.js:/CHUNK = (\\d+)/:int:16..4096=64", root);
    expect(knob).toEqual({
      name: "chunk",
      kind: "file",
      file: "src/config.js",
      pattern: "CHUNK = (\\d+)",
      domain: { type: "int", min: 16, max: 4096 },
      initial: 64,
    });
    // Without =INITIAL the file's value is taken; a pattern may contain ':' and '='.
    expect(
      (await parseKnob("ratio:file:src/config.js:/RATIO = ([\\d.]+)/:float:0..1", root)).initial,
    ).toBe(0.5);
    expect((await parseKnob("port:file:src/config.js:/x:(\\d)'/:int:0..9", root)).pattern).toBe(
      "x:(\\d)'",
    );
    expect(
      (await parseKnob("m:file:src/config.js:/^mode = (\\w+)$/:enum:fast|slow", root)).initial,
    ).toBe("fast");
  });

  it("refuses a file knob whose pattern does not fit the file", async () => {
    expect(await refusal("chunk:file:src/config.js:/CHUNK = (\\d+)/:int:16..4096=32")).toMatch(
      /says =32 but src\/config.js holds 64/,
    );
    expect(await refusal("chunk:file:src/config.js:/SIZE = (\\d+)/:int:1..9")).toMatch(
      /no longer matches src\/config.js/,
    );
    expect(await refusal("chunk:file:src/config.js:/CHUNK = \\d+/:int:1..99")).toMatch(
      /no capture group/,
    );
    expect(await refusal("chunk:file:src/missing.js:/C = (\\d+)/:int:1..99")).toMatch(
      /cannot read src\/missing.js/,
    );
    expect(await refusal("chunk:file:src/config.js:/CHUNK = (\\d+)/:int:1..10")).toMatch(
      /captures '64' in src\/config.js, which is outside its domain/,
    );
    expect(await refusal("chunk:file:src/config.js:/CHUNK = ((\\d+)/:int:1..99")).toMatch(
      /not a valid regular expression/,
    );
    expect(await refusal("chunk:file:src/config.js:int:1..99")).toMatch(/needs PATH:\/REGEX\//);
  });

  it("refuses malformed declarations, saying what is wrong and how to write it", async () => {
    const cases: [string, RegExp][] = [
      ["THREADS:env:1..8=1", /no domain at its end/],
      ["THREADS:int:1..8=1", /no kind/],
      ["THREADS:var:int:1..8=1", /unknown kind 'var'/],
      ["bad name:env:int:1..8=1", /the name 'bad name'/],
      ["THREADS:env:int:1..8", /give its value at the baseline with =INITIAL/],
      ["mode:arg:--mode:enum:a|b=c", /initial value 'c' is outside its domain/],
      ["THREADS:env:int:1..8=9", /initial value '9' is outside its domain/],
      ["THREADS:env:int:8..1=4", /MIN below MAX/],
      ["THREADS:env:int:1.5..8=4", /whole-number ends/],
      ["THREADS:env:int:1..8:0=4", /step '0' must be a positive whole number/],
      ["THREADS:env:int:one..8=4", /must be MIN..MAX/],
      ["mode:arg:--mode:enum:a=a", /at least two non-empty values/],
      ["mode:arg:--mode:enum:a|a=a", /lists a value twice/],
      ["fast:env:bool:yes=true", /write the bool domain as bool/],
      ["x:env:1BAD:int:1..2=1", /'1BAD' is not an environment variable name/],
    ];
    for (const [spec, reason] of cases) {
      const message = await refusal(spec);
      expect(message, spec).toMatch(reason);
      expect(message).toContain(`--knob '${spec}'`);
      expect(message).toContain("NAME:env[:VAR]:DOMAIN=INITIAL");
    }
  });
});
