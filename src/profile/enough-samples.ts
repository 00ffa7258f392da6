import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { AutoOptimizeError } from "../errors.js";
import { mergeStacks } from "./merge-runs.js";
import { extraRuns, finerInterval, TARGET_SAMPLES } from "./sample-interval.js";
import { focusOn } from "./summarize.js";
import type { AdapterResult, ProfileRequest, StackData } from "./types.js";

/** One profiled run of the command by the adapter of its language. */
export type RunAdapter = (request: ProfileRequest) => Promise<AdapterResult>;

/**
 * One profiled run, and when it held fewer than TARGET_SAMPLES samples (inside `focus`, the
 * measured region, when given): where the profiler's rate can be set, a second at the interval
 * that gives about that many (its profile replaces the first); where it cannot, more runs at the
 * same rate, merged (`mergeMoreRuns`).
 */
export async function profileWithEnoughSamples(
  runAdapter: RunAdapter,
  request: ProfileRequest,
  focus: string | undefined,
): Promise<AdapterResult> {
  const sampleCount = (result: AdapterResult) => countSamples(result, focus);
  const started = Date.now();
  const first = await runAdapter(request);
  const firstMs = Date.now() - started;
  const samples = sampleCount(first);
  const finer = finerInterval(first.profiler, first.intervalUs, samples);
  if (finer === null) return mergeMoreRuns(runAdapter, request, first, firstMs, sampleCount);
  const workDir = join(request.workDir, "finer");
  await mkdir(workDir);
  const second = await runAdapter({ ...request, workDir, intervalUs: finer });
  if (second.profiler !== first.profiler || sampleCount(second) <= samples) return first;
  return {
    ...second,
    notes: [
      `profiled twice: the first run, every ${Math.round(first.intervalUs ?? 0)} µs, gave ${samples} samples${focus ? ` inside ${focus}` : ""} (fewer than ${TARGET_SAMPLES}); these are the second's, every ${finer} µs`,
      ...second.notes,
    ],
  };
}

/**
 * A sampled run with too few samples whose profiler cannot sample faster, profiled again as many
 * times as `extraRuns` allows and merged into one profile; the notes say how many runs. A run that
 * fails ends the merging with the runs made so far.
 */
async function mergeMoreRuns(
  runAdapter: RunAdapter,
  request: ProfileRequest,
  first: AdapterResult,
  firstMs: number,
  sampleCount: (result: AdapterResult) => number,
): Promise<AdapterResult> {
  const samples = sampleCount(first);
  const more = first.data.kind === "stacks" ? extraRuns(samples, firstMs) : 0;
  if (more === 0) return first;
  const runs: StackData[] = [first.data as StackData];
  let failed = "";
  for (let n = 2; n <= more + 1; n++) {
    const workDir = join(request.workDir, `run-${n}`);
    await mkdir(workDir);
    try {
      const next = await runAdapter({ ...request, workDir });
      if (next.profiler !== first.profiler || next.data.kind !== "stacks") break;
      runs.push(next.data);
    } catch (error) {
      if (!(error instanceof AutoOptimizeError)) throw error;
      failed = `; run ${n} failed, so the merging stopped (${error.message.split("\n")[0]})`;
      break;
    }
  }
  if (runs.length === 1)
    return failed ? { ...first, notes: [...first.notes, failed.slice(2)] } : first;
  const data = mergeStacks(runs);
  const total = sampleCount({ ...first, data });
  const short =
    total < TARGET_SAMPLES
      ? `; still fewer than ${TARGET_SAMPLES}, so the shares are rough (a longer benchmark run gives more)`
      : "";
  return {
    ...first,
    data,
    notes: [
      `${runs.length} profiled runs merged: the first gave ${samples} samples (fewer than ${TARGET_SAMPLES}, and ${first.profiler} cannot sample fast enough to reach them in one run); ${total} in all${short}${failed}`,
      ...first.notes,
    ],
  };
}

/** Samples of a run, or those inside `focus` when given and sampled (calls, for tracing profilers). */
function countSamples(result: AdapterResult, focus: string | undefined): number {
  const data = (focus && focusOn(result.data, focus)?.data) || result.data;
  return data.kind === "stacks"
    ? data.stacks.reduce((a, s) => a + s.samples, 0)
    : data.entries.reduce((a, e) => a + e.count, 0);
}
