import { addLine, StackCollector } from "./parsers/stack-collector.js";
import type { Frame, StackData } from "./types.js";

/**
 * Several profiled runs of one command as one profile: frames that are the same in every field are
 * one frame, samples on the same stack are added up, and so are their leaf lines.
 */
export function mergeStacks(runs: StackData[]): StackData {
  const first = runs[0];
  if (!first) throw new Error("mergeStacks needs at least one run");
  const frames: Frame[] = [];
  const indexOf = new Map<string, number>();
  const collector = new StackCollector();
  for (const run of runs) {
    const remap = run.frames.map((frame) => {
      const key = JSON.stringify(frame);
      let index = indexOf.get(key);
      if (index === undefined) {
        index = frames.length;
        frames.push(frame);
        indexOf.set(key, index);
      }
      return index;
    });
    for (const sample of run.stacks) {
      const entry = collector.add(
        sample.stack.map((f) => remap[f] as number),
        sample.weight,
        sample.samples,
      );
      for (const [line, count] of sample.leafLines ?? []) addLine(entry, line, count);
    }
  }
  return { kind: "stacks", unit: first.unit, frames, stacks: collector.stacks() };
}
