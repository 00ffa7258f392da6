import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { CLI } from "./helpers/cli.js";
import { valuePlan } from "./helpers/host.js";
import { TempRepo } from "./helpers/temp-repo.js";

let repo: TempRepo;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  repo?.remove();
});

describe("mcp over stdio: the built binary as a subprocess", () => {
  it("runs an experiment end to end with protocol alone on stdout and logs on stderr", async () => {
    repo = new TempRepo();
    repo.commit("project", {
      "src/value.txt": "100\n",
      "test/check.sh": "! grep -q broken src/*.txt\n",
    });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "mcp"],
      cwd: repo.dir,
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const errors: Error[] = [];
    client = new Client({ name: "test-host", version: "1.0.0" });
    client.onerror = (error) => errors.push(error);
    await client.connect(transport);
    expect(client.getServerVersion()).toMatchObject({ name: "auto-optimize" });

    let progressed = 0;
    const call = async (name: string, args: Record<string, unknown> = {}) => {
      const result = (await client?.callTool({ name, arguments: args }, undefined, {
        onprogress: () => {
          progressed++;
        },
        timeout: 300_000,
        resetTimeoutOnProgress: true,
      })) as CallToolResult;
      const text = result.content.map((c) => (c.type === "text" ? c.text : "")).join("");
      expect(result.isError, `${name}: ${text}`).toBeFalsy();
      return result.structuredContent as Record<string, unknown>;
    };

    await call("init_experiment", {
      goal: "make value smaller",
      scope: ["src/**"],
      metric: "value",
      direction: "lower",
      target: 50,
      threshold: 0.01,
      iterations: 2,
      test: "sh test/check.sh",
      bench: "cat src/value.txt",
    });
    await call("lock_baseline");
    expect(progressed).toBeGreaterThan(0);

    const values = ["80\n", "90\n"];
    const decisions: string[] = [];
    for (const [index, value] of values.entries()) {
      const next = await call("next_iteration");
      expect(next.iteration).toBe(index + 1);
      await call("submit_plan", { plan: valuePlan(index + 1) });
      repo.write({ "src/value.txt": value });
      const evaluated = await call("evaluate");
      decisions.push(String(evaluated.decision));
      await call("reflect", { reflexion: `Iteration ${index + 1}: ${value.trim()} was measured.` });
    }
    expect(decisions).toEqual(["keep", "drop"]);
    const stop = await call("next_iteration");
    expect(stop.stop).toBe("iteration budget spent (2)");
    const report = await call("report", { rounds: 6 });
    expect(readFileSync(String(report.path), "utf8")).toMatch(/make value smaller/);
    expect(repo.git("status", "--porcelain")).toBe("");

    expect(errors).toEqual([]);
    expect(stderr).toMatch(/auto-optimize mcp: serving /);
    expect(stderr).toMatch(/auto-optimize mcp: evaluate: done/);
  });

  it("writes nothing but JSON-RPC messages to stdout, even for a refused call", async () => {
    repo = new TempRepo();
    repo.commit("project", { "README.md": "no experiment here\n" });
    const child = spawn(process.execPath, [CLI, "mcp"], { cwd: repo.dir });
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "raw", version: "1" },
      },
    });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "status", arguments: {} },
    });
    send({ jsonrpc: "2.0", id: 3, method: "tools/list" });
    await new Promise<void>((resolve) => {
      const check = () => (stdout.split("\n").filter(Boolean).length >= 3 ? resolve() : undefined);
      child.stdout.on("data", check);
      check();
    });
    child.stdin.end();
    const exited = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(exited).toBe(0);
    const messages = stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id?: number; result?: Record<string, unknown> });
    expect(messages.map((m) => m.id).sort()).toEqual([1, 2, 3]);
    const status = messages.find((m) => m.id === 2)?.result;
    expect(status).toMatchObject({ isError: true });
    expect(JSON.stringify(status)).toMatch(/no unfinished experiment/);
  });
});
