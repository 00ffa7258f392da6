import type { InlineLocation } from "./parsers/addr2line.js";
import type { PerfFrame, PerfStacks } from "./parsers/perf-script.js";
import { withoutParameters } from "./parsers/perf-script.js";
import { StackCollector } from "./parsers/stack-collector.js";

/** Inline chains by binary and address (innermost first), as addr2line gives them. */
export type InlineChains = (dso: string, ip: number) => InlineLocation[] | undefined;

/**
 * perf's stacks with the functions the compiler inlined put back as frames of their own (perf
 * names only the function the code was inlined into), and each sample's leaf line: the line its
 * address came from. An inlined function so has samples, and its lines are its own.
 */
export function expandInlined(data: PerfStacks, chains: InlineChains): PerfStacks {
  const frames: PerfFrame[] = [...data.frames];
  const frameIndex = new Map<string, number>();
  const inlinedFrame = (location: InlineLocation, dso: string): number => {
    const name = withoutParameters(location.name);
    const key = `${name}\u0000${location.file ?? ""}`;
    let index = frameIndex.get(key);
    if (index === undefined) {
      index = frames.length;
      frames.push({ name, file: location.file, line: null, dso, inlined: true });
      frameIndex.set(key, index);
    }
    return index;
  };
  const collector = new StackCollector();
  for (const sample of data.located) {
    const stack: number[] = [];
    let leafLine: number | null = null;
    sample.stack.forEach((frame, i) => {
      const dso = (data.frames[frame] as PerfFrame).dso;
      const chain = chains(dso, frameAddress(sample.ips, i)) ?? [];
      stack.push(frame);
      // chain: innermost first; its last entry is the function perf named itself.
      for (let k = chain.length - 2; k >= 0; k--) {
        stack.push(inlinedFrame(chain[k] as InlineLocation, dso));
      }
      if (i === sample.stack.length - 1) leafLine = chain[0]?.line ?? null;
    });
    collector.add(stack, sample.weight, sample.samples, leafLine);
  }
  return { ...data, frames, stacks: collector.stacks() };
}

/**
 * The address to look up for frame `i` of a stack (root first): a caller's is its return address,
 * which can be the next line's; one byte back is inside the call itself.
 */
export function frameAddress(ips: number[], i: number): number {
  const ip = ips[i] as number;
  return i < ips.length - 1 && ip > 0 ? ip - 1 : ip;
}
