import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  agentLog,
  FAKE_ANTHROPIC_KEY,
  filesContaining,
  iterationDir,
  runLlm,
  SONNET,
} from "./helpers/fake-llm-run.js";
import { editValue, halvePlanning, REFLEXION } from "./helpers/fake-llm-script.js";
import { FakeLlmServer } from "./helpers/fake-llm-server.js";
import { LoopRepo } from "./helpers/loop-repo.js";

let repo: LoopRepo;
let server: FakeLlmServer;
let outside: string | undefined;
afterEach(async () => {
  await server?.stop();
  repo?.remove();
  if (outside) rmSync(outside, { recursive: true, force: true });
});

const PLAN = {
  ...halvePlanning(),
};

describe("llm executor: tools confined to the candidate worktree", () => {
  it("refuses '..', absolute paths, a symbolic link out of the worktree, protected and out-of-scope files, and commands not allowed — the model is told why, the iteration goes on", async () => {
    outside = mkdtempSync(join(tmpdir(), "auto-optimize-outside-"));
    repo = new LoopRepo();
    // a link committed inside the scope that leads out of the repository
    symlinkSync(outside, join(repo.dir, "src", "elsewhere"));
    repo.git("add", "-A");
    repo.git("commit", "--quiet", "-m", "a link out");
    expect((await repo.init()).code).toBe(0);
    const escapes = [
      { name: "read_file", input: { path: "../../../../etc/hostname" } },
      { name: "read_file", input: { path: "/etc/hostname" } },
      { name: "write_file", input: { path: "src/elsewhere/pwned.txt", content: "x" } },
      { name: "write_file", input: { path: "test/check.sh", content: "true\n" } },
      { name: "write_file", input: { path: "README.md", content: "faster\n" } },
      { name: "run_command", input: { command: "curl http://example.com" } },
      { name: "edit_file", input: { path: "src/value.txt", oldText: "7", newText: "8" } },
    ];
    server = await new FakeLlmServer({
      ...PLAN,
      executor: [{ tools: escapes }, ...editValue("100", "50")],
      reflexion: [REFLEXION],
    }).start();
    const result = await runLlm(repo, server, [...SONNET, "--iterations", "1"]);
    expect(result.code, result.stderr).toBe(0);
    expect(repo.decisions()).toEqual(["1:keep"]);
    const calls = agentLog(join(iterationDir(repo), "agent-log.jsonl")).filter(
      (e) => e.kind === "tool-call",
    );
    const outputs = calls.slice(0, escapes.length).map((c) => String(c.output));
    expect(outputs[0]).toMatch(/^refused: .*'\.\.' may not be used/);
    expect(outputs[1]).toMatch(/^refused: absolute path/);
    expect(outputs[2]).toMatch(/^refused: .*symbolic link leads outside the worktree/);
    expect(outputs[3]).toMatch(/^refused: test\/check\.sh: protected/);
    expect(outputs[4]).toMatch(/^refused: README\.md: outside the scope/);
    expect(outputs[5]).toMatch(/^refused: 'curl http:\/\/example\.com' is not an allowed command/);
    expect(outputs[6]).toMatch(/oldText does not occur/);
    expect(calls.slice(0, escapes.length).every((c) => c.ok === false)).toBe(true);
    // the refusals went back to the model as the tool results of its calls
    expect(server.of("executor")[1]?.text).toContain("may not be used");
    expect(existsSync(join(outside, "pwned.txt"))).toBe(false);
    expect(repo.file("test/check.sh")).toBe("! grep -q broken src/*.txt\n");
    expect(repo.file("README.md")).toBe("a project\n");
  });

  it("keeps secrets out: commands run without credential variables, and no key or secret reaches an artifact, a log or the model", async () => {
    const SECRET = "tok-super-secret-value-42";
    repo = new LoopRepo();
    expect((await repo.init()).code).toBe(0);
    server = await new FakeLlmServer({
      ...PLAN,
      executor: [
        { tools: [{ name: "run_command", input: { command: "env" } }] },
        ...editValue("100", "50"),
      ],
      reflexion: [
        // a model that repeats a secret it should never have seen: redacted on the way to disk
        {
          json: {
            whatSurprised: [`the key ${FAKE_ANTHROPIC_KEY} worked`],
            lessons: [`the token is ${SECRET}`],
            unexploredDirections: [],
          },
        },
      ],
    }).start();
    const result = await runLlm(
      repo,
      server,
      [...SONNET, "--iterations", "1", "--allow-command", "env"],
      { MY_SERVICE_TOKEN: SECRET, DB_PASSWORD: "hunter2-but-longer" },
    );
    expect(result.code, result.stderr).toBe(0);
    const calls = agentLog(join(iterationDir(repo), "agent-log.jsonl")).filter(
      (e) => e.kind === "tool-call",
    );
    const env = String(calls[0]?.output);
    expect(env).toMatch(/^\$ env\nexit code 0/);
    expect(env).toContain("PATH=");
    expect(env).not.toMatch(/MY_SERVICE_TOKEN|DB_PASSWORD|ANTHROPIC_API_KEY|OPENAI_API_KEY/);
    // what the model was sent back contains no secret either
    for (const request of server.requests) {
      expect(request.text).not.toContain(SECRET);
      expect(request.text).not.toContain("hunter2-but-longer");
      expect(request.text).not.toContain(FAKE_ANTHROPIC_KEY);
    }
    const reflexion = repo.file(
      join(iterationDir(repo), "reflexion.md").slice(repo.dir.length + 1),
    );
    expect(reflexion).toMatch(/the token is \[redacted [A-Z_]+\]/);
    for (const needle of [SECRET, FAKE_ANTHROPIC_KEY, "hunter2-but-longer"]) {
      expect(filesContaining(repo.dir, needle)).toEqual([]);
      expect(repo.git("log", "--all", "-p")).not.toContain(needle);
    }
  });
});
