import { z } from "zod";
import type { Frame, StackData } from "../types.js";
import { addLine, StackCollector } from "./stack-collector.js";

/** The part of V8's .cpuprofile (Chrome DevTools' format) that is read; --cpu-prof writes it. */
export const CpuProfileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({
        functionName: z.string(),
        url: z.string(),
        lineNumber: z.number(),
        columnNumber: z.number(),
      }),
      children: z.array(z.number()).optional(),
      /** Samples per 1-based source line of the node's script, with the node on top. */
      positionTicks: z.array(z.object({ line: z.number(), ticks: z.number() })).optional(),
    }),
  ),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number()).optional(),
  timeDeltas: z.array(z.number()).optional(),
});
export type CpuProfile = z.infer<typeof CpuProfileSchema>;

/** Frames that are not functions: time the thread slept, or spent outside JavaScript unattributed. */
const DROPPED_LEAVES = new Set(["(idle)", "(program)"]);
const STRIPPED = new Set(["(root)"]);

/**
 * Merges V8 CPU profiles (one per process) into stack samples weighted by time: a sample lasts
 * until the next one (the time deltas), the last until the profile's end. Frames are keyed by
 * function, script and position so the same function in two processes is one frame. A node's
 * `positionTicks` become the lines its leaf samples were executing.
 */
export function parseCpuProfiles(profiles: CpuProfile[]): StackData {
  const frames: Frame[] = [];
  const frameIndex = new Map<string, number>();
  const collector = new StackCollector();
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const stackOf = new Map<number, number[] | null>();
    const resolve = (id: number): number[] | null => {
      const cached = stackOf.get(id);
      if (cached !== undefined) return cached;
      const path: number[] = [];
      let dropped = false;
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const node = nodes.get(cur);
        if (!node) break;
        const cf = node.callFrame;
        const name = cf.functionName || "(anonymous)";
        if (cur === id && DROPPED_LEAVES.has(name)) dropped = true;
        if (STRIPPED.has(name) || DROPPED_LEAVES.has(name)) continue;
        const line = cf.lineNumber >= 0 ? cf.lineNumber + 1 : null;
        const key = `${name}\u0000${cf.url}\u0000${cf.lineNumber}\u0000${cf.columnNumber}`;
        let index = frameIndex.get(key);
        if (index === undefined) {
          index = frames.length;
          frames.push({
            name,
            file: cf.url || null,
            line,
            ...(cf.columnNumber >= 0 && { col: cf.columnNumber + 1 }),
          });
          frameIndex.set(key, index);
        }
        path.push(index);
      }
      const stack = dropped ? null : path.reverse();
      stackOf.set(id, stack);
      return stack;
    };
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    let t = profile.startTime;
    const times = samples.map((_, i) => {
      t += deltas[i] ?? 0;
      return t;
    });
    samples.forEach((id, i) => {
      const stack = resolve(id);
      if (!stack || stack.length === 0) return;
      const next = i + 1 < times.length ? (times[i + 1] as number) : profile.endTime;
      const weight = Math.max(0, next - (times[i] as number));
      collector.add(stack, weight, 1);
    });
    for (const node of profile.nodes) {
      const stack = node.positionTicks?.length ? resolve(node.id) : null;
      if (!stack || stack.length === 0) continue;
      const entry = collector.add(stack, 0, 0);
      for (const tick of node.positionTicks ?? []) addLine(entry, tick.line, tick.ticks);
    }
  }
  return { kind: "stacks", unit: "microseconds", frames, stacks: collector.stacks() };
}
