import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { agentLog, FAKE_ANTHROPIC_KEY } from "./helpers/fake-llm-run.js";
import { FakeLlmServer } from "./helpers/fake-llm-server.js";
import { valueAnswers } from "./helpers/loop-repo.js";
import { TempRepo } from "./helpers/temp-repo.js";

let repo: TempRepo;
let server: FakeLlmServer;
afterEach(async () => {
  await server?.stop();
  repo?.remove();
});

const write = (path: string, content: string) => ({
  tools: [{ name: "write_file", input: { path, content } }],
});
/** init with a model writing what `answers` leave out, against the fake server. */
const initWithModel = (answers: string[]) =>
  runCli(
    ["init", ...answers, "--agent", "llm", "--model", "anthropic:claude-haiku-4-5"],
    repo.dir,
    { env: { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY, ANTHROPIC_BASE_URL: server.url } },
  );
const finish = (command: string, files: string[]) => ({
  tools: [{ name: "finish", input: { command, files } }],
});

describe("llm agent writes missing infrastructure at init", () => {
  it("two independent contexts write the tests and the benchmark; only the one that failed its dry-run is asked again, with the failure", async () => {
    repo = new TempRepo();
    repo.commit("project", { "src/value.txt": "100\n", "README.md": "a project\n" });
    server = await new FakeLlmServer({
      "infrastructure-test": [
        write("test/value.sh", "grep -q '^[0-9][0-9]*$' src/value.txt\n"),
        // an existing file of the repository may not be changed
        write("README.md", "rewritten\n"),
        finish("sh test/value.sh", ["test/value.sh"]),
      ],
      "infrastructure-bench": [
        write("bench/value.sh", "echo warming up >&2\necho nothing to see\n"),
        finish("sh bench/value.sh", ["bench/value.sh"]),
        write(
          "bench/value.sh",
          'cat src/value.txt >/dev/null\necho "value: $(cat src/value.txt)"\n',
        ),
        finish("sh bench/value.sh", ["bench/value.sh"]),
      ],
    }).start();
    const result = await initWithModel(valueAnswers({}));
    expect(result.code, result.stderr).toBe(0);
    expect(server.of("infrastructure-test")).toHaveLength(3);
    const bench = server.of("infrastructure-bench");
    expect(bench).toHaveLength(4);
    // the retry is a fresh context told why the first benchmark failed
    expect(bench[2]?.text).toContain("failed the program's dry-run");
    expect(bench[2]?.text).toContain("nothing to see");
    expect(bench[2]?.body.messages).toHaveLength(1); // a fresh conversation
    expect(server.of("infrastructure-test")[2]?.last).toMatch(
      /refused: README\.md: an existing file of the repository/,
    );
    const [name] = readdirSync(join(repo.dir, "experiments"));
    const dir = join(repo.dir, "experiments", name as string);
    const experiment = JSON.parse(readFileSync(join(dir, "experiment.json"), "utf8"));
    expect(experiment.commands).toMatchObject({
      test: "sh test/value.sh",
      bench: "sh bench/value.sh",
    });
    // the model chosen at init is the one run uses without flags; no key is kept
    expect(experiment.agent).toEqual({ name: "llm", model: "anthropic:claude-haiku-4-5" });
    expect(readFileSync(join(dir, "experiment.json"), "utf8")).not.toContain(FAKE_ANTHROPIC_KEY);
    const hashes = JSON.parse(readFileSync(join(dir, "protected.json"), "utf8"));
    expect(Object.keys(hashes)).toEqual(
      expect.arrayContaining(["test/value.sh", "bench/value.sh"]),
    );
    expect(readFileSync(join(repo.dir, "README.md"), "utf8")).toBe("a project\n");
    const log = join(repo.dir, ".git", "auto-optimize", "init-agent-log.jsonl");
    expect(existsSync(log)).toBe(true);
    expect(agentLog(log).filter((e) => e.kind === "tool-call").length).toBe(7);
  });
});

describe("llm agent proposes a behaviour check at init", () => {
  const finishWithCheck = (command: string, files: string[], check: string) => ({
    tools: [{ name: "finish", input: { command, files, check } }],
  });

  it("the context writing the tests proposes the check: it is dry-run, kept in experiment.json and its files are protected", async () => {
    repo = new TempRepo();
    repo.commit("project", { "src/value.txt": "100\n" });
    server = await new FakeLlmServer({
      "infrastructure-test": [
        write("test/value.sh", "grep -q '^[0-9][0-9]*$' src/value.txt\n"),
        write("checks/print-value.sh", 'echo "value is $(cat src/value.txt)"\n'),
        finishWithCheck("sh test/value.sh", ["test/value.sh"], "sh checks/print-value.sh"),
      ],
      "infrastructure-bench": [
        write("bench/value.sh", 'echo "value: $(cat src/value.txt)"\n'),
        finishWithCheck("sh bench/value.sh", ["bench/value.sh"], "echo ignored"),
      ],
    }).start();
    const result = await initWithModel(valueAnswers({}));
    expect(result.code, result.stderr).toBe(0);
    // asked of the tests' context only, in its instructions and its task
    const [test] = server.of("infrastructure-test");
    expect(test?.system).toMatch(/You also write a behaviour check/);
    expect(test?.text).toMatch(/give its command as `check`/);
    expect(server.of("infrastructure-bench")[0]?.system).not.toMatch(/behaviour check/);
    const [name] = readdirSync(join(repo.dir, "experiments"));
    const dir = join(repo.dir, "experiments", name as string);
    const experiment = JSON.parse(readFileSync(join(dir, "experiment.json"), "utf8"));
    expect(experiment.commands).toMatchObject({
      test: "sh test/value.sh",
      bench: "sh bench/value.sh",
      check: "sh checks/print-value.sh",
    });
    const hashes = JSON.parse(readFileSync(join(dir, "protected.json"), "utf8"));
    expect(Object.keys(hashes)).toContain("checks/print-value.sh");
    expect(result.stdout).toMatch(/check: +'sh checks\/print-value\.sh' printed the same 1 line/);
  });

  it("a proposed check that fails its dry-run is left out with a warning; init goes on", async () => {
    repo = new TempRepo();
    repo.commit("project", { "src/value.txt": "100\n" });
    server = await new FakeLlmServer({
      "infrastructure-test": [
        write("test/value.sh", "grep -q '^[0-9][0-9]*$' src/value.txt\n"),
        finishWithCheck("sh test/value.sh", ["test/value.sh"], "od -An -tu4 -N4 /dev/urandom"),
      ],
    }).start();
    const result = await initWithModel(valueAnswers({ bench: "cat src/value.txt" }));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /warning: the behaviour check the agent proposed \('od -An -tu4 -N4 \/dev\/urandom'\) failed its dry-run, so the experiment has none; give one with --check\. .*printed different output on two runs/,
    );
    const [name] = readdirSync(join(repo.dir, "experiments"));
    const experiment = JSON.parse(
      readFileSync(join(repo.dir, "experiments", name as string, "experiment.json"), "utf8"),
    );
    expect(experiment.commands.check).toBeUndefined();
  });
});
