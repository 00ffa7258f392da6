import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, describe, expect, it } from "vitest";
import { createMcpServer } from "../src/mcp/server.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLAUDE = join(ROOT, "node_modules", ".bin", "claude");
const PLUGIN_FILES = [
  ".claude-plugin",
  "commands",
  "agents",
  "skills",
  ".mcp.json",
  "package.json",
];

const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const json = (path: string) => JSON.parse(read(path)) as Record<string, unknown>;

/** The YAML front matter of a Markdown file as flat `key: value` pairs, and the body. */
function frontMatter(path: string): { fields: Record<string, string>; body: string } {
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(read(path));
  expect(match, `${path} starts with front matter`).not.toBeNull();
  const fields: Record<string, string> = {};
  for (const line of (match?.[1] ?? "").split("\n")) {
    const at = line.indexOf(": ");
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 2);
  }
  return { fields, body: match?.[2] ?? "" };
}

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

describe("plugin: the documented formats", () => {
  it("has a plugin manifest and a marketplace that lists it from this repository", () => {
    const plugin = json(".claude-plugin/plugin.json");
    expect(plugin.name).toBe("auto-optimize");
    expect(plugin.name).toMatch(KEBAB);
    expect(plugin.version).toBe(json("package.json").version);
    expect(String(plugin.description).length).toBeGreaterThan(40);
    const marketplace = json(".claude-plugin/marketplace.json");
    expect(marketplace.name).toMatch(KEBAB);
    expect(marketplace.owner).toMatchObject({ name: expect.any(String) });
    expect(marketplace.plugins).toEqual([
      expect.objectContaining({ name: "auto-optimize", source: "./", version: plugin.version }),
    ]);
  });

  it("has the /auto-optimize command taking the goal, a skill, a planner and an executor", () => {
    const command = frontMatter("commands/auto-optimize.md");
    expect(command.fields.description).toBeTruthy();
    expect(command.fields["argument-hint"]).toMatch(/goal/);
    expect(command.body).toContain("$ARGUMENTS");

    const skills = readdirSync(join(ROOT, "skills"));
    expect(skills).toEqual(["optimization-protocol"]);
    const skill = frontMatter("skills/optimization-protocol/SKILL.md");
    expect(skill.fields.name).toBe("optimization-protocol");
    expect(skill.fields.description?.length).toBeGreaterThan(80);

    const agents = readdirSync(join(ROOT, "agents")).sort();
    expect(agents).toEqual(["optimization-executor.md", "optimization-planner.md"]);
    for (const file of agents) {
      const agent = frontMatter(`agents/${file}`);
      expect(agent.fields.name).toBe(basename(file, ".md"));
      expect(agent.fields.description, file).toBeTruthy();
      expect(agent.fields.tools, file).toBeTruthy();
      // Each subagent is named in the protocol the skill teaches.
      expect(skill.body).toContain(agent.fields.name);
    }
    expect(read("agents/optimization-planner.md")).toMatch(
      /Step-Back.*Chain-of-Thought.*Self-Consistency.*Pre-mortem/s,
    );
  });

  it("teaches exactly the protocol the MCP server implements", async () => {
    const server = createMcpServer({ cwd: ROOT, version: "0.0.0-test" });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: "plugin-test", version: "1.0.0" });
    await client.connect(clientSide);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    await client.close();

    const skill = read("skills/optimization-protocol/SKILL.md");
    const named = [...skill.matchAll(/`([a-z]+(?:_[a-z]+)+|status|evaluate|reflect|report)`/g)].map(
      (m) => m[1] as string,
    );
    expect(new Set(named)).toEqual(new Set(tools));
    // The order of the steps as the skill gives it.
    const order = ["next_iteration", "submit_plan", "evaluate", "reflect"].map((t) =>
      skill.indexOf(`**\`${t}\`**`),
    );
    expect(order.every((at) => at > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("starts the MCP server from the plugin root with node", () => {
    const mcp = json(".mcp.json") as {
      mcpServers: Record<string, { command: string; args: string[] }>;
    };
    const server = mcp.mcpServers["auto-optimize"];
    expect(server?.command).toBe("node");
    // Claude Code replaces ${CLAUDE_PLUGIN_ROOT} with where the plugin was installed from.
    const root = ["$", "{CLAUDE_PLUGIN_ROOT}"].join("");
    expect(server?.args).toEqual([`${root}/.claude-plugin/start-mcp.mjs`]);
    expect(existsSync(join(ROOT, ".claude-plugin/start-mcp.mjs"))).toBe(true);
  });
});

describe("plugin: the real Claude Code CLI (the devDependency, offline, in a temporary HOME)", () => {
  const home = mkdtempSync(join(tmpdir(), "auto-optimize-claude-home-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  // Nothing from this environment (keys, config dirs) reaches the CLI.
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
  };
  const claude = (args: string[], cwd = home) => {
    const result = spawnSync(CLAUDE, args, { cwd, env, encoding: "utf8", timeout: 120_000 });
    return { code: result.status, out: `${result.stdout}${result.stderr}` };
  };

  it("validates the marketplace and the plugin with --strict", () => {
    const marketplace = claude(["plugin", "validate", "--strict", ROOT]);
    expect(marketplace.out).toMatch(/Validating marketplace manifest/);
    expect(marketplace.out).toMatch(/Validation passed/);
    expect(marketplace.code, marketplace.out).toBe(0);
    const plugin = claude([
      "plugin",
      "validate",
      "--strict",
      join(ROOT, ".claude-plugin/plugin.json"),
    ]);
    expect(plugin.out).toMatch(/Validating plugin manifest/);
    expect(plugin.code, plugin.out).toBe(0);
  });

  it("adds the marketplace from a local path, installs the plugin, and connects to its MCP server", () => {
    // What a clone of this repository holds for the plugin, with the build the server runs from.
    const source = mkdtempSync(join(tmpdir(), "auto-optimize-plugin-"));
    try {
      for (const path of PLUGIN_FILES)
        cpSync(join(ROOT, path), join(source, path), { recursive: true });
      cpSync(join(ROOT, "dist"), join(source, "dist"), { recursive: true });
      symlinkSync(join(ROOT, "node_modules"), join(source, "node_modules"));

      const added = claude(["plugin", "marketplace", "add", source]);
      expect(added.code, added.out).toBe(0);
      expect(added.out).toMatch(/Successfully added marketplace: auto-optimize/);
      const installed = claude(["plugin", "install", "auto-optimize@auto-optimize"]);
      expect(installed.code, installed.out).toBe(0);
      expect(installed.out).toMatch(/Successfully installed plugin: auto-optimize@auto-optimize/);

      const list = claude(["plugin", "list"]);
      expect(list.out).toMatch(/auto-optimize@auto-optimize[\s\S]*Version: 0\.1\.0[\s\S]*enabled/);
      const details = claude(["plugin", "details", "auto-optimize@auto-optimize"]);
      expect(details.out).toMatch(/Skills \(2\)\s+auto-optimize, optimization-protocol/);
      expect(details.out).toMatch(/Agents \(2\)\s+optimization-planner, optimization-executor/);
      expect(details.out).toMatch(/MCP servers \(1\)\s+auto-optimize/);

      const project = mkdtempSync(join(tmpdir(), "auto-optimize-project-"));
      const servers = claude(["mcp", "list"], project);
      rmSync(project, { recursive: true, force: true });
      expect(servers.out).toMatch(
        /plugin:auto-optimize:auto-optimize: node .*start-mcp\.mjs - ✔ Connected/,
      );
    } finally {
      rmSync(source, { recursive: true, force: true });
    }
  });
});
