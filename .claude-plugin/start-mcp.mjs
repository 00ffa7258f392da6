#!/usr/bin/env node
// Starts `auto-optimize mcp` from the checkout this plugin was installed from. A fresh clone has no
// build yet, and an updated one may have an old build: dependencies are installed when missing or
// older than the lockfile, and the sources compiled when newer than the build. Whatever npm and
// tsc print goes to stderr, since stdout belongs to the MCP protocol.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const main = join(root, "dist", "cli", "main.js");
const modules = join(root, "node_modules");

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);

function newest(dir) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : mtime(path));
  }
  return latest;
}

function run(command, args) {
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: ["ignore", process.stderr, process.stderr],
    shell: process.platform === "win32",
  });
  return result.status === 0;
}

function fail(what) {
  process.stderr.write(
    `auto-optimize: ${what} failed in ${root}; run 'npm ci && npm run build' there, then restart the MCP server.\n`,
  );
  process.exit(1);
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const tsc = join(modules, "typescript", "bin", "tsc");
if (
  !existsSync(tsc) ||
  mtime(join(root, "package-lock.json")) > mtime(join(modules, ".package-lock.json"))
) {
  process.stderr.write(`auto-optimize: installing the dependencies of ${root}…\n`);
  // A first install leaves out optional platform binaries (the Claude Code CLI of the tests).
  const first = existsSync(modules) ? [] : ["--omit=optional"];
  if (!run(npm, ["install", ...first, "--ignore-scripts", "--no-audit", "--no-fund"]))
    fail("npm install");
}
if (!existsSync(main) || newest(join(root, "src")) > mtime(main)) {
  process.stderr.write(`auto-optimize: building ${root}…\n`);
  if (!run(process.execPath, [tsc, "-p", "tsconfig.build.json"]) || !existsSync(main))
    fail("the build");
}

process.argv = [process.argv[0], main, "mcp", ...process.argv.slice(2)];
await import(pathToFileURL(main).href);
