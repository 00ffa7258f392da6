import type { StackSample } from "../types.js";

/** Samples merged by stack, with the source lines their leaves were executing. */
export class StackCollector {
  private readonly byStack = new Map<string, StackSample>();

  /** `line`: the leaf's line for all `samples` of this call, when the profiler tells. */
  add(stack: number[], weight: number, samples: number, line?: number | null): StackSample {
    const key = stack.join(",");
    let entry = this.byStack.get(key);
    if (entry) {
      entry.weight += weight;
      entry.samples += samples;
    } else {
      entry = { stack, weight, samples };
      this.byStack.set(key, entry);
    }
    if (line !== undefined && line !== null) addLine(entry, line, samples);
    return entry;
  }

  stacks(): StackSample[] {
    return [...this.byStack.values()];
  }
}

/** Counts `samples` on the leaf's `line` (1-based; an unknown line, 0 or less, is not counted). */
export function addLine(entry: StackSample, line: number, samples: number): void {
  if (!(line > 0) || samples <= 0) return;
  entry.leafLines ??= new Map();
  entry.leafLines.set(line, (entry.leafLines.get(line) ?? 0) + samples);
}
