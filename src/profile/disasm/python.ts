import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { z } from "zod";
import { parseJson } from "../../parse-json.js";
import { describeFailure, runTool, which } from "../tools.js";
import { ProfileError } from "../types.js";
import type { DisasmRequest, Disassembly } from "./types.js";

/**
 * Loads the module without running it as __main__ (so `if __name__ == "__main__"` stays quiet),
 * finds the function by its qualified name and prints `dis` of it as JSON.
 */
export const PYTHON_DIS = `
import dis, importlib, importlib.util, inspect, json, sys
target, qualname = sys.argv[1], sys.argv[2]
if target.endswith(".py"):
    spec = importlib.util.spec_from_file_location("_auto_optimize_target", target)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    sys.argv = [target]
    spec.loader.exec_module(module)
else:
    module = importlib.import_module(target)
obj = module
for part in qualname.split("."):
    obj = getattr(obj, part)
obj = inspect.unwrap(getattr(obj, "__func__", obj))
code = obj.__code__
listing = dis.Bytecode(code).dis()
instructions = [
    {"offset": i.offset, "opname": i.opname, "argrepr": i.argrepr, "argval": i.argval if isinstance(i.argval, (int, str)) else None}
    for i in dis.get_instructions(code)
]
json.dump({"version": sys.version.split()[0], "file": code.co_filename, "line": code.co_firstlineno, "listing": listing, "instructions": instructions}, sys.stdout)
`;

/** What PYTHON_DIS prints; `argval` is an int, a str (or a bool, which Python counts as an int). */
const DisJson = z.object({
  version: z.string(),
  file: z.string(),
  line: z.number(),
  listing: z.string(),
  instructions: z.array(
    z.object({
      offset: z.number(),
      opname: z.string(),
      argrepr: z.string(),
      argval: z.union([z.number(), z.string(), z.boolean()]).nullable(),
    }),
  ),
});
type DisJson = z.infer<typeof DisJson>;

/** Where the function lives: `module:function`, the profile's file, or the command's script. */
function locate(req: DisasmRequest): { target: string; qualname: string } {
  const colon = req.symbol.indexOf(":");
  if (colon > 0)
    return { target: req.symbol.slice(0, colon), qualname: req.symbol.slice(colon + 1) };
  if (req.file)
    return {
      target: isAbsolute(req.file) ? req.file : join(req.cwd, req.file),
      qualname: req.symbol,
    };
  const words = req.command.trim().split(/\s+/);
  const python = words.findIndex((w) => /(^|\/)python[\d.]*$/.test(w));
  for (let i = python + 1; python >= 0 && i < words.length; i++) {
    const w = words[i] as string;
    if (w === "-m") return { target: words[i + 1] ?? "", qualname: req.symbol };
    if (w.endsWith(".py"))
      return { target: isAbsolute(w) ? w : join(req.cwd, w), qualname: req.symbol };
  }
  throw new ProfileError(
    "bad-symbol",
    `cannot tell which module defines '${req.symbol}': write module:function (e.g. app/core.py:parse or app.core:Parser.parse)`,
  );
}

/** CPython's bytecode of one function (`dis`), with what runs in its loops. */
export async function disassemblePython(req: DisasmRequest): Promise<Disassembly> {
  const python = (await which("python3")) ?? (await which("python"));
  if (!python) throw new ProfileError("no-disassembler", "python3 is not on PATH");
  const { target, qualname } = locate(req);
  if (target.endsWith(".py") && !existsSync(target)) {
    throw new ProfileError("no-symbol", `no such Python file: ${target}`);
  }
  const run = await runTool(python, ["-c", PYTHON_DIS, target, qualname], {
    cwd: req.cwd,
    env: {
      ...req.env,
      PYTHONPATH: [req.cwd, req.env?.PYTHONPATH ?? process.env.PYTHONPATH]
        .filter(Boolean)
        .join(":"),
    },
    timeoutMs: req.timeoutMs,
  });
  if (!run.ok) {
    throw new ProfileError(
      "no-symbol",
      `could not load '${qualname}' from ${target}: ${describeFailure(run, req.timeoutMs)}`,
    );
  }
  const json = parseJson(
    run.stdout,
    DisJson,
    (problem) =>
      new ProfileError(
        "disassembly-failed",
        `the dis output for '${qualname}' in ${target} ${problem}`,
      ),
  );
  return {
    language: "python",
    tool: `dis (CPython ${json.version})`,
    symbol: qualname,
    listing: `${json.file}:${json.line}\n${json.listing}`,
    findings: pythonFindings(json.instructions),
    notes: [],
  };
}

/** Loops (backward jumps) and the lookups, calls and allocations repeated in them. */
export function pythonFindings(instructions: DisJson["instructions"]): string[] {
  const findings: string[] = [];
  const loops = instructions
    .filter((i) => /^JUMP_BACKWARD|^JUMP_ABSOLUTE$/.test(i.opname) && typeof i.argval === "number")
    .map((i) => ({ from: i.argval as number, to: i.offset }))
    .filter((l) => l.from <= l.to);
  if (loops.length === 0) findings.push("no loop in the function's bytecode");
  for (const loop of loops) {
    const body = instructions.filter((i) => i.offset >= loop.from && i.offset <= loop.to);
    const where = `loop at bytecode ${loop.from}–${loop.to}`;
    const globals = [
      ...new Set(
        body
          .filter((i) => i.opname === "LOAD_GLOBAL")
          .map((i) => i.argrepr.replace(/^NULL \+ | \+ NULL$/g, "")),
      ),
    ];
    const attrs = body.filter((i) => /^LOAD_(ATTR|METHOD)$/.test(i.opname));
    const calls = body.filter((i) =>
      /^(CALL|CALL_FUNCTION|CALL_METHOD|CALL_FUNCTION_KW|CALL_FUNCTION_EX|CALL_KW)$/.test(i.opname),
    );
    const builds = body.filter((i) => /^BUILD_(LIST|MAP|SET|TUPLE|STRING)$/.test(i.opname));
    findings.push(
      `${where}: ${body.length} bytecodes per iteration, ${calls.length} calls, ${attrs.length} attribute lookups, ${globals.length} distinct globals`,
    );
    if (globals.length > 0) {
      findings.push(
        `${where}: global lookups each iteration (${globals.join(", ")}) — bind them to locals before the loop`,
      );
    }
    if (attrs.length > 0) {
      findings.push(
        `${where}: attribute lookups each iteration (${[...new Set(attrs.map((a) => a.argrepr.replace(/^NULL\|self \+ | \+ NULL\|self$/g, "")))].join(", ")})`,
      );
    }
    if (calls.length > 0)
      findings.push(
        `${where}: ${calls.length} Python-level calls per iteration (each costs tens of ns; not inlined by CPython)`,
      );
    if (builds.length > 0)
      findings.push(`${where}: ${builds.length} containers built per iteration`);
    findings.push(
      `${where}: an interpreted loop — builtins (sum, map), comprehensions or numpy move it to C`,
    );
  }
  return findings;
}
