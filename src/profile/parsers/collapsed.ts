import type { Frame, StackData } from "../types.js";
import { StackCollector } from "./stack-collector.js";

/**
 * Collapsed stacks ("root;caller;leaf 42" per line), the format of py-spy's raw output,
 * async-profiler's `collapsed` and Brendan Gregg's stackcollapse scripts. A frame written
 * `name (file:line)` (py-spy) or `name_[j]` (async-profiler's annotations) is split into its parts.
 * `dropFrame` removes frames such as py-spy's "process 123:…" roots. A last frame `@42` is not a
 * frame but the line the leaf was executing (the built-in Python sampler writes it).
 */
export function parseCollapsed(
  text: string,
  unit: StackData["unit"] = "none",
  dropFrame: (name: string) => boolean = () => false,
): StackData {
  const frames: Frame[] = [];
  const frameIndex = new Map<string, number>();
  const collector = new StackCollector();
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    const space = line.lastIndexOf(" ");
    if (space <= 0) continue;
    const count = Number(line.slice(space + 1));
    if (!Number.isFinite(count) || count <= 0) continue;
    const stack: number[] = [];
    const parts = line.slice(0, space).split(";");
    const leafLine = LEAF_LINE.exec(parts[parts.length - 1] ?? "");
    if (leafLine) parts.pop();
    for (const part of parts) {
      if (!part || dropFrame(part)) continue;
      let index = frameIndex.get(part);
      if (index === undefined) {
        index = frames.length;
        frames.push(parseFrame(part));
        frameIndex.set(part, index);
      }
      stack.push(index);
    }
    if (stack.length === 0) continue;
    collector.add(stack, count, count, leafLine ? Number(leafLine[1]) : null);
  }
  return { kind: "stacks", unit, frames, stacks: collector.stacks() };
}

const LEAF_LINE = /^@(\d+)$/;

const WITH_LOCATION = /^(.*) \(([^()]*?):(\d+)\)$/;
const ANNOTATION = /_\[[jikl0]\]$/;

function parseFrame(text: string): Frame {
  const located = WITH_LOCATION.exec(text);
  if (located) {
    return { name: located[1] as string, file: located[2] as string, line: Number(located[3]) };
  }
  return { name: text.replace(ANNOTATION, ""), file: null, line: null };
}
