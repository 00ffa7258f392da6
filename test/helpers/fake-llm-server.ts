import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A scripted model server on loopback speaking the real protocols: OpenAI's
 * POST /v1/chat/completions (text, tool calls, JSON mode and json_schema structured output) and
 * Anthropic's POST /v1/messages (text, tool_use, the forced `json` tool and output_config
 * structured output). Replies are scripted per context — which the agent's system prompt names —
 * and every request is recorded.
 */

export type Context =
  | "planner"
  | "ranking"
  | "executor"
  | "reflexion"
  | "infrastructure-test"
  | "infrastructure-bench"
  | "other";

export interface TokenCounts {
  input?: number;
  output?: number;
  cached?: number;
}

export type Reply =
  | { json: unknown; usage?: TokenCounts }
  | { text: string; usage?: TokenCounts }
  | { tools: { name: string; input: unknown }[]; text?: string; usage?: TokenCounts }
  | { status: number; message?: string; headers?: Record<string, string> }
  | { hang: true };

export type Responder = Reply | ((request: RecordedRequest) => Reply);

export type Script = Partial<Record<Context, Responder[]>>;

export interface RecordedRequest {
  protocol: "openai" | "anthropic";
  context: Context;
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
  /** The raw request body, for searching (secrets must not be in any). */
  text: string;
  /** The system prompt's text. */
  system: string;
  /** The text of the last message (user text or tool results). */
  last: string;
}

export class FakeLlmServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queues = new Map<Context, Responder[]>();
  private readonly server: Server;
  private port = 0;

  constructor(script: Script = {}) {
    this.script(script);
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  /** Adds replies to the end of each context's queue. */
  script(script: Script): void {
    for (const [context, replies] of Object.entries(script) as [Context, Responder[]][]) {
      this.queues.set(context, [...(this.queues.get(context) ?? []), ...replies]);
    }
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The base URL both SDKs take: http://127.0.0.1:PORT/v1 */
  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  of(context: Context): RecordedRequest[] {
    return this.requests.filter((r) => r.context === context);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const path = req.url ?? "";
    const protocol = path.endsWith("/chat/completions")
      ? "openai"
      : path.endsWith("/messages")
        ? "anthropic"
        : null;
    if (req.method !== "POST" || !protocol) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${path}` } }));
      return;
    }
    const body = JSON.parse(text) as Record<string, unknown>;
    const system = systemText(protocol, body);
    const request: RecordedRequest = {
      protocol,
      context: contextOf(system),
      path,
      headers: req.headers,
      body,
      text,
      system,
      last: lastText(body),
    };
    this.requests.push(request);
    const queue = this.queues.get(request.context) ?? [];
    const next = queue.shift();
    if (next === undefined) {
      const message = `the fake server's script has no more replies for the ${request.context} context`;
      send(res, 400, protocol === "openai" ? openAiError(message) : anthropicError(message));
      return;
    }
    const reply = typeof next === "function" ? next(request) : next;
    if ("hang" in reply) return; // never answers; the client must give up
    if ("status" in reply) {
      const message = reply.message ?? `scripted HTTP ${reply.status}`;
      send(
        res,
        reply.status,
        protocol === "openai" ? openAiError(message) : anthropicError(message, reply.status),
        reply.headers,
      );
      return;
    }
    send(res, 200, protocol === "openai" ? openAiReply(body, reply) : anthropicReply(body, reply));
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function contextOf(system: string): Context {
  if (system.startsWith("You are the planner")) return "planner";
  if (system.startsWith("You are the independent reviewer")) return "ranking";
  if (system.startsWith("You are the executor")) return "executor";
  if (system.startsWith("You write the reflexion")) return "reflexion";
  if (system.startsWith("You write regression tests")) return "infrastructure-test";
  if (system.startsWith("You write a benchmark")) return "infrastructure-bench";
  return "other";
}

function systemText(protocol: "openai" | "anthropic", body: Record<string, unknown>): string {
  if (protocol === "anthropic") {
    const system = body.system as string | { text: string }[] | undefined;
    return typeof system === "string" ? system : (system ?? []).map((s) => s.text).join("\n");
  }
  const messages = body.messages as { role: string; content: unknown }[];
  const first = messages.find((m) => m.role === "system" || m.role === "developer");
  return typeof first?.content === "string" ? first.content : JSON.stringify(first?.content ?? "");
}

function lastText(body: Record<string, unknown>): string {
  const messages = body.messages as { content: unknown }[];
  const last = messages.at(-1)?.content;
  if (typeof last === "string") return last;
  if (!Array.isArray(last)) return JSON.stringify(last ?? "");
  return last
    .map((part: { text?: unknown; content?: unknown }) =>
      typeof part.text === "string"
        ? part.text
        : typeof part.content === "string"
          ? part.content
          : JSON.stringify(part),
    )
    .join("\n");
}

type Content = Exclude<Reply, { status: number } | { hang: true }>;

function usageOf(reply: Content): Required<TokenCounts> {
  return { input: 100, output: 50, cached: 0, ...reply.usage };
}

let ids = 0;

function openAiReply(_body: Record<string, unknown>, reply: Content): unknown {
  const usage = usageOf(reply);
  const toolCalls =
    "tools" in reply
      ? reply.tools.map((t) => ({
          id: `call_${++ids}`,
          type: "function",
          function: { name: t.name, arguments: JSON.stringify(t.input) },
        }))
      : undefined;
  const content =
    "json" in reply ? JSON.stringify(reply.json) : "text" in reply ? (reply.text ?? null) : null;
  return {
    id: `chatcmpl-${++ids}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: String(_body.model),
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, ...(toolCalls && { tool_calls: toolCalls }) },
        finish_reason: toolCalls ? "tool_calls" : "stop",
      },
    ],
    usage: {
      prompt_tokens: usage.input + usage.cached,
      completion_tokens: usage.output,
      total_tokens: usage.input + usage.cached + usage.output,
      prompt_tokens_details: { cached_tokens: usage.cached },
    },
  };
}

function anthropicReply(body: Record<string, unknown>, reply: Content): unknown {
  const usage = usageOf(reply);
  const content: unknown[] = [];
  let stop = "end_turn";
  if ("json" in reply) {
    const tools = (body.tools as { name: string }[] | undefined) ?? [];
    const choice = body.tool_choice as { type?: string; name?: string } | undefined;
    if (choice?.type === "tool" && tools.some((t) => t.name === choice.name)) {
      content.push({
        type: "tool_use",
        id: `toolu_${++ids}`,
        name: choice.name,
        input: reply.json,
      });
      stop = "tool_use";
    } else {
      content.push({ type: "text", text: JSON.stringify(reply.json) });
    }
  } else if ("tools" in reply) {
    if (reply.text) content.push({ type: "text", text: reply.text });
    for (const t of reply.tools) {
      content.push({ type: "tool_use", id: `toolu_${++ids}`, name: t.name, input: t.input });
    }
    stop = "tool_use";
  } else {
    content.push({ type: "text", text: reply.text });
  }
  return {
    id: `msg_${++ids}`,
    type: "message",
    role: "assistant",
    model: String(body.model),
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: {
      input_tokens: usage.input,
      output_tokens: usage.output,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: usage.cached,
    },
  };
}

function openAiError(message: string): unknown {
  return { error: { message, type: "invalid_request_error", code: null } };
}

function anthropicError(message: string, status = 400): unknown {
  const type =
    status === 401
      ? "authentication_error"
      : status === 429
        ? "rate_limit_error"
        : status >= 500
          ? "api_error"
          : "invalid_request_error";
  return { type: "error", error: { type, message } };
}
