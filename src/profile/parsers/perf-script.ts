import type { Frame, StackData } from "../types.js";
import { StackCollector } from "./stack-collector.js";

/** A frame of `perf script`: the function and the binary (dso) it lives in. */
export interface PerfFrame extends Frame {
  dso: string;
  /** Put back from the debug information: the compiler inlined it into its caller. */
  inlined?: boolean;
}

/** Samples with one stack at the same addresses: `ips[i]` is where frame `stack[i]` was. */
export interface LocatedStack {
  stack: number[];
  /** perf's address of each frame (offsets within its binary for shared objects and PIEs). */
  ips: number[];
  weight: number;
  samples: number;
}

export type PerfStacks = StackData & { frames: PerfFrame[]; located: LocatedStack[] };

/**
 * `perf script -F comm,pid,period,ip,sym,symoff,dso` with call graphs: a header line per sample
 * ("comm pid period"), then one indented line per frame, leaf first ("ip sym+0x1f (dso)"), then a
 * blank line. Weights are the sample periods (nanoseconds for cpu-clock, events for cycles).
 * Frames without a symbol are named after their binary: "[unknown] (libfoo.so)". `located` keeps
 * the addresses too, for source lines and inlined functions (`expandInlined`).
 */
export function parsePerfScript(text: string, unit: StackData["unit"]): PerfStacks {
  const frames: PerfFrame[] = [];
  const frameIndex = new Map<string, number>();
  const collector = new StackCollector();
  const located = new Map<string, LocatedStack>();
  let period = 1;
  let leafFirst: number[] = [];
  let ipsLeafFirst: number[] = [];
  const flush = () => {
    if (leafFirst.length === 0) return;
    const stack = leafFirst.reverse();
    const ips = ipsLeafFirst.reverse();
    collector.add(stack, period, 1);
    const key = `${stack.join(",")}@${ips.join(",")}`;
    const entry = located.get(key);
    if (entry) {
      entry.weight += period;
      entry.samples += 1;
    } else {
      located.set(key, { stack, ips, weight: period, samples: 1 });
    }
    leafFirst = [];
    ipsLeafFirst = [];
  };
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      flush();
      continue;
    }
    if (!/^\s/.test(line)) {
      flush();
      const fields = line.trim().split(/\s+/);
      const last = Number(fields[fields.length - 1]);
      period = Number.isFinite(last) && last > 0 ? last : 1;
      continue;
    }
    const match = /^\s*([0-9a-f]+)\s+(.*?)\s+\((.*)\)\s*$/.exec(line);
    if (!match) continue;
    const sym = (match[2] as string).replace(/\+0x[0-9a-f]+$/, "");
    const dso = match[3] as string;
    const name = sym === "[unknown]" ? `[unknown] (${basename(dso)})` : sym;
    const key = `${name}\u0000${dso}`;
    let index = frameIndex.get(key);
    if (index === undefined) {
      index = frames.length;
      frames.push({ name, file: dso === "[unknown]" ? null : dso, line: null, dso });
      frameIndex.set(key, index);
    }
    leafFirst.push(index);
    ipsLeafFirst.push(Number.parseInt(match[1] as string, 16));
  }
  flush();
  return {
    kind: "stacks",
    unit,
    frames,
    stacks: collector.stacks(),
    located: [...located.values()],
  };
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Definition lines of functions from `nm --line-numbers --defined-only -C`:
 * "0000000000001139 T hot_loop\t/src/hot.c:3" → hot_loop → { file, line }.
 */
export function parseNmLines(text: string): Map<string, { file: string; line: number }> {
  const out = new Map<string, { file: string; line: number }>();
  for (const line of text.split("\n")) {
    const match = /^[0-9a-fA-F]+\s+[tTwWiI]\s+(.+?)\t(.+):(\d+)\s*$/.exec(line);
    if (!match) continue;
    const name = match[1] as string;
    const where = { file: match[2] as string, line: Number(match[3]) };
    if (!out.has(name)) out.set(name, where);
    // perf names C++ functions without their parameters: `ns::work`, not `ns::work(int)`.
    const bare = withoutParameters(name);
    if (bare !== name && !out.has(bare)) out.set(bare, where);
  }
  return out;
}

/**
 * `ns::work(std::vector<double> const&, int) const` → `ns::work`. A parenthesis right after a dot
 * is part of a Go method's name (`main.(*Set).Add`), not its parameters.
 */
export function withoutParameters(name: string): string {
  const open = /[^.]\(/.exec(name);
  return open ? name.slice(0, open.index + 1) : name;
}
