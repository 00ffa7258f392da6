import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import { AutoOptimizeError } from "../errors.js";
import { type ProgressReporter, progressReporter, type ToolExtra } from "./progress.js";
import { registerExperimentTools } from "./tools/experiment.js";
import { registerIterationTools } from "./tools/iteration.js";

export interface McpServerOptions {
  /** The repository tools work on when a call names none. */
  cwd: string;
  version: string;
  /** Diagnostics (never the protocol's stdout): stderr for the stdio server. */
  log?: (line: string) => void;
}

/** What a tool module needs: a registration that serializes calls and maps errors. */
export interface ToolRegistry {
  cwd: string;
  tool<I extends z.ZodRawShape, O extends z.ZodRawShape>(
    name: string,
    config: {
      title: string;
      description: string;
      inputSchema: I;
      outputSchema: O;
      readOnly?: boolean;
    },
    run: (
      args: z.infer<z.ZodObject<I>>,
      progress: ProgressReporter,
    ) => Promise<{ structured: z.infer<z.ZodObject<O>>; text?: string }>,
  ): void;
}

const INSTRUCTIONS = `auto-optimize runs a performance experiment while you plan and edit: it holds the protocol, checks every edit, measures against the current best with interleaved rounds and a confidence interval, decides keep or drop, and commits every attempt.
Order: init_experiment (once) → lock_baseline (once) → per iteration: next_iteration (the brief) → submit_plan (the four-technique plan) → edit the files in the repository's working tree → evaluate (decision, delta, nextHint) → reflect (the reflexion) → next_iteration … until next_iteration returns stop; then report.
Never edit tests, benchmarks, protected files or the experiments/ folder; only files in the scope. status says where you are; every error names the step to take instead.`;

/** The MCP server of host mode: the step protocol, init, baseline, status and report as tools. */
export function createMcpServer(options: McpServerOptions): McpServer {
  const server = new McpServer(
    { name: "auto-optimize", version: options.version },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  const log = options.log ?? (() => {});
  // One step at a time: the steps share the working tree, the ledger and the worktrees.
  let queue: Promise<unknown> = Promise.resolve();
  const registry: ToolRegistry = {
    cwd: options.cwd,
    tool(name, config, run) {
      server.registerTool(
        name,
        {
          title: config.title,
          description: config.description,
          inputSchema: config.inputSchema,
          outputSchema: config.outputSchema,
          annotations: {
            title: config.title,
            readOnlyHint: config.readOnly ?? false,
            openWorldHint: false,
          },
        },
        // The SDK's generic callback type cannot follow the shape through this helper.
        (async (args: z.infer<z.ZodObject<typeof config.inputSchema>>, extra: ToolExtra) => {
          const call = queue.then(() =>
            invoke(name, () => run(args, progressReporter(extra, log))),
          );
          queue = call.catch(() => {});
          return call;
        }) as never,
      );
    },
  };

  async function invoke(
    name: string,
    run: () => Promise<{ structured: object; text?: string }>,
  ): Promise<CallToolResult> {
    log(`${name}: started`);
    try {
      const { structured, text } = await run();
      log(`${name}: done`);
      return {
        content: [{ type: "text", text: text ?? JSON.stringify(structured, null, 2) }],
        structuredContent: structured as Record<string, unknown>,
      };
    } catch (error) {
      const known = error instanceof AutoOptimizeError;
      const message = known
        ? error.message
        : `unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
      log(`${name}: ${known ? `refused (${error.code})` : "failed"}: ${message}`);
      return {
        isError: true,
        content: [{ type: "text", text: `auto-optimize: ${message}` }],
        structuredContent: { error: { code: known ? error.code : "unexpected", message } },
      };
    }
  }

  registerExperimentTools(registry);
  registerIterationTools(registry);
  return server;
}
