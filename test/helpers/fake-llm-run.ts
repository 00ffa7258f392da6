import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "./cli.js";
import type { FakeLlmServer } from "./fake-llm-server.js";
import type { LoopRepo } from "./loop-repo.js";

export const FAKE_ANTHROPIC_KEY = "sk-ant-fake-key-0123456789";
export const FAKE_OPENAI_KEY = "sk-fake-openai-key-9876543210";
/** The model most llm tests run with. */
export const SONNET = ["--model", "anthropic:claude-sonnet-4-5"];

/** `auto-optimize run --agent llm` on the repo, every provider pointed at the fake server. */
export function runLlm(
  repo: LoopRepo,
  server: FakeLlmServer,
  extra: string[],
  env: NodeJS.ProcessEnv = {},
) {
  return runCli(["run", "--agent", "llm", "--no-report", ...extra], repo.dir, {
    env: {
      ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
      ANTHROPIC_BASE_URL: server.url,
      OPENAI_API_KEY: FAKE_OPENAI_KEY,
      OPENAI_BASE_URL: server.url,
      ...env,
    },
  });
}

export function iterationDir(repo: LoopRepo, n = 1): string {
  const dir = join(repo.experimentDir(), "iterations");
  const folder = readdirSync(dir)
    .sort()
    .find((f) => f.startsWith(`iter-${String(n).padStart(3, "0")}-`));
  if (!folder) throw new Error(`no folder for iteration ${n} in ${dir}`);
  return join(dir, folder);
}

export interface LogEntry {
  kind: string;
  context?: string;
  tool?: string;
  input?: unknown;
  output?: unknown;
  ok?: boolean;
  attempt?: number;
  retry?: boolean;
  error?: string;
  usd?: number;
}

export function agentLog(path: string): LogEntry[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as LogEntry);
}

/** Every file under `dir` (git's compressed objects aside) whose text contains `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (full.endsWith(join(".git", "objects"))) continue;
      const stat = statSync(full, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) walk(full);
      else if (stat.isFile() && readFileSync(full, "utf8").includes(needle)) found.push(full);
    }
  };
  walk(dir);
  return found;
}
