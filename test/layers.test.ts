import { readdirSync, readFileSync } from "node:fs";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  importSpecifiers,
  LAYERS,
  layerViolations,
  resolveInSrc,
  type SourceFile,
} from "./helpers/layers.js";

const SRC = fileURLToPath(new URL("../src", import.meta.url));

function sourceFiles(): SourceFile[] {
  return readdirSync(SRC, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts"))
    .map((name) => ({
      path: name.split(sep).join("/"),
      text: readFileSync(join(SRC, name), "utf8"),
    }));
}

describe("the layers of src/", () => {
  it("no import reaches into an outer layer", () => {
    const files = sourceFiles();
    // The check below passes trivially if the files or their imports were not found.
    expect(files.length).toBeGreaterThan(100);
    const relativeImports = files.flatMap((f) =>
      importSpecifiers(f.path, f.text).filter((s) => resolveInSrc(f.path, s) !== null),
    );
    expect(relativeImports.length).toBeGreaterThan(500);
    expect(layerViolations(files)).toEqual([]);
  });

  it("every folder of src/ is in a layer", () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => !LAYERS.flat().includes(folder))).toEqual([]);
  });
});

describe("the layer checker", () => {
  it("flags every kind of import into an outer layer, naming file and specifier", () => {
    const files: SourceFile[] = [
      { path: "measure/a.ts", text: 'import { x } from "../loop/x.js";' },
      { path: "workspace/b.ts", text: 'export { y } from "../profile/y.js";' },
      { path: "experiment/c.ts", text: 'import type { Z } from "../agent/z.js";' },
      { path: "profile/d.ts", text: 'const m = await import("../mcp/m.js");' },
      { path: "agent/tuner/e.ts", text: 'import "../../cli/main.js";' },
      { path: "loop/report/f.ts", text: 'type T = import("../../cli/t.js").T;' },
      { path: "errors.ts", text: 'import { w } from "./workspace/w.js";' },
      { path: "cli/g.ts", text: 'import { b } from "../bench/trial.js";' },
      { path: "loop/h.ts", text: 'const name = "../cli/x.js";\nawait import(name);' },
    ];
    expect(layerViolations(files)).toEqual([
      "src/measure/a.ts -> ../loop/x.js",
      "src/workspace/b.ts -> ../profile/y.js",
      "src/experiment/c.ts -> ../agent/z.js",
      "src/profile/d.ts -> ../mcp/m.js",
      "src/agent/tuner/e.ts -> ../../cli/main.js",
      "src/loop/report/f.ts -> ../../cli/t.js",
      "src/errors.ts -> ./workspace/w.js",
      "src/cli/g.ts -> ../bench/trial.js",
      "src/loop/h.ts -> [name]",
    ]);
  });

  it("lets a layer import itself, inner layers, shared files and packages", () => {
    const files: SourceFile[] = [
      { path: "measure/a.ts", text: 'import { f } from "../workspace/files.js";' },
      { path: "workspace/b.ts", text: 'import { s } from "../measure/stats/robust.js";' },
      { path: "experiment/c.ts", text: 'import { p } from "../profile/profile.js";' },
      { path: "loop/d.ts", text: 'export * from "../experiment/state.js";\nimport "./e.js";' },
      { path: "cli/e.ts", text: 'import { m } from "../mcp/server.js";' },
      { path: "mcp/f.ts", text: 'import { U } from "../errors.js";\nimport { z } from "zod";' },
      { path: "bench/g.ts", text: 'import { c } from "../cli/main.js";' },
      { path: "flag-numbers.ts", text: 'import { U } from "./errors.js";' },
      {
        path: "measure/h.ts",
        text: '// import { x } from "../loop/x.js";\nconst s = "../cli/y.js";',
      },
    ];
    expect(layerViolations(files)).toEqual([]);
  });

  it("refuses a folder that is in no layer", () => {
    expect(() => layerViolations([{ path: "plugins/a.ts", text: "" }])).toThrow(/in no layer/);
  });
});
