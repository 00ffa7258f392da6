import { appendFileSync, closeSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Redactor } from "../secrets.js";

export const AGENT_LOG = "agent-log.jsonl";

/**
 * agent-log.jsonl: one JSON line per model call, tool call or delegate call, every string
 * redacted. Planning happens before the loop creates the iteration's folder (its name comes from
 * the plan), so lines are held until a file is attached, then written there.
 */
export class AgentLog {
  private held: string[] = [];
  private path: string | null = null;

  constructor(private readonly redactor: Redactor) {}

  redact(text: string): string {
    return this.redactor.text(text);
  }

  write(entry: Record<string, unknown>): void {
    const line = JSON.stringify({ time: new Date().toISOString(), ...entry }, (_key, value) =>
      typeof value === "string" ? this.redact(value) : value,
    );
    if (this.path) appendLines(this.path, [line]);
    else this.held.push(line);
  }

  /** From now on, write to `path` (held lines first). */
  attach(path: string): void {
    this.path = path;
    this.flush(path);
  }

  /** Hold lines again until the next attach. */
  detach(): void {
    this.path = null;
  }

  /** A new iteration: lines held from an earlier one are dropped with it. */
  reset(): void {
    this.held = [];
    this.path = null;
  }

  /** Writes the held lines to `path` (a failed plan's calls, with no iteration folder to go to). */
  flush(path: string): void {
    if (this.held.length === 0) return;
    appendLines(path, this.held);
    this.held = [];
  }
}

/** Appends lines; a last line a crash cut short is ended first, so no entry is glued to it. */
function appendLines(path: string, lines: string[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const torn = endsMidLine(path) ? "\n" : "";
  appendFileSync(path, `${torn}${lines.join("\n")}\n`);
}

function endsMidLine(path: string): boolean {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return false;
  }
  if (size === 0) return false;
  const fd = openSync(path, "r");
  try {
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}
