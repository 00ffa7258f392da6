import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder of the fake `claude`, `codex` and `aider` scripts (see its common.mjs). */
export const FAKE_BIN = fileURLToPath(new URL("../fixtures/fake-cli", import.meta.url));

export interface RecordedCall {
  cli: string;
  argv: string[];
  cwd: string;
  task: "plan" | "apply" | "reflect" | "unknown";
  refused: boolean;
  secretNames: string[];
}

/** A scratch folder for what the fakes record, and the environment that puts them first on PATH. */
export class FakeCli {
  readonly dir = mkdtempSync(join(tmpdir(), "auto-optimize-fake-cli-"));
  readonly recordPath = join(this.dir, "calls.jsonl");
  readonly pidPath = join(this.dir, "child.pid");

  env(scenario = "keep", extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      PATH: `${FAKE_BIN}${delimiter}${process.env.PATH ?? ""}`,
      FAKE_CLI_SCENARIO: scenario,
      FAKE_CLI_RECORD: this.recordPath,
      FAKE_CLI_PIDFILE: this.pidPath,
      ...extra,
    };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  calls(): RecordedCall[] {
    if (!existsSync(this.recordPath)) return [];
    return readFileSync(this.recordPath, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as RecordedCall);
  }
}

/** PATH without any folder that holds `binary`, for the missing-binary case. */
export function pathWithout(binary: string): string {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => dir && !existsSync(join(dir, binary)))
    .join(delimiter);
}

/** Every file under `dir`, recursively, with its text. */
export function filesUnder(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, text: readFileSync(path, "utf8") });
  }
  return out;
}
