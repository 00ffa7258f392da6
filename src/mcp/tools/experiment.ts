import { lockBaseline } from "../../experiment/baseline.js";
import { createExperiment } from "../../experiment/create.js";
import { openExperiment } from "../../experiment/open.js";
import { commitFinalReport } from "../../loop/final-report-commit.js";
import { hostStatus } from "../../loop/host/status.js";
import { defaultRemeasureRounds } from "../../loop/report/remeasure.js";
import { openRepository } from "../../workspace/git.js";
import {
  BaselineInput,
  BaselineOutput,
  InitInput,
  InitOutput,
  ReportInput,
  ReportOutput,
  StatusOutput,
  Where,
} from "../schemas.js";
import type { ToolRegistry } from "../server.js";

/** Before and after the iterations: init, baseline, status and the final report. */
export function registerExperimentTools(registry: ToolRegistry): void {
  const cwd = (args: { repository?: string }) => args.repository ?? registry.cwd;

  registry.tool(
    "init_experiment",
    {
      title: "Start an experiment",
      description:
        "Creates the experiment from the user's answers: validates them (a numeric target is required; vague answers are refused), dry-runs the test and benchmark commands, hashes the protected files, and commits the plan on a new branch auto-optimize/exp-NNN-<slug>. The working tree must be clean (or pass stash: true to set the user's changes aside). Missing tests or benchmark: write and commit them first, then call this.",
      inputSchema: InitInput,
      outputSchema: InitOutput,
    },
    async (args, progress) => {
      const text = (value: number | string | undefined) =>
        value === undefined ? undefined : String(value);
      const created = await createExperiment({
        cwd: cwd(args),
        answers: {
          goal: args.goal,
          scope: args.scope,
          metric: args.metric,
          direction: args.direction,
          target: text(args.target),
          threshold: text(args.threshold),
          iterations: text(args.iterations),
          test: args.test,
          bench: args.bench,
          build: args.build,
          check: args.check,
          protect: args.protect,
          knobs: args.knobs,
          volatile: args.volatile,
        },
        startNew: args.new,
        stash: args.stash,
        onProgress: progress,
      });
      return {
        structured: {
          name: created.name,
          id: created.id,
          branch: created.branch,
          path: created.path,
          commit: created.commit,
          protectedFiles: created.protectedFiles,
          warnings: created.warnings,
          dryRun: created.dryRun,
          nextHint: "lock the baseline with the lock_baseline tool.",
        },
      };
    },
  );

  registry.tool(
    "status",
    {
      title: "Experiment status",
      description:
        "Where the experiment stands: phase, iterations and budget, decisions, baseline, best, target, and host.expected — the step the protocol expects now — with a hint. Changes nothing.",
      inputSchema: Where,
      outputSchema: StatusOutput,
      readOnly: true,
    },
    async (args) => ({
      structured: await hostStatus({ cwd: cwd(args), experiment: args.experiment, via: "mcp" }),
    }),
  );

  registry.tool(
    "lock_baseline",
    {
      title: "Lock the baseline",
      description:
        "Measures the experiment's commit (warm-up, then repeated runs) and locks a noise-checked baseline; a metric noisier than 5% robust CV is re-measured and then refused with its likely causes unless acceptNoise; acceptNoise right after a refusal locks the refused runs without measuring again (fresh: measure anew). Commits baseline/. Long: sends progress notifications when given a progress token.",
      inputSchema: BaselineInput,
      outputSchema: BaselineOutput,
    },
    async (args, progress) => {
      const outcome = await lockBaseline({
        cwd: cwd(args),
        name: args.experiment,
        runs: args.runs,
        acceptNoise: args.acceptNoise,
        force: args.force,
        fresh: args.fresh,
        onProgress: progress,
      });
      const { metric } = outcome.result;
      return {
        structured: {
          name: outcome.name,
          id: outcome.id,
          commit: outcome.commit,
          metric: metric.name,
          value: metric.value,
          robustCv: metric.robustCv,
          runs: outcome.result.runs,
          noisy: outcome.result.noisy,
          reusedRefusedRuns: outcome.reusedRefusedRuns,
          targetReached: outcome.targetReached,
          summary: outcome.summary,
          nextHint: outcome.targetReached
            ? "the baseline already reaches the target: check the target with the user before iterating."
            : "open the first iteration with the next_iteration tool.",
        },
      };
    },
  );

  registry.tool(
    "report",
    {
      title: "Write the final report",
      description:
        "Writes final-report.md — the headline from a fresh interleaved re-measure of the baseline against the best, the best configuration and its diff, every iteration, insights and next steps — and commits it. Long when re-measuring: sends progress notifications when given a progress token.",
      inputSchema: ReportInput,
      outputSchema: ReportOutput,
    },
    async (args, progress) => {
      const { root } = await openRepository(cwd(args));
      const opened = await openExperiment(root, args.experiment);
      const rounds = args.rounds ?? defaultRemeasureRounds(opened.experiment);
      const report = await commitFinalReport({
        root,
        opened,
        remeasure: (args.remeasure ?? true) ? { maxRounds: rounds } : null,
        onStep: progress,
      });
      return {
        structured: {
          path: report.path,
          htmlPath: report.htmlPath,
          commit: report.commit,
          headline: report.headline ? { ...report.headline } : null,
        },
      };
    },
  );
}
