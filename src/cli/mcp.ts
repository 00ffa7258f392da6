import { readFileSync } from "node:fs";
import type { Command } from "commander";

export function registerMcp(program: Command): void {
  program
    .command("mcp")
    .description(
      "Serve host mode over MCP on stdio: init, status, lock the baseline, next iteration, submit plan, evaluate, reflect, report. Logs go to stderr; stdout carries the protocol alone.",
    )
    .option(
      "--repository <path>",
      "the repository tools work on when a call names none (default: the working directory)",
    )
    .action(async (flags: { repository?: string }) => {
      // stdout is the protocol's: anything printed by mistake goes to stderr instead.
      for (const name of ["log", "info", "debug", "warn"] as const) console[name] = console.error;
      const log = (line: string) => process.stderr.write(`auto-optimize mcp: ${line}\n`);
      // The MCP SDK is loaded by this command alone: every other command starts without it.
      const [{ StdioServerTransport }, { createMcpServer }] = await Promise.all([
        import("@modelcontextprotocol/sdk/server/stdio.js"),
        import("../mcp/server.js"),
      ]);
      const { version } = JSON.parse(
        readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
      ) as { version: string };
      const server = createMcpServer({
        cwd: flags.repository ?? process.cwd(),
        version,
        log,
      });
      await server.connect(new StdioServerTransport());
      log(`serving ${flags.repository ?? process.cwd()} on stdio`);
      // The server answers until the client closes stdin; a step in progress finishes first.
    });
}
