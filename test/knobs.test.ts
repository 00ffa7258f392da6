import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AutoOptimizeError } from "../src/errors.js";
import {
  applyFileKnob,
  domainValues,
  formatKnobValue,
  initialKnobValues,
  knobRunTarget,
  parseKnobValue,
  readFileKnob,
  shellQuote,
} from "../src/experiment/knobs.js";
import { Knob } from "../src/experiment/schema.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function checkout(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "auto-optimize-knobs-"));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const threads = Knob.parse({
  name: "THREADS",
  kind: "file",
  file: "src/config.ts",
  pattern: "^export const THREADS = (\\d+);",
  domain: { type: "int", min: 1, max: 64 },
  initial: 4,
});

describe("file knobs", () => {
  it("rewrites the first capture group of the first match and nothing else", async () => {
    const dir = checkout({
      "src/config.ts":
        "// THREADS = 4 in a comment\nexport const THREADS = 4;\nexport const THREADS = 4;\n",
    });
    await applyFileKnob(dir, threads, 16);
    expect(readFileSync(join(dir, "src/config.ts"), "utf8")).toBe(
      "// THREADS = 4 in a comment\nexport const THREADS = 16;\nexport const THREADS = 4;\n",
    );
    expect(await readFileKnob(dir, threads)).toBe("16");
  });

  it("writes float and enum values as text", async () => {
    const ratio = Knob.parse({
      name: "ratio",
      kind: "file",
      file: "cfg.ini",
      pattern: "ratio=([0-9.]+)",
      domain: { type: "float", min: 0, max: 1 },
      initial: 0.5,
    });
    const mode = Knob.parse({
      name: "mode",
      kind: "file",
      file: "cfg.ini",
      pattern: 'mode="(\\w+)"',
      domain: { type: "enum", values: ["fast", "safe"] },
      initial: "safe",
    });
    const dir = checkout({ "cfg.ini": 'ratio=0.5\nmode="safe"\n' });
    await applyFileKnob(dir, ratio, 0.125);
    await applyFileKnob(dir, mode, "fast");
    expect(readFileSync(join(dir, "cfg.ini"), "utf8")).toBe('ratio=0.125\nmode="fast"\n');
  });

  it("says clearly when the pattern no longer matches", async () => {
    const dir = checkout({ "src/config.ts": "export const THREADS = computeThreads();\n" });
    const error = await applyFileKnob(dir, threads, 8).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AutoOptimizeError);
    expect((error as AutoOptimizeError).code).toBe("knob-pattern-not-found");
    expect((error as Error).message).toMatch(/THREADS.*no longer matches src\/config\.ts/);
  });

  it("refuses a value the pattern could not read back, a missing file, a pattern without a group", async () => {
    const dir = checkout({ "src/config.ts": "export const THREADS = 4;\n" });
    const asFloat = { ...threads, domain: { type: "float" as const, min: 0, max: 8 } };
    await expect(applyFileKnob(dir, asFloat, 2.5)).rejects.toThrow(/no longer reads it back/);
    expect(readFileSync(join(dir, "src/config.ts"), "utf8")).toBe("export const THREADS = 4;\n");
    await expect(applyFileKnob(dir, { ...threads, file: "nope.ts" }, 2)).rejects.toThrow(
      /cannot read nope\.ts/,
    );
    await expect(applyFileKnob(dir, { ...threads, pattern: "THREADS = \\d+" }, 2)).rejects.toThrow(
      /no capture group/,
    );
    await expect(applyFileKnob(dir, { ...threads, file: "../outside.ts" }, 2)).rejects.toThrow(
      /not inside the repository/,
    );
  });
});

describe("env and arg knobs", () => {
  const knobs = [
    Knob.parse({
      name: "workers",
      kind: "env",
      domain: { type: "int", min: 1, max: 8 },
      initial: 2,
    }),
    Knob.parse({
      name: "gc",
      kind: "env",
      env: "NODE_GC_MODE",
      domain: { type: "enum", values: ["a b", "it's"] },
      initial: "a b",
    }),
    Knob.parse({
      name: "size",
      kind: "arg",
      flag: "--size",
      domain: { type: "int", min: 1, max: 1000 },
      initial: 10,
    }),
    Knob.parse({
      name: "label",
      kind: "arg",
      flag: "--label=",
      domain: { type: "enum", values: ["x y", "it's", "plain"] },
      initial: "plain",
    }),
    Knob.parse({
      name: "verbose",
      kind: "arg",
      domain: { type: "bool" },
      initial: false,
    }),
    threads,
  ];

  it("builds the environment and the quoted arguments, initial values for missing knobs", () => {
    const target = knobRunTarget(knobs, { workers: 4, gc: "it's", label: "x y" });
    expect(target.env).toEqual({ workers: "4", NODE_GC_MODE: "it's" });
    expect(target.args).toBe("--size 10 --label='x y' false");
    expect(knobRunTarget(knobs, { label: "it's", verbose: true }).args).toBe(
      "--size 10 --label='it'\\''s' true",
    );
  });

  it("produces arguments a shell reads back exactly", () => {
    const target = knobRunTarget(knobs, { label: "it's", size: 7 });
    const out = execFileSync("sh", ["-c", `printf '%s\\n' ${target.args}`], { encoding: "utf8" });
    expect(out).toBe("--size\n7\n--label=it's\nfalse\n");
    for (const text of ["", "a b", "$HOME", "`x`", "it's", 'q"q', "*"]) {
      const echoed = execFileSync("sh", ["-c", `printf '%s' ${shellQuote(text)}`], {
        encoding: "utf8",
      });
      expect(echoed).toBe(text);
    }
  });

  it("starts from the declared initial values", () => {
    expect(initialKnobValues(knobs)).toEqual({
      workers: 2,
      gc: "a b",
      size: 10,
      label: "plain",
      verbose: false,
      THREADS: 4,
    });
  });
});

describe("values", () => {
  it("parses and formats each domain", () => {
    expect(parseKnobValue({ type: "int", min: 1, max: 8 }, " 4 ")).toBe(4);
    expect(parseKnobValue({ type: "float", min: 0, max: 1 }, "0.25")).toBe(0.25);
    expect(parseKnobValue({ type: "enum", values: ["a", "b"] }, "b")).toBe("b");
    expect(parseKnobValue({ type: "bool" }, "yes")).toBe(true);
    expect(parseKnobValue({ type: "bool" }, "false")).toBe(false);
    expect(() => parseKnobValue({ type: "int", min: 1, max: 8 }, "9")).toThrow(/\[1, 8\]/);
    expect(() => parseKnobValue({ type: "int", min: 1, max: 8 }, "2.5")).toThrow(/integer/);
    expect(() => parseKnobValue({ type: "enum", values: ["a", "b"] }, "c")).toThrow(/one of a, b/);
    expect(() => parseKnobValue({ type: "float", min: 0, max: 1 }, "")).toThrow(/number/);
    expect(formatKnobValue(4)).toBe("4");
    expect(formatKnobValue(0.1 + 0.2)).toBe(String(0.1 + 0.2));
    expect(formatKnobValue(true)).toBe("true");
  });

  it("lists finite domains", () => {
    expect(domainValues({ type: "int", min: 2, max: 10, step: 4 })).toEqual([2, 6, 10]);
    expect(domainValues({ type: "bool" })).toEqual([false, true]);
    expect(domainValues({ type: "enum", values: ["x", "y"] })).toEqual(["x", "y"]);
    expect(domainValues({ type: "float", min: 0, max: 1 })).toBeNull();
    expect(domainValues({ type: "int", min: 0, max: 1_000_000 })).toBeNull();
  });
});
