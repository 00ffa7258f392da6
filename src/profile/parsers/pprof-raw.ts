import type { Frame, StackData } from "../types.js";
import { StackCollector } from "./stack-collector.js";

/**
 * `go tool pprof -raw` of a CPU profile: "Samples:" lines "count value: loc loc …" (leaf first),
 * then "Locations" with each location's functions, the innermost inlined one first:
 *   "    8: 0x4f5015 M=1 pkg.HotFunc /src/hot.go:8 s=0" and continuation lines for its inline
 * callers. Weights are the second sample value (CPU nanoseconds). The leaf location's line is the
 * line the sample executed.
 */
export function parsePprofRaw(text: string): StackData {
  const lines = text.split("\n");
  const samples: { count: number; value: number; locations: number[] }[] = [];
  const locations = new Map<number, { name: string; file: string; line: number }[]>();
  let section = "";
  let current: { name: string; file: string; line: number }[] | null = null;
  for (const line of lines) {
    if (/^Samples:/.test(line)) section = "samples";
    else if (/^Locations/.test(line)) section = "locations";
    else if (/^Mappings/.test(line)) section = "mappings";
    else if (section === "samples") {
      const match = /^\s*(\d+)\s+(\d+):((?:\s+\d+)+)\s*$/.exec(line);
      if (match) {
        samples.push({
          count: Number(match[1]),
          value: Number(match[2]),
          locations: (match[3] as string).trim().split(/\s+/).map(Number),
        });
      }
    } else if (section === "locations") {
      const head = /^\s*(\d+):\s+0x[0-9a-f]+\s+(?:M=\d+\s+)?(.*)$/.exec(line);
      if (head) {
        current = [];
        locations.set(Number(head[1]), current);
        const fn = parseFunction(head[2] as string);
        if (fn) current.push(fn);
      } else if (current && /^\s{4,}\S/.test(line)) {
        const fn = parseFunction(line.trim());
        if (fn) current.push(fn);
      }
    }
  }
  const frames: Frame[] = [];
  const frameIndex = new Map<string, number>();
  const collector = new StackCollector();
  for (const sample of samples) {
    const leafFirst: number[] = [];
    for (const id of sample.locations) {
      for (const fn of locations.get(id) ?? []) {
        let index = frameIndex.get(fn.name);
        if (index === undefined) {
          index = frames.length;
          frames.push({ name: fn.name, file: fn.file || null, line: fn.line || null });
          frameIndex.set(fn.name, index);
        }
        leafFirst.push(index);
      }
    }
    if (leafFirst.length === 0) continue;
    const leafLine = locations.get(sample.locations[0] as number)?.[0]?.line;
    collector.add(leafFirst.reverse(), sample.value, sample.count, leafLine);
  }
  return { kind: "stacks", unit: "nanoseconds", frames, stacks: collector.stacks() };
}

function parseFunction(text: string): { name: string; file: string; line: number } | null {
  const match = /^(.+?)\s+(\S+):(\d+)(?:\s+s=\d+)?\s*$/.exec(text);
  if (match) return { name: match[1] as string, file: match[2] as string, line: Number(match[3]) };
  const bare = text.replace(/\s+s=\d+\s*$/, "").trim();
  return bare ? { name: bare, file: "", line: 0 } : null;
}
