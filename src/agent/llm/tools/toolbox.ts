import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type Tool, tool } from "ai";
import { z } from "zod";
import { runProcess } from "../../../measure/run-process.js";
import type { Redactor } from "../../../secrets.js";
import { listFiles } from "../../../workspace/files.js";
import type { AgentLog } from "../../agent-log.js";
import { clip } from "../../clip.js";
import { confine, ToolRefusal } from "./confine.js";

/** Everything a tool returns to the model is cut to this, in one place (`ToolBox.run`). */
export const MAX_TOOL_OUTPUT = 16_000;
const MAX_FILE_BYTES = 1_000_000;
const MAX_LISTED = 400;
const MAX_MATCHES = 150;

export interface ToolBoxOptions {
  /** The only folder the tools see: the candidate worktree (or the repository, at init). */
  root: string;
  /** Why `rel` may not be written, or null when it may (scope, protected files). */
  canWrite: (rel: string) => string | null;
  /** The commands run_command accepts, exactly as written (empty: no run_command tool). */
  commands: string[];
  commandTimeoutMs: number;
  /** The commands' environment, credentials already removed. */
  env: NodeJS.ProcessEnv;
  redactor: Redactor;
  log: AgentLog;
  /** The context's name in the log. */
  context: string;
}

const inputs = {
  read_file: z.object({
    path: z.string().describe("relative to the worktree root"),
    startLine: z.number().int().min(1).optional().describe("first line to show (1-based)"),
    endLine: z.number().int().min(1).optional().describe("last line to show"),
  }),
  list_files: z.object({
    path: z.string().optional().describe("a folder relative to the worktree root (default: all)"),
  }),
  search_text: z.object({
    pattern: z.string().min(1).describe("a JavaScript regular expression"),
    path: z.string().optional().describe("a folder or file to search in (default: all)"),
  }),
  edit_file: z.object({
    path: z.string(),
    oldText: z.string().min(1).describe("text that occurs exactly once in the file"),
    newText: z.string().describe("its replacement"),
  }),
  write_file: z.object({
    path: z.string(),
    content: z.string().describe("the whole new content of the file"),
  }),
  run_command: z.object({
    command: z.string().describe("one of the allowed commands, exactly as listed"),
  }),
};

export type ToolName = keyof typeof inputs;

/**
 * The executor's tools, confined to one folder: read, list, search, edit (an exact replacement
 * that must match once), write, and run one of the allowed commands with a timeout and without
 * credentials in its environment. Tools are described to the model here and run by `run`, which
 * logs each call and cuts its output.
 */
export class ToolBox {
  /** Files written or edited, relative to the root. */
  readonly written = new Set<string>();
  readonly names: ToolName[];

  constructor(
    private readonly options: ToolBoxOptions,
    names: ToolName[] = Object.keys(inputs) as ToolName[],
  ) {
    this.names = names.filter((n) => n !== "run_command" || options.commands.length > 0);
  }

