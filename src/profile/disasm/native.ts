import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { perfRecord } from "../adapters/native.js";
import { programOf } from "../detect.js";
import { withoutParameters } from "../parsers/perf-script.js";
import { describeFailure, runTool, which } from "../tools.js";
import { ProfileError } from "../types.js";
import {
  type Instruction,
  nativeFindings,
  parseObjdump,
  parsePerfAnnotate,
} from "./native-findings.js";
import { addSourceLines } from "./native-lines.js";
import type { DisasmRequest, Disassembly } from "./types.js";

/** The binary the command runs (its first word, resolved like the shell does). */
export async function binaryOf(command: string, cwd: string): Promise<string | null> {
  const program = programOf(command);
  if (!program) return null;
  if (isAbsolute(program)) return existsSync(program) ? program : null;
  if (program.includes("/")) return existsSync(join(cwd, program)) ? join(cwd, program) : null;
  return which(program);
}

/**
 * objdump of one function of the command's binary, demangled, annotated with perf's per-instruction
 * sample shares when perf can record the command.
 */
export async function disassembleNative(req: DisasmRequest): Promise<Disassembly> {
  const objdump = await which("objdump");
  if (!objdump) {
    throw new ProfileError("no-disassembler", "objdump is missing: apt-get install binutils");
  }
  const binary = await binaryOf(req.command, req.cwd);
  if (!binary) {
    throw new ProfileError(
      "no-binary",
      `cannot find the binary '${programOf(req.command) ?? ""}' runs: give the command that starts the native program itself (e.g. -- ./build/bench).`,
    );
  }
  const symbol = await fullName(binary, req.symbol, req.cwd);
  const run = await runTool(
    objdump,
    ["-d", "-C", "--no-show-raw-insn", `--disassemble=${symbol}`, binary],
    { cwd: req.cwd, timeoutMs: 120_000 },
  );
  if (!run.ok) {
    throw new ProfileError(
      "disassembly-failed",
      `objdump failed: ${describeFailure(run, 120_000)}`,
    );
  }
  const listing = functionListing(run.stdout);
  const instructions = parseObjdump(listing);
  if (instructions.length === 0) {
    throw new ProfileError(
      "no-symbol",
      `no function '${req.symbol}' in ${binary} (is it inlined everywhere, static and stripped, or spelled differently? nm -C ${binary} lists the symbols)`,
    );
  }
  await addSourceLines(instructions, binary, req.cwd);
  const notes: string[] = [];
  const samples = await perfAnnotate({ ...req, symbol: withoutParameters(symbol) }, binary);
  let tool = "objdump";
  let text = listing;
  if (samples.size > 0) {
    for (const i of instructions) i.pct = samples.get(i.address) ?? 0;
    text = annotate(listing, samples);
    tool = "objdump + perf annotate";
  } else {
    notes.push(
      "no per-instruction samples (perf missing, not permitted, or the function never ran)",
    );
  }
  return {
    language: "native",
    tool,
    symbol,
    listing: text,
    findings: nativeFindings(instructions as Instruction[]),
    notes,
  };
}

/**
 * The symbol as objdump -C spells it: C++ names carry their parameters (`ns::work(int)`), which
 * perf and people leave out, and `hot_loop` may be `crate::hot_loop`. Found in `nm -C`; the name as
 * given when nm has no better match.
 */
async function fullName(binary: string, symbol: string, cwd: string): Promise<string> {
  const nm = await which("nm");
  if (!nm) return symbol;
  const run = await runTool(nm, ["-C", "--defined-only", binary], { cwd, timeoutMs: 60_000 });
  const names = [...run.stdout.matchAll(/^[0-9a-fA-F]+\s+[tTwWiI]\s+(.+)$/gm)].map(
    (m) => m[1] as string,
  );
  return (
    names.find((n) => n === symbol) ??
    names.find((n) => withoutParameters(n) === symbol) ??
    names.find((n) => withoutParameters(n).endsWith(`::${symbol}`)) ??
    symbol
  );
}

/** The function's own block of objdump's output (section headers dropped). */
export function functionListing(text: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /^[0-9a-f]+ <.*>:$/.test(l));
  if (start < 0) return "";
  const body: string[] = [];
  for (const line of lines.slice(start)) {
    if (/^Disassembly of section/.test(line)) break;
    body.push(line);
  }
  return `${body.join("\n").trimEnd()}\n`;
}

function annotate(listing: string, samples: Map<number, number>): string {
  return listing
    .split("\n")
    .map((line) => {
      const match = /^\s*([0-9a-f]+):/.exec(line);
      if (!match) return `        ${line}`;
      const pct = samples.get(Number.parseInt(match[1] as string, 16)) ?? 0;
      return `${pct > 0 ? `${pct.toFixed(2)}%`.padStart(7) : "".padStart(7)} ${line}`;
    })
    .join("\n");
}

/** Address → share of the function's samples, from `perf annotate` of one recorded run. */
async function perfAnnotate(req: DisasmRequest, binary: string): Promise<Map<number, number>> {
  const samples = new Map<number, number>();
  const perf = await which("perf");
  if (!perf) return samples;
  const dir = await mkdtemp(join(tmpdir(), "auto-optimize-disasm-"));
  try {
    const data = join(dir, "perf.data");
    const record = await perfRecord(perf, {
      event: "cpu-clock",
      callGraph: false,
      data,
      workDir: dir,
      command: req.command,
      cwd: req.cwd,
      env: req.env,
      timeoutMs: req.timeoutMs,
    });
    if (!record.ok) return samples;
    const annotate = await runTool(
      perf,
      ["annotate", "-i", data, "--stdio", "--dsos", binary, "-s", req.symbol],
      { cwd: req.cwd, timeoutMs: 120_000 },
    );
    return parsePerfAnnotate(annotate.stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
