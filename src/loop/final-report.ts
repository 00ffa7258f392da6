import { join } from "node:path";
import { UsageError } from "../errors.js";
import { EXPERIMENTS_DIR, FILES } from "../experiment/layout.js";
import type { Ledger } from "../experiment/ledger.js";
import type { Experiment } from "../experiment/schema.js";
import { deriveState } from "../experiment/state.js";
import { writeRedacted } from "../redact.js";
import { git } from "../workspace/git.js";
import { progressChart } from "./report/chart.js";
import { readPlanTexts, withoutCarriedOut } from "./report/directions.js";
import { renderReportHtml } from "./report/html.js";
import { readReflexions } from "./report/reflexions.js";
import { type Headline, remeasure } from "./report/remeasure.js";
import { renderFinalReport } from "./report/render.js";

export { parseReflexion } from "./report/reflexions.js";
export { formatDuration } from "./report/time-account.js";
export type { Headline };

export interface FinalReportInput {
  /** The repository's main working tree. */
  root: string;
  /** exp-001-<slug> */
  name: string;
  /** Absolute experiment folder. */
  dir: string;
  experiment: Experiment;
  ledger: Ledger;
  /** Rounds of the fresh baseline-against-best measurement; null skips it. */
  remeasure: { maxRounds: number } | null;
  onStep?: (text: string) => void;
}

export interface FinalReportResult {
  path: string;
  /** report.html: the same report as one page, with the chart. */
  htmlPath: string;
  headline: Headline | null;
}

/**
 * final-report.md (and the same as report.html, with a chart of the iterations): the goal and whether the target was hit, the best configuration and its full
 * diff, every iteration, the headline from a fresh re-measure of baseline against best, insights
 * and unexplored directions from the reflexions, time and cost. Appends `report-written` to the
 * ledger; committing is the caller's job.
 */
export async function writeFinalReport(input: FinalReportInput): Promise<FinalReportResult> {
  const { experiment, ledger } = input;
  const state = deriveState(experiment, ledger);
  if (!state.baseline) {
    throw new UsageError(
      "no-baseline",
      `${input.name} has no locked baseline, so there is nothing to report: run 'auto-optimize baseline' and 'auto-optimize run' first.`,
    );
  }
  const baseline = state.baseline;
  const kept = state.best.iteration !== null;

  let headline: Headline | null = null;
  let remeasureMs: number | null = null;
  if (input.remeasure && kept) {
    const started = Date.now();
    headline = await remeasure(input, state, input.remeasure.maxRounds);
    remeasureMs = Date.now() - started;
  }

  input.onStep?.("writing the report");
  const diff = kept
    ? await git(
        ["diff", baseline.commit, state.best.commit, "--", ".", `:(exclude)${EXPERIMENTS_DIR}`],
        input.root,
      )
    : "";
  const reflexions = withoutCarriedOut(
    await readReflexions(input.dir, state.finished),
    await readPlanTexts(input.dir, state.finished),
  );
  const markdown = renderFinalReport({
    ...input,
    state,
    headline,
    diff,
    reflexions,
    remeasureMs,
  });
  const path = join(input.dir, FILES.finalReport);
  await writeRedacted(path, markdown);
  const htmlPath = join(input.dir, FILES.reportHtml);
  await writeRedacted(
    htmlPath,
    renderReportHtml({
      title: `Final report: ${input.name}`,
      markdown,
      chart: progressChart(experiment, state),
    }),
  );
  ledger.append({ type: "report-written", headline: headline?.improvement ?? null });
  return { path, htmlPath, headline };
}
