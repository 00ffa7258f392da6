import { existsSync } from "node:fs";
import { join } from "node:path";
import { tool } from "ai";
import { z } from "zod";
import { AutoOptimizeError } from "../../errors.js";
import type {
  InfrastructureRequest,
  InfrastructureResult,
} from "../../experiment/infrastructure-writer.js";
import type { Redactor } from "../../secrets.js";
import { globMatcher } from "../../workspace/files.js";
import { git } from "../../workspace/git.js";
import type { AgentLog } from "../agent-log.js";
import { type ModelClient, OUTPUT_TOKENS } from "./client.js";
import { infrastructureSystem } from "./prompts.js";
import { type FinishTool, runToolLoop } from "./tool-loop.js";
import { ToolBox } from "./tools/toolbox.js";

const Finish = z.object({
  command: z.string().min(1).describe("the shell command to run from the repository root"),
  files: z.array(z.string()).describe("the files you wrote, relative to the repository root"),
  check: z
    .string()
    .optional()
    .describe(
      "when asked for one: the behaviour check command, which prints what the code in scope computes on fixed inputs, the same bytes on every run",
    ),
  notes: z.string().optional().describe("anything the person should know"),
});

export interface InfrastructureLimits {
  maxSteps: number;
  maxMinutes: number;
}

/**
 * Regression tests and a benchmark, each written by a context of its own (in parallel): it reads
 * the repository, writes new files only (never one in scope, never an existing one), and names its
 * command with `finish`. The caller dry-runs both and asks again only for the one that failed,
 * with its error as `feedback`. Asked for a behaviour check, the context writing the tests (the
 * benchmark's when the tests exist) proposes one: it has read what the code computes.
 */
export async function writeInfrastructure(
  client: ModelClient,
  request: InfrastructureRequest,
  limits: InfrastructureLimits,
  log: AgentLog,
  redactor: Redactor,
): Promise<InfrastructureResult> {
  const checkPart = request.proposeCheck
    ? request.missing.includes("test")
      ? "test"
      : request.missing[0]
    : undefined;
  const results = await Promise.all(
    request.missing.map((part) =>
      writePart(client, request, part, part === checkPart, limits, log, redactor),
    ),
  );
  const out: InfrastructureResult = { files: [] };
  for (const [i, part] of request.missing.entries()) {
    const result = results[i] as Written;
    out[part] = result.command;
    if (result.check) out.check = result.check;
    out.files.push(...result.files);
  }
  out.files = [...new Set(out.files)].sort();
  return out;
}

interface Written {
  command: string;
  check?: string;
  files: string[];
}

async function writePart(
  client: ModelClient,
  request: InfrastructureRequest,
  part: "test" | "bench",
  proposeCheck: boolean,
  limits: InfrastructureLimits,
  log: AgentLog,
  redactor: Redactor,
): Promise<Written> {
  const inScope = globMatcher(request.scope);
  // init runs on a clean tree: an untracked file is one an agent wrote (on the retry, this one).
  const tracked = new Set((await git(["ls-files", "-z"], request.root)).split("\0"));
  const toolbox = new ToolBox(
    {
      root: request.root,
      canWrite: (rel) => {
        if (rel.startsWith("experiments/")) return "the experiments folder is the program's";
        if (inScope(rel))
          return "inside the scope: the code under optimization is not yours to change";
        if (tracked.has(rel)) return "an existing file of the repository; write new files only";
        return null;
      },
      commands: [],
      commandTimeoutMs: 60_000,
      env: {},
      redactor,
      log,
      context: `infrastructure-${part}`,
    },
    ["read_file", "list_files", "search_text", "write_file", "edit_file"],
  );
  const finish: FinishTool = {
    name: "finish",
    definition: tool({
      description:
        "Name the command that runs what you wrote, and the files you wrote. Ends your work.",
      inputSchema: Finish,
    }),
    handle(input) {
      const parsed = Finish.safeParse(input);
      if (!parsed.success) return { output: "refused: give command (non-empty) and files" };
      const missing = parsed.data.files.filter((f) => !existsSync(join(request.root, f)));
      if (missing.length)
        return { output: `refused: these files do not exist: ${missing.join(", ")}` };
      return { output: "recorded", done: parsed.data };
    },
  };
  const content = [
    `Goal of the optimization: ${request.goal}`,
    `Code in scope (what will be optimized): ${request.scope.join(", ")}`,
    part === "bench"
      ? `The metric: ${request.metric.name} (${request.metric.direction} is better). Print it under exactly this name.`
      : "Write regression tests for the code in scope.",
    ...(proposeCheck
      ? [
          "Also write a behaviour check and give its command as `check` in `finish`: a program that runs the code in scope on a fixed corpus of inputs and prints the results.",
        ]
      : []),
    ...(request.feedback
      ? [
          "",
          "What you wrote last time failed the program's dry-run:",
          "```",
          redactor.text(request.feedback),
          "```",
          "Fix it (you may rewrite the files you wrote).",
        ]
      : []),
  ].join("\n");
  const result = await runToolLoop(
    client,
    {
      role: "executor",
      context: `infrastructure-${part}`,
      system: infrastructureSystem(part, proposeCheck),
      maxOutputTokens: OUTPUT_TOKENS.executor,
    },
    [{ role: "user", content }],
    toolbox,
    { maxSteps: limits.maxSteps, deadline: Date.now() + limits.maxMinutes * 60_000 },
    finish,
  );
  const done = result.finished as z.infer<typeof Finish> | undefined;
  if (!done) {
    throw new AutoOptimizeError(
      "infrastructure-unfinished",
      `the agent writing ${part === "test" ? "the tests" : "the benchmark"} stopped without naming its command (${result.cutShort ?? "it never called finish"}).`,
    );
  }
  const check = proposeCheck ? done.check?.trim() : undefined;
  return {
    command: done.command.trim(),
    ...(check && { check }),
    files: [...new Set([...toolbox.written, ...done.files])],
  };
}
