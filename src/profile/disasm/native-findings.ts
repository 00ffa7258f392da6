/** One instruction of an x86-64 (AT&T) or AArch64 objdump listing. */
export interface Instruction {
  address: number;
  mnemonic: string;
  operands: string;
  /** Share of the function's samples on this instruction (perf annotate), when known. */
  pct?: number;
  /** The source line it was compiled from (debug information), when known. */
  source?: { file: string; line: number; text?: string };
}

const LINE = /^\s*([0-9a-f]+):\s+(?:(?:[0-9a-f]{2}\s)+\s*)?([a-z][\w.]*)\s*(.*?)\s*$/;

/** Instructions of an objdump listing (`addr: mnemonic operands`, raw bytes optional). */
export function parseObjdump(text: string): Instruction[] {
  const out: Instruction[] = [];
  for (const line of text.split("\n")) {
    const match = LINE.exec(line);
    if (!match) continue;
    out.push({
      address: Number.parseInt(match[1] as string, 16),
      mnemonic: match[2] as string,
      operands: (match[3] as string).replace(/\s+#.*$/, "").replace(/\s+\/\/.*$/, ""),
    });
  }
  return out;
}

const PACKED_FP = /^v?(add|sub|mul|div|sqrt|min|max|fmadd\d*|fmsub\d*|fnmadd\d*|hadd)p[sdh]$/;
const PACKED_INT = /^v?p(add|sub|mul|madd|min|max|sad|shuf|cmp)\w*$/;
const SCALAR_FP = /^v?(add|sub|mul|div|sqrt|min|max|fmadd\d*|fmsub\d*|fnmadd\d*)s[sdh]$/;
const SLOW = /^(v?(div|sqrt)[sp][sdh]|i?div[bwlq]?|fdiv|fsqrt|sdiv|udiv)$/;
const MEMORY = /-?(?:0x[0-9a-f]+)?\(%[a-z0-9]+(?:,%[a-z0-9]+(?:,\d)?)?\)|\[[^\]]+\]/g;

/**
 * What a performance engineer looks for first in a function's machine code: whether its floating
 * point is vectorized, which calls were not inlined, and in its loops (backward branches) the slow
 * instructions and the memory accesses repeated every iteration.
 */
export function nativeFindings(instructions: Instruction[]): string[] {
  const findings: string[] = [];
  if (instructions.length === 0) return ["no instructions found for the symbol"];
  const aarch64 = instructions.some((i) => /^(ldr|str|ldp|stp|bl|ret|b\.\w+)$/.test(i.mnemonic));
  const packed = instructions.filter(
    (i) =>
      PACKED_FP.test(i.mnemonic) ||
      PACKED_INT.test(i.mnemonic) ||
      (aarch64 &&
        /\bv\d+\.\d+[bhsd]\b/.test(i.operands) &&
        /^f?(add|sub|mul|div|fma|mla)/.test(i.mnemonic)),
  );
  const scalar = instructions.filter((i) => SCALAR_FP.test(i.mnemonic));
  const wide = instructions.some((i) => /%zmm/.test(i.operands))
    ? "512-bit (AVX-512)"
    : instructions.some((i) => /%ymm/.test(i.operands))
      ? "256-bit (AVX)"
      : "128-bit (SSE/NEON)";
  if (packed.length > 0) {
    findings.push(
      `vector (SIMD) instructions used: ${packed.length} packed operations, ${wide} (${unique(
        packed.map((i) => i.mnemonic),
      )
        .slice(0, 6)
        .join(", ")})`,
    );
  } else if (scalar.length > 0) {
    findings.push(
      `no vector (SIMD) arithmetic: ${scalar.length} scalar floating-point operations (${unique(
        scalar.map((i) => i.mnemonic),
      )
        .slice(0, 6)
        .join(
          ", ",
        )}) — the loop is not vectorized (a dependency between iterations, or try -O3 -march=native)`,
    );
  } else {
    findings.push("no vector (SIMD) instructions");
  }
  const calls = instructions.filter((i) => /^(call|callq|bl|blr)$/.test(i.mnemonic));
  if (calls.length > 0) {
    const targets = unique(calls.map((i) => /<([^>]+)>/.exec(i.operands)?.[1] ?? i.operands));
    findings.push(
      `calls not inlined (${calls.length}): ${targets.slice(0, 8).join(", ")}${targets.length > 8 ? ", …" : ""}`,
    );
  } else {
    findings.push("no calls: everything it does is inlined");
  }
  const loops = findLoops(instructions);
  if (loops.length === 0) {
    findings.push("no loop (no backward branch) in the function");
  }
  loops.forEach((loop, n) => {
    const body = instructions.filter((i) => i.address >= loop.start && i.address <= loop.end);
    const span = sourceSpan(body);
    const where = `loop ${n + 1} (0x${loop.start.toString(16)}–0x${loop.end.toString(16)}${span ? `, ${span}` : ""}, ${body.length} instructions${loop.pct !== undefined ? `, ${loop.pct.toFixed(1)}% of the samples` : ""})`;
    const slow = body.filter((i) => SLOW.test(i.mnemonic));
    if (slow.length > 0) {
      findings.push(
        `${where}: ${slow.length} division/square root (${unique(slow.map((i) => i.mnemonic)).join(", ")}): 10–40 cycles of latency each`,
      );
    }
    const accesses = new Map<string, { loads: number; stores: number }>();
    for (const i of body) {
      if (/^(lea|nop|prefetch\w*)/.test(i.mnemonic)) continue;
      const operands = i.operands.match(MEMORY) ?? [];
      const isStoreDest = (op: string) =>
        aarch64 ? /^st/.test(i.mnemonic) : i.operands.trimEnd().endsWith(op);
      for (const op of operands) {
        const entry = accesses.get(op) ?? { loads: 0, stores: 0 };
        if (isStoreDest(op) && !/^(cmp|test)/.test(i.mnemonic)) entry.stores++;
        else entry.loads++;
        accesses.set(op, entry);
      }
    }
    const loads = [...accesses.values()].reduce((a, b) => a + b.loads, 0);
    const stores = [...accesses.values()].reduce((a, b) => a + b.stores, 0);
    const repeated = [...accesses.entries()].filter(([, c]) => c.loads + c.stores >= 2);
    const stored = [...accesses.entries()].filter(
      ([op, c]) => c.stores > 0 && !/%[re]?sp|%rip/.test(op),
    );
    findings.push(`${where}: ${loads} loads and ${stores} stores per iteration`);
    if (repeated.length > 0) {
      findings.push(
        `${where}: the same memory accessed repeatedly: ${repeated
          .slice(0, 4)
          .map(([op, c]) => `${op} (${c.loads} loads, ${c.stores} stores)`)
          .join("; ")} — keep the value in a register (aliasing may be what stops the compiler)`,
      );
    }
    if (stored.length > 0 && stored.some(([op]) => !/,/.test(op))) {
      findings.push(
        `${where}: stores to a fixed address each iteration (${stored
          .filter(([op]) => !/,/.test(op))
          .slice(0, 3)
          .map(([op]) => op)
          .join(", ")}): an accumulator kept in memory`,
      );
    }
  });
  const annotated = instructions.filter((i) => i.pct !== undefined && i.pct > 0);
  if (annotated.length > 0) {
    const top = [...annotated].sort((a, b) => (b.pct ?? 0) - (a.pct ?? 0)).slice(0, 3);
    findings.push(
      `hottest instructions: ${top
        .map(
          (i) =>
            `${(i.pct ?? 0).toFixed(1)}% at 0x${i.address.toString(16)} ${i.mnemonic}${i.source ? ` (${i.source.file}:${i.source.line})` : ""}`,
        )
        .join("; ")} (samples land on the instruction after a slow one)`,
    );
    const lines = samplesByLine(annotated);
    if (lines.length > 0) {
      findings.push(
        `samples by source line (the profile's hot lines): ${lines
          .slice(0, 3)
          .map((l) => `${l.pct.toFixed(1)}% ${l.file}:${l.line}${l.text ? ` \`${l.text}\`` : ""}`)
          .join("; ")}`,
      );
    }
  }
  return findings;
}

