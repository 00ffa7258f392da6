import { spawn } from "node:child_process";

export interface GitResult {
  code: number;
  /** Raw bytes: patches need not be UTF-8, and their trailing whitespace matters. */
  stdout: Buffer;
  stderr: string;
}

/** Runs git with `input` on its stdin; never throws for a non-zero exit (the caller reads it). */
export function gitInput(
  args: readonly string[],
  cwd: string,
  input: string | Buffer,
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    // git may exit before reading everything (a malformed patch); that is its answer, not ours.
    child.stdin.on("error", () => {});
    child.on("close", (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString("utf8"),
      }),
    );
    child.stdin.end(input);
  });
}
