import { isRound, worthALine } from "../measure/round-progress.js";

/** Where the progress goes: a terminal (isTTY) gets a live line, anything else plain lines. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressState {
  iteration: number;
  /** planning, applying, testing, measuring, … */
  step: string;
  /** round 12/40 */
  detail?: string;
  /** 182.4 ms (-12.3%) */
  best?: string;
}

export interface Progress {
  update(state: ProgressState): void;
  /** A line of its own (a decision, a warning), printed above the live line. */
  line(text: string): void;
  /** Ends the live line; nothing more is drawn. */
  done(): void;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** The iteration budget: "iteration 3/10". */
  total: number;
  /** Epoch milliseconds the elapsed time counts from. */
  startedAt: number;
  /** Force plain lines; by default plain when the stream is no terminal or CI is set. */
  plain?: boolean;
  /** The clock and the environment (for tests). */
  now?: () => number;
  env?: NodeJS.ProcessEnv;
}

/** 02:31, or 1:02:31 past an hour. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

function ciIsSet(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "false" && value !== "0";
}

/**
 * The running loop's progress: `iteration 3/10 · measuring · round 12/40 · 02:31 elapsed · best
 * 182.4 ms (-12.3%)`. On a terminal it is one line rewritten in place (carriage return, clear to
 * the end of the line, cut to the terminal's width so it never wraps); otherwise — a pipe, a log
 * file, CI — a plain line is written when the iteration or the step changes, and at a
 * comparison's looks and every fifth round.
 */
export function createProgress(options: ProgressOptions): Progress {
  const { stream, total, startedAt } = options;
  const now = options.now ?? Date.now;
  const plain = options.plain ?? (!stream.isTTY || ciIsSet(options.env ?? process.env));
  let current: ProgressState | null = null;
  let shown = false;
  let finished = false;
  let lastKey: string | null = null;
  let lastMilestone: string | null = null;

  const render = (state: ProgressState): string =>
    [
      `iteration ${state.iteration}/${total}`,
      state.step,
      state.detail,
      `${formatElapsed(now() - startedAt)} elapsed`,
      state.best ? `best ${state.best}` : undefined,
    ]
      .filter((part): part is string => Boolean(part))
      .join(" · ");

  const draw = () => {
    if (!current) return;
    let text = render(current);
    const width = stream.columns;
    if (width && width > 1 && text.length > width - 1) text = `${text.slice(0, width - 2)}…`;
    stream.write(`\r${text}\x1b[K`);
    shown = true;
  };

  const clear = () => {
    if (shown) stream.write("\r\x1b[K");
    shown = false;
  };

  return {
    update(state) {
      if (finished) return;
      current = { ...state };
      if (!plain) {
        draw();
        return;
      }
      // A comparison's milestones (its looks, every fifth round) are lines too: never silent.
      const key = `${state.iteration}\u0000${state.step}`;
      const milestone =
        state.detail !== undefined && isRound(state.detail) && worthALine(state.detail)
          ? `${key}\u0000${state.detail}`
          : null;
      if (key === lastKey && (milestone === null || milestone === lastMilestone)) return;
      lastKey = key;
      lastMilestone = milestone;
      stream.write(`${render(state)}\n`);
    },
    line(text) {
      if (plain || finished) {
        stream.write(`${text}\n`);
        return;
      }
      clear();
      stream.write(`${text}\n`);
      draw();
    },
    done() {
      if (finished) return;
      finished = true;
      if (!plain && shown) stream.write("\n");
      shown = false;
    },
  };
}
