import { appendFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { Redactor } from "../secrets.js";

export const AGENT_LOG = "agent-log.jsonl";

/**
 * The iteration's agent-log.jsonl. Planning happens before the loop creates the iteration folder
 * (its name comes from the plan), so entries are held until `attach` names the folder; from then
 * on each entry is appended at once. Every string passes through the redactor first.
 */
export class DelegateLog {
  private pending: string[] = [];
  private path: string | null = null;

  constructor(private readonly redactor: Redactor) {}

  redact(text: string): string {
    return this.redactor.text(text);
  }

  /** A new iteration: entries held from an earlier one are dropped with it. */
  reset(): void {
    this.pending = [];
    this.path = null;
  }

  /** Writes what was held to `folder`/agent-log.jsonl, when the folder exists. */
  attach(folder: string): void {
    if (!existsSync(folder)) return;
    this.path = join(folder, AGENT_LOG);
    if (this.pending.length > 0) appendFileSync(this.path, this.pending.join(""));
    this.pending = [];
  }

  write(entry: Record<string, unknown>): void {
    const record = { time: new Date().toISOString(), ...entry };
    const line = `${JSON.stringify(record, (_key, value) => (typeof value === "string" ? this.redact(value) : value))}\n`;
    if (this.path) appendFileSync(this.path, line);
    else this.pending.push(line);
  }
}
