import { resolve } from "node:path";
import { AutoOptimizeError, UsageError } from "../../errors.js";
import { gitInput } from "../../workspace/git-input.js";
import { settledStrategies } from "../tried.js";
import type { Agent, Applied, IterationContext, Outcome, Plan } from "../types.js";
import {
  type Candidate,
  type CandidateInfo,
  candidateLabel,
  describeCandidate,
  listPatchFiles,
  type PatchesOptions,
  patchText,
  resolveRevisions,
} from "./sources.js";

/** plan.json of a patches trial. */
export interface PatchesPlanData {
  agent: "patches";
  candidate: Candidate;
  subject: string | null;
  stat: string;
}

/**
 * Candidates whose strategy string no earlier iteration used (a runner-up's is offered again, on
 * top of the new best) and no sibling of this generation is trying, in order.
 */
function untried(
  candidates: Candidate[],
  context: Pick<IterationContext, "tried" | "siblings">,
): Candidate[] {
  const settled = settledStrategies(context);
  const done = new Set([...settled.tried.map((t) => t.strategy), ...settled.siblings]);
  return candidates.filter((c) => !done.has(c.name));
}

function renderPlan(candidate: Candidate, info: CandidateInfo, remaining: number): string {
  return [
    `# ${candidate.name}`,
    "",
    "Patches agent (no model): the given candidates, one per iteration, in order.",
    "",
    `- **Source:** ${candidateLabel(candidate)}.`,
    `- **Subject:** ${info.subject ?? "(none)"}`,
    `- **Left after this one:** ${remaining}.`,
    "",
    "## Stat",
    "",
    "```",
    info.stat || "(empty patch)",
    "```",
    "",
  ].join("\n");
}

function percent(fraction: number): string {
  return `${fraction >= 0 ? "+" : ""}${(fraction * 100).toFixed(2)}%`;
}

/**
 * The `patches` agent: applies given patch files (`*.patch`/`*.diff` in `options.dir`, by name)
 * and then given revisions (each as the diff from its first parent), one per iteration. A
 * candidate whose name is already a strategy in `context.tried` is skipped, so a resumed run goes
 * on with the next one. `root` is the repository the folder and the revisions are resolved in.
 */
export function createPatchesAgent(options: PatchesOptions, root: string): Agent {
  if (options.dir === undefined && (options.revisions ?? []).length === 0) {
    throw new UsageError(
      "no-patches",
      "the patches agent needs a folder of patch files or a list of revisions.",
    );
  }
  // Revisions are resolved once, at the first plan: a typo fails before any iteration, and a
  // branch that moves during the run keeps naming what it named at the start (plan.json records
  // the commit, so a resumed iteration applies the same change).
  let revisions: Promise<Candidate[]> | null = null;
  const candidates = async (): Promise<Candidate[]> => {
    revisions ??= resolveRevisions(options.revisions ?? [], root);
    const resolved = await revisions.catch((error: unknown) => {
      revisions = null;
      throw error;
    });
    const files = options.dir !== undefined ? await listPatchFiles(options.dir, root) : [];
    if (options.dir !== undefined && files.length === 0 && resolved.length === 0) {
      throw new UsageError(
        "no-patches",
        `patch folder ${resolve(root, options.dir)} holds no *.patch or *.diff file: add some (git format-patch writes them).`,
      );
    }
    return [...files, ...resolved];
  };

  const candidateOf = async (plan: Plan): Promise<Candidate> => {
    const data = plan.data as Partial<PatchesPlanData> | null;
    if (data?.agent === "patches" && data.candidate && data.candidate.name === plan.strategy) {
      return data.candidate;
    }
    const found = (await candidates()).find((c) => c.name === plan.strategy);
    if (!found) {
      throw new AutoOptimizeError(
        "unknown-patch",
        `the patches agent has no candidate named '${plan.strategy}'.`,
      );
    }
    return found;
  };

  return {
    name: "patches",

    async plan(context: IterationContext): Promise<Plan | null> {
      const left = untried(await candidates(), context);
      const candidate = left[0];
      if (!candidate) return null;
      const info = await describeCandidate(candidate, root);
      const data: PatchesPlanData = { agent: "patches", candidate, ...info };
      return {
        strategy: candidate.name,
        markdown: renderPlan(candidate, info, left.length - 1),
        data,
      };
    },

    async apply(context: IterationContext, plan: Plan, _feedback: string | null): Promise<Applied> {
      const candidate = await candidateOf(plan);
      const text = await patchText(candidate, root);
      const applied = await gitInput(["apply", "--whitespace=nowarn", "-"], context.worktree, text);
      let summary = `applied ${candidateLabel(candidate)}`;
      if (applied.code !== 0) {
        // A retry or a resumed iteration may find the patch already in place.
        const reverse = await gitInput(
          ["apply", "--reverse", "--check", "-"],
          context.worktree,
          text,
        );
        if (reverse.code !== 0) {
          throw new AutoOptimizeError(
            "patch-does-not-apply",
            `${candidate.name} does not apply to the current best (${context.best.commit.slice(0, 12)}): ${applied.stderr.trim() || "git apply failed"}`,
          );
        }
        summary = `${candidateLabel(candidate)} was already applied`;
      }
      // The candidate runs with the best's env/arg knob values: a patch changes code only.
      return { summary, knobs: { ...context.best.knobs } };
    },

    async reflect(context: IterationContext, plan: Plan, outcome: Outcome): Promise<string> {
      const data = plan.data as Partial<PatchesPlanData> | null;
      const left = untried(await candidates(), {
        tried: [
          ...context.tried,
          { iteration: context.iteration, strategy: plan.strategy, decision: outcome.decision },
        ],
      });
      const lines = [
        `# Reflexion — iteration ${context.iteration}: ${plan.strategy}`,
        "",
        "Written by the patches agent (no model): the facts, not an interpretation.",
        "",
        `- **Subject:** ${data?.subject ?? "(none)"}`,
        `- **Decision:** ${outcome.decision} — ${outcome.reason}`,
      ];
      if (outcome.improvement !== null) {
        const ci = outcome.ci ? ` (CI ${percent(outcome.ci[0])} to ${percent(outcome.ci[1])})` : "";
        lines.push(
          `- **Improvement over the current best:** ${percent(outcome.improvement)}${ci}.`,
        );
      } else {
        lines.push("- **Improvement over the current best:** not measured.");
      }
      if (outcome.value !== null) lines.push(`- **Measured value:** ${outcome.value}.`);
      if (outcome.violations.length > 0)
        lines.push(`- **Violations:** ${outcome.violations.join("; ")}.`);
      lines.push(
        left[0]
          ? `- **Next:** \`${left[0].name}\` (${left.length} left).`
          : "- **Next:** none — every candidate has been tried; the agent stops.",
      );
      if (outcome.testOutput) {
        const tail = outcome.testOutput.trimEnd().split("\n").slice(-20);
        lines.push("", "## Test output (last lines)", "", "```", ...tail, "```");
      }
      return `${lines.join("\n")}\n`;
    },
  };
}
