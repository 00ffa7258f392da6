import type { FlatData, Frame } from "../types.js";

/**
 * callgrind's output files (one per process): self cost per function is the sum of its cost lines,
 * inclusive cost adds the costs of its calls. The first event (Ir: instructions executed) is the
 * weight. Names and files use callgrind's compression: "(12) name" defines id 12, "(12)" reuses it.
 */
export function parseCallgrind(texts: string[]): FlatData {
  const frames: Frame[] = [];
  const index = new Map<string, number>();
  const self = new Map<number, number>();
  const inclusive = new Map<number, number>();
  const callsByName = new Map<string, number>();
  let total = 0;
  for (const text of texts) {
    const names = new Map<string, string>();
    const files = new Map<string, string>();
    const expand = (map: Map<string, string>, value: string): string => {
      const match = /^\((\d+)\)(?:\s+(.*))?$/.exec(value.trim());
      if (!match) return value.trim();
      const id = match[1] as string;
      if (match[2] !== undefined) map.set(id, match[2]);
      return map.get(id) ?? value.trim();
    };
    let file = "";
    let current = -1;
    let pendingCall = false;
    let callee = "";
    let lastLine = 0;
    let fnLineSet = false;
    let fileTotal = 0;
    let summary = 0;
    for (const line of text.split("\n")) {
      if (line.startsWith("fl=")) {
        file = expand(files, line.slice(3));
      } else if (line.startsWith("fi=") || line.startsWith("fe=")) {
        expand(files, line.slice(3));
      } else if (line.startsWith("fn=")) {
        const name = expand(names, line.slice(3));
        const key = `${name}\u0000${file}`;
        let i = index.get(key);
        if (i === undefined) {
          i = frames.length;
          frames.push({ name, file: file && file !== "???" ? file : null, line: null });
          index.set(key, i);
        }
        current = i;
        fnLineSet = frames[i]?.line !== null;
      } else if (line.startsWith("cfn=")) {
        callee = expand(names, line.slice(4));
      } else if (line.startsWith("cfl=") || line.startsWith("cfi=")) {
        expand(files, line.slice(4));
      } else if (line.startsWith("calls=")) {
        pendingCall = true;
        const count = Number(line.slice(6).trim().split(/\s+/)[0]) || 0;
        callsByName.set(callee, (callsByName.get(callee) ?? 0) + count);
      } else if (line.startsWith("summary:") || line.startsWith("totals:")) {
        summary = Math.max(summary, Number(line.split(":")[1]?.trim().split(/\s+/)[0]) || 0);
      } else if (/^[+\-*0-9]/.test(line) && current >= 0) {
        const parts = line.trim().split(/\s+/);
        const position = parts[0] as string;
        const cost = Number(parts[1] ?? 0) || 0;
        if (position === "*") {
          // same line as before
        } else if (position.startsWith("+") || position.startsWith("-")) {
          lastLine += Number(position);
        } else {
          lastLine = Number(position);
        }
        if (pendingCall) {
          inclusive.set(current, (inclusive.get(current) ?? 0) + cost);
          pendingCall = false;
          continue;
        }
        if (!fnLineSet && lastLine > 0) {
          const frame = frames[current] as Frame;
          frame.line = lastLine;
          fnLineSet = true;
        }
        self.set(current, (self.get(current) ?? 0) + cost);
        inclusive.set(current, (inclusive.get(current) ?? 0) + cost);
        fileTotal += cost;
      }
    }
    total += summary > 0 ? summary : fileTotal;
  }
  const entries = frames.map((f, frame) => ({
    frame,
    self: self.get(frame) ?? 0,
    total: inclusive.get(frame) ?? 0,
    count: callsByName.get(f.name) ?? 0,
  }));
  return { kind: "flat", unit: "none", frames, entries, totalWeight: total };
}
