import type { ModelMessage, Tool } from "ai";
import type { CallRequest, ModelClient } from "./client.js";
import type { ToolBox } from "./tools/toolbox.js";

export interface ToolLoopLimits {
  maxSteps: number;
  /** Date.now() past which no further model call is made. */
  deadline: number;
}

/** A tool the loop's owner handles itself (the infrastructure writers' `finish`). */
export interface FinishTool {
  name: string;
  definition: Tool;
  /** The call's answer to the model, and `done` to end the loop with this value. */
  handle(input: unknown): { output: string; done?: unknown };
}

export interface ToolLoopResult {
  /** The model's last words (its summary when it stopped calling tools). */
  text: string;
  steps: number;
  /** Why the loop stopped before the model said it was done, or null. */
  cutShort: string | null;
  finished?: unknown;
}

/**
 * A conversation in which the model calls tools until it answers without one (or calls the
 * finish tool), bounded in model calls and wall time. Each model call goes through the client
 * (retries, timeout, cost, log); each tool call through the tool box (confinement, truncation, log).
 */
export async function runToolLoop(
  client: ModelClient,
  request: Omit<CallRequest, "messages" | "logInput">,
  messages: ModelMessage[],
  toolbox: ToolBox,
  limits: ToolLoopLimits,
  finish?: FinishTool,
): Promise<ToolLoopResult> {
  const tools = { ...toolbox.definitions(), ...(finish && { [finish.name]: finish.definition }) };
  let logged = 0;
  let text = "";
  for (let step = 1; step <= limits.maxSteps; step++) {
    if (Date.now() > limits.deadline) {
      return { text, steps: step - 1, cutShort: "its time limit ran out" };
    }
    const reply = await client.text(
      { ...request, messages, logInput: messages.slice(logged) },
      tools,
    );
    messages.push(...reply.responseMessages);
    logged = messages.length;
    if (reply.text.trim()) text = reply.text;
    if (reply.toolCalls.length === 0) return { text, steps: step, cutShort: null };
    const results = [];
    let finished: { value: unknown } | null = null;
    for (const call of reply.toolCalls) {
      let output: string;
      if (finish && call.toolName === finish.name) {
        const handled = finish.handle(call.input);
        output = toolbox.record(
          call.toolName,
          call.input,
          handled.output,
          "done" in handled,
        ).output;
        if (handled.done !== undefined) finished = { value: handled.done };
      } else {
        output = (await toolbox.run(call.toolName, call.input)).output;
      }
      results.push({
        type: "tool-result" as const,
        toolCallId: call.toolCallId,
        toolName: call.toolName,
        output: { type: "text" as const, value: output },
      });
    }
    messages.push({ role: "tool", content: results });
    if (finished) return { text, steps: step, cutShort: null, finished: finished.value };
  }
  return { text, steps: limits.maxSteps, cutShort: `its limit of ${limits.maxSteps} model calls` };
}
