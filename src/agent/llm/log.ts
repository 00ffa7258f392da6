import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Redactor } from "../secrets.js";

/**
 * agent-log.jsonl: one line per model call and per tool call, secrets redacted. The planner runs
 * before the loop creates the iteration's folder (named after the plan), so lines are held until
 * a file is attached, then written there.
 */
export class AgentLog {
  private buffer: string[] = [];
  private path: string | null = null;

  constructor(private readonly redactor: Redactor) {}

  write(entry: Record<string, unknown>): void {
    const line = this.redactor.text(JSON.stringify({ time: new Date().toISOString(), ...entry }));
    if (this.path) appendFileSync(this.path, `${line}\n`);
    else this.buffer.push(line);
  }

  /** From now on, write to `path` (held lines first). */
  attach(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    this.path = path;
    this.flush(path);
  }

  /** Hold lines again until the next attach. */
  detach(): void {
    this.path = null;
  }

  /** Writes the held lines to `path` (a failed plan's calls, with no iteration folder to go to). */
  flush(path: string): void {
    if (this.buffer.length === 0) return;
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, `${this.buffer.join("\n")}\n`);
    this.buffer = [];
  }
}
