import { isAbsolute, join } from "node:path";
import { describeFailure, runTool, which } from "../tools.js";
import { ProfileError } from "../types.js";
import type { DisasmRequest, Disassembly } from "./types.js";

/** Classpath and main class of a `java …` command (`-cp X Main`, `-jar app.jar`, or cwd). */
export function javaTarget(
  command: string,
  cwd: string,
): { classpath: string; main: string | null } {
  const words = command.trim().split(/\s+/);
  const java = words.findIndex((w) => /(^|\/)java$/.test(w));
  let classpath = process.env.CLASSPATH ?? ".";
  let main: string | null = null;
  if (java >= 0) {
    for (let i = java + 1; i < words.length; i++) {
      const w = words[i] as string;
      if (w === "-cp" || w === "-classpath" || w === "--class-path") {
        classpath = words[++i] ?? classpath;
      } else if (w === "-jar") {
        classpath = words[++i] ?? classpath;
        break;
      } else if (!w.startsWith("-")) {
        main = w;
        break;
      }
    }
  }
  const absolute = classpath
    .split(":")
    .map((p) => (isAbsolute(p) ? p : join(cwd, p)))
    .join(":");
  return { classpath: absolute, main };
}

/** "pkg.Cls.method" → class and method; a bare name is a method of the command's main class. */
export function splitMethod(symbol: string, main: string | null): { cls: string; method: string } {
  const cleaned = symbol.replace(/\(.*$/, "").replace("::", ".");
  const dot = cleaned.lastIndexOf(".");
  if (dot < 0) {
    if (!main) {
      throw new ProfileError(
        "bad-symbol",
        `'${symbol}' has no class: write Class.method (e.g. com.example.Parser.parse)`,
      );
    }
    return { cls: main, method: cleaned };
  }
  return { cls: cleaned.slice(0, dot), method: cleaned.slice(dot + 1) };
}

/**
 * `javap -c -p` of a method, with what the JIT did to it in the real run (-XX:+PrintInlining of
 * its last compilation: the calls it did not inline and why, and deoptimizations).
 */
export async function disassembleJvm(req: DisasmRequest): Promise<Disassembly> {
  const javap = await which("javap");
  if (!javap) {
    throw new ProfileError(
      "no-disassembler",
      "javap is missing: install a JDK (apt-get install openjdk-17-jdk-headless)",
    );
  }
  const { classpath, main } = javaTarget(req.command, req.cwd);
  const { cls, method } = splitMethod(req.symbol, main);
  const run = await runTool(javap, ["-c", "-p", "-cp", classpath, cls], {
    cwd: req.cwd,
    timeoutMs: 120_000,
  });
  if (!run.ok) {
    throw new ProfileError(
      "disassembly-failed",
      `javap could not read class ${cls} from ${classpath}: ${describeFailure({ ...run, stderr: run.stderr || run.stdout }, 120_000)}`,
    );
  }
  const listing = methodBlocks(run.stdout, method);
  if (!listing) {
    throw new ProfileError("no-symbol", `class ${cls} has no method '${method}'`);
  }
  const findings = bytecodeFindings(listing);
  const notes: string[] = [];
  const jit = await inliningReport(req, cls, method);
  if (jit) findings.push(...jit.findings);
  else
    notes.push("the JIT's inlining decisions are unknown (the run with -XX:+PrintInlining failed)");
  return {
    language: "jvm",
    tool: jit ? "javap -c -p + -XX:+PrintInlining" : "javap -c -p",
    symbol: `${cls}.${method}`,
    listing: jit ? `${listing}\nJIT inlining (last compilation):\n${jit.text}\n` : listing,
    findings,
    notes,
  };
}

/** Every overload of `method` in javap's output, each from its signature to the blank line. */
export function methodBlocks(javap: string, method: string): string {
  const lines = javap.split("\n");
  const blocks: string[] = [];
  const header = new RegExp(`^  \\S.*[ .]${method.replace(/[$]/g, "\\$")}\\(.*\\);$`);
  for (let i = 0; i < lines.length; i++) {
    if (!header.test(lines[i] as string)) continue;
    const block: string[] = [];
    for (
      let j = i;
      j < lines.length &&
      (lines[j] as string).trim() !== "" &&
      !(j > i && /^ {2}\S/.test(lines[j] as string));
      j++
    ) {
      block.push(lines[j] as string);
    }
    blocks.push(block.join("\n"));
  }
  return blocks.length ? `${blocks.join("\n\n")}\n` : "";
}

/** Loops (backward jumps) and what runs inside them: calls, allocations, boxing, field loads. */
export function bytecodeFindings(listing: string): string[] {
  const ops = [...listing.matchAll(/^[ \t]+(\d+): (\w+)[ \t]*(.*)$/gm)].map((m) => ({
    offset: Number(m[1]),
    op: m[2] as string,
    rest: m[3] as string,
  }));
  const findings: string[] = [];
  const loops = ops
    .filter((o) => /^(goto|if\w*)$/.test(o.op))
    .map((o) => ({ from: Number(/^(\d+)/.exec(o.rest)?.[1]), to: o.offset }))
    .filter((l) => l.from <= l.to);
  if (loops.length === 0) findings.push("no loop in the method's bytecode");
  for (const loop of loops) {
    const body = ops.filter((o) => o.offset >= loop.from && o.offset <= loop.to);
    const where = `loop at bytecode ${loop.from}–${loop.to}`;
    const calls = body.filter((o) => o.op.startsWith("invoke"));
    if (calls.length > 0) {
      findings.push(
        `${where}: ${calls.length} calls (${[...new Set(calls.map((c) => /\/\/ \w+ (.*)$/.exec(c.rest)?.[1] ?? c.op))].slice(0, 6).join(", ")}) — see below whether the JIT inlined them`,
      );
    }
    const interfaceCalls = calls.filter((c) => c.op === "invokeinterface");
    if (interfaceCalls.length > 0) {
      findings.push(
        `${where}: ${interfaceCalls.length} interface calls (megamorphic call sites cannot be inlined)`,
      );
    }
    const boxing = body.filter((o) => /\.valueOf:|\.(int|long|double)Value:/.test(o.rest));
    if (boxing.length > 0) {
      findings.push(
        `${where}: boxing/unboxing (${boxing.length}): Integer/Long/Double objects in the hot loop`,
      );
    }
    const allocations = body.filter((o) => /^(new|newarray|anewarray|multianewarray)$/.test(o.op));
    if (allocations.length > 0) {
      findings.push(`${where}: ${allocations.length} allocations per iteration`);
    }
    const fields = new Map<string, number>();
    for (const o of body.filter((x) => /^(getfield|getstatic)$/.test(x.op))) {
      const name = /\/\/ Field (.*)$/.exec(o.rest)?.[1] ?? o.rest;
      fields.set(name, (fields.get(name) ?? 0) + 1);
    }
    const repeated = [...fields.entries()].filter(([, n]) => n >= 2);
    if (repeated.length > 0) {
      findings.push(
        `${where}: fields loaded repeatedly: ${repeated.map(([f, n]) => `${f} ×${n}`).join(", ")}`,
      );
    } else if (fields.size > 0) {
      findings.push(`${where}: loads ${[...fields.keys()].join(", ")} every iteration`);
    }
  }
  return findings;
}

const NOT_INLINED =
  /too large|too big|not inlineable|no static binding|recursive|too much stack|not compilable|unloaded|failed|native method|not loaded|already compiled into a (big|medium) method/;

/** The command run once with -XX:+PrintInlining: the method's last compilation and its inlining tree. */
async function inliningReport(
  req: DisasmRequest,
  cls: string,
  method: string,
): Promise<{ text: string; findings: string[] } | null> {
  const options = "-XX:+UnlockDiagnosticVMOptions -XX:+PrintCompilation -XX:+PrintInlining";
  const inherited = req.env?.JAVA_TOOL_OPTIONS ?? process.env.JAVA_TOOL_OPTIONS;
  const run = await runTool("/bin/sh", ["-c", req.command], {
    cwd: req.cwd,
    env: { ...req.env, JAVA_TOOL_OPTIONS: [inherited, options].filter(Boolean).join(" ") },
    timeoutMs: req.timeoutMs,
  });
  if (!run.ok) return null;
  const lines = run.stdout.split("\n");
  const compiled = new RegExp(
    `^\\s+\\d+\\s+\\d+\\s+[%sbn! ]*\\s([1-4])\\s+${cls.replaceAll(".", "[./]").replaceAll("$", "\\$")}::${method}\\b`,
  );
  let last: { tier: number; at: number } | null = null;
  let deopts = 0;
  lines.forEach((line, i) => {
    const m = compiled.exec(line);
    if (!m) return;
    if (/made not entrant/.test(line)) deopts++;
    else if (!last || Number(m[1]) >= last.tier) last = { tier: Number(m[1]), at: i };
  });
  const findings: string[] = [];
  if (!last) {
    findings.push(
      `the JIT never compiled ${cls}.${method} in this run (it ran interpreted or too briefly)`,
    );
    return { text: "(not compiled)", findings };
  }
  const { tier, at } = last as { tier: number; at: number };
  const tree: string[] = [lines[at] as string];
  for (let i = at + 1; i < lines.length && /^\s{20,}(@|\\->)/.test(lines[i] as string); i++) {
    tree.push(lines[i] as string);
  }
  const refused = tree.filter((l) => /^\s+@/.test(l) && NOT_INLINED.test(l));
  findings.push(
    `JIT: compiled at tier ${tier}${tier === 4 ? " (C2, fully optimized)" : " (not yet C2)"}${deopts ? `; ${deopts} compilations thrown away (deoptimized: "made not entrant")` : ""}`,
  );
  if (refused.length > 0) {
    findings.push(
      `calls not inlined by the JIT: ${refused
        .map((l) =>
          l
            .trim()
            .replace(/^@\s*\d+\s+/, "")
            .replace(/\s{2,}/g, " "),
        )
        .slice(0, 6)
        .join("; ")}`,
    );
  } else {
    findings.push("every call in its last compilation was inlined (or intrinsic)");
  }
  return { text: tree.join("\n"), findings };
}
