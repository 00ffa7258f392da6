import type { Reply } from "./fake-llm-server.js";

/** Scripted model answers for the LoopRepo project (src/value.txt is the benchmark's number). */

export const OTHER_CANDIDATES = ["cache the parsed value", "rewrite the file format"];

/** The planner's answer: a valid plan without the independent ranking (the program asks for it). */
export function draftPlan(
  strategy: string,
  options: {
    candidates?: string[];
    chosen?: string;
    files?: string[];
    summary?: string;
    steps?: string[];
  } = {},
): Record<string, unknown> {
  const names = options.candidates ?? [strategy, ...OTHER_CANDIDATES];
  return {
    stepBack: {
      bottleneck: "cpu",
      evidence: "the benchmark prints the number stored in src/value.txt",
      principles: ["a smaller stored number is a smaller metric"],
    },
    chainOfThought: {
      candidates: names.map((name, i) => ({
        name,
        approach: `approach number ${i + 1}: ${name}, done concretely`,
        tradeoffs: "none worth noting",
        risk: "low",
        expectedGainPercent: 50 - 10 * i,
      })),
      chosen: options.chosen ?? strategy,
      why: `${strategy} gives the largest gain for the least risk`,
    },
    preMortem: {
      failureMode: "the tests reject the new value for some reason",
      earlySignal: "the test command fails right after the edit",
    },
    strategy,
    summary: options.summary ?? `${strategy}: store a smaller number in src/value.txt`,
    files: options.files ?? ["src/value.txt"],
    steps: options.steps ?? [`${strategy} by editing src/value.txt`],
  };
}

export function ranking(names: string[]): Reply {
  return { json: { ranking: names, notes: "ranked by expected gain and risk" } };
}

/** The executor: read the file, replace the number, say what it did. */
export function editValue(from: string, to: string): Reply[] {
  return [
    { tools: [{ name: "read_file", input: { path: "src/value.txt" } }] },
    {
      tools: [{ name: "edit_file", input: { path: "src/value.txt", oldText: from, newText: to } }],
    },
    { text: `Replaced ${from} by ${to} in src/value.txt.` },
  ];
}

export const REFLEXION: Reply = {
  json: {
    whatSurprised: ["the gain matched the plan exactly"],
    lessons: ["the stored number drives the metric one to one"],
    unexploredDirections: ["compress the file format"],
  },
};

export const HALVE = "halve the stored value";

/** The planner and the independent ranking agreeing on halving src/value.txt. */
export function halvePlanning(): { planner: Reply[]; ranking: Reply[] } {
  return {
    planner: [{ json: draftPlan(HALVE) }],
    ranking: [ranking([HALVE, ...OTHER_CANDIDATES])],
  };
}

/** One whole iteration that halves src/value.txt (100 → 50): plan, ranking, edits, reflexion. */
export function halveIteration(): Record<
  "planner" | "ranking" | "executor" | "reflexion",
  Reply[]
> {
  return { ...halvePlanning(), executor: editValue("100", "50"), reflexion: [REFLEXION] };
}
