import { AutoOptimizeError, UsageError } from "../../errors.js";
import { runProcess } from "../../measure/run-process.js";
import { withoutSecrets } from "../../secrets.js";
import type { AgentLog } from "../agent-log.js";
import type { AgentUsage } from "../types.js";
import { findOnPath } from "./env.js";
import type { DelegateBackend, DelegateCall, DelegateOptions, DelegateReply } from "./types.js";

const MAX_OUTPUT = 8 * 1024 * 1024;
const LOGGED_OUTPUT = 64 * 1024;

const STEP_WORDS = {
  plan: "planning",
  apply: "applying the plan",
  reflect: "writing the reflexion",
};

/** The message for a CLI that is not installed: which agent, which binary, how to get it. */
export function missingBinary(backend: DelegateBackend): UsageError {
  return new UsageError(
    "delegate-missing",
    `--agent ${backend.name} runs the \`${backend.binary}\` command, and none was found on PATH. ${backend.install}`,
  );
}

/**
 * Runs one call of a coding CLI: in its own process group with stdin closed, the environment
 * without secrets except the ones the CLI needs, killed with its children past the time limit.
 * The call, its output and the parsed reply are logged (secrets redacted). A CLI that is missing,
 * hangs, crashes or reports an error is an AutoOptimizeError naming the agent and the step;
 * what it spent is handed to `spend` first.
 */
export async function invokeDelegate(
  backend: DelegateBackend,
  call: DelegateCall,
  options: DelegateOptions,
  log: AgentLog,
  spend: (usage: AgentUsage) => void,
): Promise<DelegateReply> {
  const env = withoutSecrets(process.env, [...backend.needsEnv, ...options.passEnv]);
  const file = findOnPath(backend.binary, env.PATH ?? "");
  if (!file) throw missingBinary(backend);
  const args = await backend.args(call, options);
  const run = await runProcess(file, args, {
    cwd: call.cwd,
    env,
    timeoutMs: options.timeoutMs,
    maxOutputBytes: MAX_OUTPUT,
  });
  const stdout = run.stdout.text();
  const stderr = run.stderr.text();
  const entry = {
    agent: backend.name,
    step: call.step,
    command: [backend.binary, ...args.map((a) => (a === call.prompt ? "<prompt>" : a))],
    cwd: call.cwd,
    prompt: call.prompt,
    exitCode: run.exitCode,
    signal: run.signal,
    timedOut: run.timedOut,
    wallMs: Math.round(run.wallMs),
    stdout: tail(stdout, LOGGED_OUTPUT),
    stderr: tail(stderr, LOGGED_OUTPUT),
  };
  const doing = `${backend.name} (${backend.binary}) failed while ${STEP_WORDS[call.step]}`;
  if (run.spawnError) {
    log.write({ ...entry, error: run.spawnError.message });
    if ((run.spawnError as NodeJS.ErrnoException).code === "ENOENT") throw missingBinary(backend);
    throw new AutoOptimizeError("delegate-failed", `${doing}: ${run.spawnError.message}`);
  }
  if (run.timedOut || run.interrupted) {
    const why = run.timedOut
      ? `it did not finish within ${formatSeconds(options.timeoutMs)}, so it was stopped with its child processes (raise --agent-timeout if it needs longer)`
      : "it was interrupted";
    log.write({ ...entry, error: why });
    throw new AutoOptimizeError("delegate-failed", `${doing}: ${why}.`);
  }
  let reply: DelegateReply;
  try {
    reply = await backend.parse(call, { stdout, stderr, exitCode: run.exitCode });
  } catch (error) {
    reply = {
      text: "",
      usage: { usd: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0 },
      error: `its output could not be read: ${(error as Error).message}`,
    };
  }
  spend(reply.usage);
  log.write({
    ...entry,
    reply: tail(reply.text, LOGGED_OUTPUT),
    usage: reply.usage,
    ...(reply.error ? { error: reply.error } : {}),
    ...(reply.incomplete ? { incomplete: reply.incomplete } : {}),
    ...(reply.details ? { details: reply.details } : {}),
  });
  if (reply.error) {
    const output = lastLines(stderr) || lastLines(stdout);
    const message = `${doing}: ${reply.error}${output && !reply.error.includes(output) ? `\n--- its output (tail) ---\n${output}` : ""}`;
    throw new AutoOptimizeError("delegate-failed", log.redact(message));
  }
  return reply;
}

function tail(text: string, max: number): string {
  return text.length <= max
    ? text
    : `… ${text.length - max} characters left out …\n${text.slice(-max)}`;
}

function lastLines(text: string, count = 15): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s >= 120 ? `${Number((s / 60).toFixed(1))} min` : `${Number(s.toFixed(1))} s`;
}
