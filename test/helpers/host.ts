import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { StructuredPlan } from "../../src/agent/plan/schema.js";
import { type CliResult, runCli } from "./cli.js";
import { LoopRepo } from "./loop-repo.js";
import { validPlan } from "./plans.js";

/** A plan for the loop repository's src/value.txt; `n` varies the wording so plans differ. */
export function valuePlan(n: number, overrides: Partial<StructuredPlan> = {}): StructuredPlan {
  const names = ["lower the stored value", "trim digits", "rewrite the number", "shift the value"];
  const name = names[(n - 1) % names.length] as string;
  // Words carrying n keep any two plans apart for the repeated-strategy check.
  return validPlan({
    strategy: `${name} ${n}`,
    summary: `iteration${n} summary${n} change${n} number${n}`,
    files: ["src/value.txt"],
    steps: [`edit${n} value${n} file${n}`],
    ...overrides,
  });
}

/**
 * The loop repository driven as a host would: `auto-optimize step …` through the built binary,
 * plans and reflexions written outside the repository (a stray file inside it is an edit).
 */
export class HostRepo extends LoopRepo {
  private readonly scratch = mkdtempSync(join(tmpdir(), "auto-optimize-host-"));
  private files = 0;

  step(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return runCli(["step", ...args], this.dir, { env });
  }

  /** A step that must succeed, with --json: its parsed output. */
  async ok<T = Record<string, unknown>>(args: string[]): Promise<T> {
    const result = await this.step([...args, "--json"]);
    expect(result.stderr).not.toMatch(/unexpected failure/);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as T;
  }

  /**
   * A file outside the repository holding `text` (a plan, a reflexion, a patch); `name` names it
   * (a patch folder's agent reads only `*.patch` and `*.diff` files, in name order).
   */
  scratchFile(text: string, name = `input-${++this.files}`): string {
    const path = join(this.scratch, name);
    writeFileSync(path, text);
    return path;
  }

  planArgs(plan: unknown): string[] {
    return ["plan", "--file", this.scratchFile(JSON.stringify(plan))];
  }

  reflectArgs(
    text = "The value moved as the plan said; lesson: the benchmark reads one file.",
  ): string[] {
    return ["reflect", "--file", this.scratchFile(text)];
  }

  /** next → plan → edit → evaluate; returns evaluate's result (reflect is left to the caller). */
  async iteration(
    n: number,
    edit: Record<string, string>,
  ): Promise<Record<string, unknown> & { decision: string }> {
    await this.ok(["next"]);
    await this.ok(this.planArgs(valuePlan(n)));
    this.write(edit);
    return this.ok(["evaluate"]);
  }

  override remove(): void {
    rmSync(this.scratch, { recursive: true, force: true });
    super.remove();
  }
}
