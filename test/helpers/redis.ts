import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI } from "./cli.js";

export const REDIS_SERVER = "/usr/bin/redis-server";

/** Why the queue's tests cannot run here, or null: they need Debian's redis-server. */
export function redisMissing(): string | null {
  if (existsSync(REDIS_SERVER)) return null;
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return null;
  } catch {
    return "redis-server is not installed (apt-get install redis-server; .ci/run installs it)";
  }
}

/** A loopback port nobody listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** A throwaway redis-server on a free loopback port, persisting nothing, in a temporary folder. */
export class RedisServer {
  private constructor(
    private readonly process: ChildProcess,
    private readonly dir: string,
    readonly url: string,
  ) {}

  static async start(): Promise<RedisServer> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "auto-optimize-redis-"));
    const binary = existsSync(REDIS_SERVER) ? REDIS_SERVER : "redis-server";
    const child = spawn(
      binary,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    await new Promise<void>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (chunk) => {
        out += chunk;
        if (out.includes("Ready to accept connections")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
    return new RedisServer(child, dir, `redis://127.0.0.1:${port}`);
  }

  stop(): void {
    this.process.kill("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A real `auto-optimize worker` process; `log` is its stderr so far. */
export class WorkerProcess {
  log = "";
  readonly process: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(url: string, name: string, cacheDir: string, extra: string[] = []) {
    this.process = spawn(
      process.execPath,
      [
        CLI,
        "worker",
        "--queue",
        url,
        "--name",
        name,
        "--cache",
        cacheDir,
        "--lock-seconds",
        "2",
        ...extra,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    this.process.stderr?.on("data", (chunk) => {
      this.log += chunk;
    });
    this.exited = new Promise((resolve) => this.process.once("exit", () => resolve()));
  }

  /** Resolves once its log holds `text` (the worker printed it). */
  async waitFor(text: string, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.log.includes(text)) {
      if (Date.now() > until) throw new Error(`worker never printed '${text}':\n${this.log}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    this.process.kill(signal);
    await this.exited;
  }
}