/** The source lines instructions came from: `hot.c:7` or `hot.c:6–9`, per file (at most 3). */
function sourceSpan(instructions: Instruction[]): string | null {
  const byFile = new Map<string, number[]>();
  for (const i of instructions) {
    if (!i.source) continue;
    byFile.set(i.source.file, [...(byFile.get(i.source.file) ?? []), i.source.line]);
  }
  if (byFile.size === 0) return null;
  return [...byFile.entries()]
    .slice(0, 3)
    .map(([file, lines]) => {
      const low = Math.min(...lines);
      const high = Math.max(...lines);
      return `${file}:${low}${high > low ? `–${high}` : ""}`;
    })
    .join(", ");
}

/** The function's samples summed per source line, hottest first. */
function samplesByLine(
  instructions: Instruction[],
): { file: string; line: number; text?: string; pct: number }[] {
  const lines = new Map<string, { file: string; line: number; text?: string; pct: number }>();
  for (const i of instructions) {
    if (!i.source || !i.pct) continue;
    const key = `${i.source.file}:${i.source.line}`;
    const entry = lines.get(key) ?? { ...i.source, pct: 0 };
    entry.pct += i.pct;
    lines.set(key, entry);
  }
  return [...lines.values()].sort((a, b) => b.pct - a.pct);
}

interface Loop {
  start: number;
  end: number;
  pct?: number;
}

/** Loops as backward branches inside the function, innermost (shortest) first. */
function findLoops(instructions: Instruction[]): Loop[] {
  const first = instructions[0]?.address ?? 0;
  const loops: Loop[] = [];
  for (const i of instructions) {
    if (
      !/^(j\w+|b(\.\w+)?|cbn?z|tbn?z|loop\w*)$/.test(i.mnemonic) ||
      /^(jmpq?\s+\*|bl)/.test(i.mnemonic)
    ) {
      continue;
    }
    const target = /(?:^|\s|#)0x([0-9a-f]+)|^([0-9a-f]+)\s*</.exec(i.operands);
    const address = target ? Number.parseInt((target[1] ?? target[2]) as string, 16) : Number.NaN;
    if (Number.isFinite(address) && address <= i.address && address >= first) {
      const body = instructions.filter((x) => x.address >= address && x.address <= i.address);
      const pcts = body.map((x) => x.pct).filter((p): p is number => p !== undefined);
      loops.push({
        start: address,
        end: i.address,
        ...(pcts.length > 0 && { pct: pcts.reduce((a, b) => a + b, 0) }),
      });
    }
  }
  return loops.sort((a, b) => a.end - a.start - (b.end - b.start)).slice(0, 4);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** `perf annotate --stdio` of one symbol: instruction address → percent of the symbol's samples. */
export function parsePerfAnnotate(text: string): Map<number, number> {
  const samples = new Map<number, number>();
  for (const line of text.split("\n")) {
    const match = /^\s*([\d.]+)\s*:\s+([0-9a-f]+):/.exec(line);
    if (match) samples.set(Number.parseInt(match[2] as string, 16), Number(match[1]));
  }
  return samples;
}
