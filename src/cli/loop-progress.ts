import type { Progress } from "../loop/progress.js";
import type { LoopOptions } from "../loop/run-loop.js";

/** The loop's callbacks drawing on a progress line: the live step, and a line per decision. */
export function loopProgress(progress: Progress): Pick<LoopOptions, "onStep" | "onIteration"> {
  return {
    onStep: (iteration, step, detail) => progress.update({ iteration, step, detail }),
    onIteration: (state) => {
      const last = state.finished.at(-1);
      if (last) {
        progress.line(
          `iteration ${last.iteration}: ${last.strategy} → ${last.decision} (${last.reason})`,
        );
      }
    },
  };
}
