import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { HostRepo, valuePlan } from "./helpers/host.js";
import { LoopRepo } from "./helpers/loop-repo.js";

/** Credentials in the CLI's environment; none may reach a command, a file of the experiment or a commit. */
const SECRETS: Record<string, string> = {
  ANTHROPIC_API_KEY: "anthropic-value-0451",
  DB_PASSWORD: "db-password-value-0452",
  SOME_TOKEN: "some-token-value-0453",
  AWS_SECRET_ACCESS_KEY: "aws-secret-value-0454",
  DATABASE_URL: "postgres://u:hunter2hunter2@db/x",
};
/** Let through by name: it reaches the commands, and its value is still redacted wherever written. */
const PASSED = { name: "DEPLOY_TOKEN", value: "deploy-token-value-0455" };

const scratch = mkdtempSync(join(tmpdir(), "auto-optimize-secrets-"));
const dump = join(scratch, "env.txt");
const saved = { ...process.env };

// runCli passes this process's environment to the CLI: every init, baseline, run and step sees it.
beforeAll(() => {
  Object.assign(process.env, SECRETS, {
    [PASSED.name]: PASSED.value,
    AUTO_OPTIMIZE_PASS_ENV: PASSED.name,
    ENV_DUMP: dump,
  });
});
afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * The commands' environment is the same confined or not; unconfined, the test can write what it
 * saw to ENV_DUMP outside its checkout (a sandboxed run cannot).
 */
const UNCONFINED = ["--unconfined"];

let repo: LoopRepo | undefined;
afterEach(() => {
  repo?.remove();
  repo = undefined;
});

/**
 * The tests fail on a "broken" file, printing their whole environment (also into ENV_DUMP) and,
 * last, so that it is in the output's tail, the variable let through.
 */
const PRINTING_TEST = `if grep -q broken src/*.txt; then
  env > "$ENV_DUMP"; env; echo "${PASSED.name}=$${PASSED.name}"; exit 1
fi
`;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every secret value stays out of the experiment's files and of every commit; the command saw the passed one only. */
function expectNoSecretWritten(where: LoopRepo): void {
  const values = [...Object.values(SECRETS), "hunter2hunter2", PASSED.value];
  const files = filesUnder(where.experimentDir());
  expect(files.length).toBeGreaterThan(3);
  const history = where.git("log", "-p", "--all");
  for (const value of values) {
    for (const file of files) expect(readFileSync(file, "utf8"), file).not.toContain(value);
    expect(history).not.toContain(value);
  }
  const seen = readFileSync(dump, "utf8");
  expect(seen).toContain(`${PASSED.name}=${PASSED.value}`);
  for (const [name, value] of Object.entries(SECRETS)) {
    expect(seen).not.toContain(value);
    expect(seen).not.toMatch(new RegExp(`^${name}=`, "m"));
  }
  // The printed environment did reach the ledger, redacted: the check above is not vacuous.
  const failures = where.ledger().flatMap((e) => (e.type === "tested" && !e.ok ? [e] : []));
  expect(JSON.stringify(failures)).toContain(`${PASSED.name}=[redacted ${PASSED.name}]`);
}

describe("secrets stay out of the experiment's commands and artifacts", () => {
  it("patches agent: a failing test that prints its environment leaks no credential", async () => {
    const loop = new LoopRepo();
    repo = loop;
    loop.commit("tests that print their environment", { "test/check.sh": PRINTING_TEST });
    expect((await loop.init(UNCONFINED)).code).toBe(0);
    const baseline = await runCli(["baseline"], loop.dir);
    expect(baseline.code, baseline.stderr).toBe(0);
    const run = await loop.run(["broken"]);
    expect(run.code, run.stderr).toBe(0);
    expect(loop.decisions()).toEqual(["1:test-failed"]);
    expectNoSecretWritten(loop);
  });

  it("step evaluate: the host's failing candidate leaks no credential", async () => {
    const host = new HostRepo();
    repo = host;
    host.commit("tests that print their environment", { "test/check.sh": PRINTING_TEST });
    await host.start(UNCONFINED);
    await host.ok(["next"]);
    await host.ok(host.planArgs(valuePlan(1)));
    host.write({ "src/extra.txt": "broken\n" });
    const evaluated = await host.step(["evaluate", "--json"]);
    expect(evaluated.stderr).not.toMatch(/unexpected failure/);
    expect(evaluated.stdout).not.toContain("hunter2hunter2");
    for (const value of Object.values(SECRETS)) expect(evaluated.stdout).not.toContain(value);
    // A failed test is handed back for a retry or, past the attempts, decided: either way recorded.
    expect(host.ledger().some((e) => e.type === "tested" && !e.ok)).toBe(true);
    expectNoSecretWritten(host);
  });
});