  definitions(): Record<string, Tool> {
    const descriptions: Record<ToolName, string> = {
      read_file: "Read a text file (optionally a range of lines).",
      list_files: "List the files of the worktree, or of one folder in it.",
      search_text: "Search the worktree's files for a regular expression; returns file:line: text.",
      edit_file:
        "Replace oldText by newText in a file. oldText must occur exactly once: include enough surrounding lines to make it unique.",
      write_file: "Create a file or replace its whole content.",
      run_command: `Run one of these commands in the worktree root and see its exit code and output: ${this.options.commands.map((c) => `\`${c}\``).join(", ")}`,
    };
    return Object.fromEntries(
      this.names.map((name) => [
        name,
        tool({ description: descriptions[name], inputSchema: inputs[name] as z.ZodType<unknown> }),
      ]),
    );
  }

  /** Runs one tool call; refusals and failures are answers to the model, never exceptions. */
  async run(name: string, input: unknown): Promise<{ output: string; ok: boolean }> {
    const started = Date.now();
    let output: string;
    let ok = true;
    try {
      output = await this.dispatch(name, input);
    } catch (error) {
      ok = false;
      output =
        error instanceof ToolRefusal
          ? `refused: ${error.message}`
          : `error: ${error instanceof Error ? error.message : String(error)}`;
    }
    return this.record(name, input, output, ok, started);
  }

  /** Redacts, cuts and logs a tool's answer (also for tools the caller handles itself). */
  record(
    name: string,
    input: unknown,
    raw: string,
    ok: boolean,
    started = Date.now(),
  ): { output: string; ok: boolean } {
    const output = truncate(this.options.redactor.text(raw));
    this.options.log.write({
      kind: "tool-call",
      context: this.options.context,
      tool: name,
      input,
      ok,
      ms: Date.now() - started,
      output,
    });
    return { output, ok };
  }

  private async dispatch(name: string, raw: unknown): Promise<string> {
    if (!(this.names as string[]).includes(name)) {
      throw new ToolRefusal(`no tool '${name}'; the tools are ${this.names.join(", ")}`);
    }
    const parsed = inputs[name as ToolName].safeParse(raw);
    if (!parsed.success) {
      throw new ToolRefusal(
        `bad input for ${name}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ")}`,
      );
    }
    const input = parsed.data as Record<string, unknown>;
    switch (name as ToolName) {
      case "read_file":
        return this.read(input as z.infer<typeof inputs.read_file>);
      case "list_files":
        return this.list(input as z.infer<typeof inputs.list_files>);
      case "search_text":
        return this.search(input as z.infer<typeof inputs.search_text>);
      case "edit_file":
        return this.edit(input as z.infer<typeof inputs.edit_file>);
      case "write_file":
        return this.write(input as z.infer<typeof inputs.write_file>);
      case "run_command":
        return this.command(input as z.infer<typeof inputs.run_command>);
    }
  }

  private readText(full: string, rel: string): string {
    if (!existsSync(full) || !statSync(full).isFile())
      throw new ToolRefusal(`${rel}: no such file`);
    if (statSync(full).size > MAX_FILE_BYTES) throw new ToolRefusal(`${rel}: larger than 1 MB`);
    return readFileSync(full, "utf8");
  }

  private read({ path, startLine, endLine }: z.infer<typeof inputs.read_file>): string {
    const { full, rel } = confine(this.options.root, path);
    const text = this.readText(full, rel);
    if (startLine === undefined && endLine === undefined) return text;
    const lines = text.split("\n");
    const from = startLine ?? 1;
    const to = Math.min(endLine ?? lines.length, lines.length);
    return `${rel} lines ${from}-${to} of ${lines.length}:\n${lines.slice(from - 1, to).join("\n")}`;
  }

  private async files(path: string | undefined): Promise<string[]> {
    const all = await listFiles(this.options.root);
    if (!path || path.trim() === "" || path.trim() === ".") return all;
    const { rel } = confine(this.options.root, path);
    return all.filter((f) => f === rel || f.startsWith(`${rel}/`));
  }

  private async list({ path }: z.infer<typeof inputs.list_files>): Promise<string> {
    const files = await this.files(path);
    if (files.length === 0) return "(no files)";
    const shown = files.slice(0, MAX_LISTED).join("\n");
    return files.length > MAX_LISTED ? `${shown}\n… and ${files.length - MAX_LISTED} more` : shown;
  }

  private async search({ pattern, path }: z.infer<typeof inputs.search_text>): Promise<string> {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern);
    } catch (error) {
      throw new ToolRefusal(`bad regular expression: ${(error as Error).message}`);
    }
    const matches: string[] = [];
    for (const rel of await this.files(path)) {
      const { full } = confine(this.options.root, rel);
      if (!existsSync(full) || !statSync(full).isFile() || statSync(full).size > MAX_FILE_BYTES)
        continue;
      const text = readFileSync(full, "utf8");
      if (text.includes("\0")) continue;
      const lines = text.split("\n");
      for (let i = 0; i < lines.length; i++) {
        if (regex.test(lines[i] as string)) {
          matches.push(`${rel}:${i + 1}: ${(lines[i] as string).slice(0, 300)}`);
          if (matches.length >= MAX_MATCHES) return `${matches.join("\n")}\n… (more matches cut)`;
        }
      }
    }
    return matches.length ? matches.join("\n") : "(no match)";
  }

  private writable(path: string): { full: string; rel: string } {
    const target = confine(this.options.root, path);
    const problem = this.options.canWrite(target.rel);
    if (problem) throw new ToolRefusal(`${target.rel}: ${problem}`);
    return target;
  }

  private edit({ path, oldText, newText }: z.infer<typeof inputs.edit_file>): string {
    const { full, rel } = this.writable(path);
    const text = this.readText(full, rel);
    const count = text.split(oldText).length - 1;
    if (count !== 1) {
      throw new ToolRefusal(
        count === 0
          ? `${rel}: oldText does not occur in the file; read it again and copy the text exactly`
          : `${rel}: oldText occurs ${count} times; include more surrounding text so it occurs once`,
      );
    }
    const index = text.indexOf(oldText);
    writeFileSync(full, text.slice(0, index) + newText + text.slice(index + oldText.length));
    this.written.add(rel);
    return `edited ${rel}`;
  }

  private write({ path, content }: z.infer<typeof inputs.write_file>): string {
    const { full, rel } = this.writable(path);
    if (existsSync(full) && !statSync(full).isFile()) throw new ToolRefusal(`${rel} is a folder`);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    this.written.add(rel);
    return `wrote ${rel} (${content.length} characters)`;
  }

  private async command({ command }: z.infer<typeof inputs.run_command>): Promise<string> {
    const wanted = squash(command);
    const allowed = this.options.commands.find((c) => squash(c) === wanted);
    if (!allowed) {
      throw new ToolRefusal(
        `'${command}' is not an allowed command; allowed: ${this.options.commands.map((c) => `\`${c}\``).join(", ")}`,
      );
    }
    const run = await runProcess("sh", ["-c", allowed], {
      cwd: this.options.root,
      env: this.options.env,
      timeoutMs: this.options.commandTimeoutMs,
      maxOutputBytes: 256 * 1024,
    });
    if (run.spawnError) return `could not start: ${run.spawnError.message}`;
    const status = run.timedOut
      ? `timed out after ${this.options.commandTimeoutMs / 1000} s`
      : run.signal
        ? `killed by ${run.signal}`
        : `exit code ${run.exitCode}`;
    const stdout = run.stdout.truncated ? run.stdout.tailText() : run.stdout.text();
    const stderr = run.stderr.truncated ? run.stderr.tailText() : run.stderr.text();
    return [
      `$ ${allowed}`,
      status,
      ...(stdout.trim() ? ["--- stdout ---", stdout.trimEnd()] : []),
      ...(stderr.trim() ? ["--- stderr ---", stderr.trimEnd()] : []),
    ].join("\n");
  }
}

function squash(command: string): string {
  return command.trim().replace(/\s+/g, " ");
}

/** Keeps the head and the tail: a test's verdict is usually at the end. */
export function truncate(text: string, max = MAX_TOOL_OUTPUT): string {
  return clip(text, max);
}
