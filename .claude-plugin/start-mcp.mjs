#!/usr/bin/env node
// Starts `auto-optimize mcp` from the checkout this plugin was installed from. A fresh clone has no
// build yet: it is built once (dependencies without the optional platform binaries, then tsc),
// with everything the build prints sent to stderr, since stdout belongs to the MCP protocol.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const main = join(root, "dist", "cli", "main.js");

function run(command, args) {
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: ["ignore", process.stderr, process.stderr],
    shell: process.platform === "win32",
  });
  return result.status === 0;
}

if (!existsSync(main)) {
  process.stderr.write(`auto-optimize: building ${root} once for the MCP server…\n`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const install = existsSync(join(root, "package-lock.json")) ? "ci" : "install";
  const installed = run(npm, [
    install,
    "--omit=optional",
    "--ignore-scripts",
    "--no-audit",
    "--no-fund",
  ]);
  const built =
    installed &&
    run(process.execPath, [
      join(root, "node_modules", "typescript", "bin", "tsc"),
      "-p",
      "tsconfig.build.json",
    ]);
  if (!built || !existsSync(main)) {
    process.stderr.write(
      `auto-optimize: could not build the MCP server in ${root}; run 'npm ci && npm run build' there and restart.\n`,
    );
    process.exit(1);
  }
}

process.argv = [process.argv[0], main, "mcp", ...process.argv.slice(2)];
await import(pathToFileURL(main).href);
