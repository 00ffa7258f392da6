import type { Progress } from "../loop/progress.js";
import type { LoopOptions } from "../loop/run-loop.js";

/**
 * The loop's callbacks drawing on a progress line: the live step, and a line per decision (a
 * generation of `run --parallel` decides several at once; each is printed once).
 */
export function loopProgress(progress: Progress): Pick<LoopOptions, "onStep" | "onIteration"> {
  return {
    onStep: (iteration, step, detail) => progress.update({ iteration, step, detail }),
    onIteration: (_state, decided) => {
      for (const it of decided) {
        progress.line(`iteration ${it.iteration}: ${it.strategy} → ${it.decision} (${it.reason})`);
      }
    },
  };
}
