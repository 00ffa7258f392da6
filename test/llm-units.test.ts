import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APICallError } from "ai";
import { afterEach, describe, expect, it } from "vitest";
import { classifyFailure } from "../src/agent/llm/failures.js";
import { parseModelId, resolveEndpoint } from "../src/agent/llm/models.js";
import { costOf, parsePrice, priceOf } from "../src/agent/llm/prices.js";
import { codeContext } from "../src/agent/llm/snippets.js";
import { confine } from "../src/agent/llm/tools/confine.js";
import { truncate } from "../src/agent/llm/tools/toolbox.js";
import type { IterationContext } from "../src/agent/types.js";
import { Redactor, withoutSecrets } from "../src/secrets.js";
import { TempRepo } from "./helpers/temp-repo.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), "auto-optimize-llm-"));
  dirs.push(dir);
  return dir;
}

describe("models and endpoints", () => {
  it("parses provider:model and refuses anything else with the accepted forms", () => {
    expect(parseModelId("openai-compatible:llama3.1:8b")).toEqual({
      provider: "openai-compatible",
      model: "llama3.1:8b",
      id: "openai-compatible:llama3.1:8b",
    });
    expect(() => parseModelId("claude-sonnet-4-5")).toThrow(/not provider:model/);
    expect(() => parseModelId("google:gemini")).toThrow(/anthropic:claude-sonnet-4-5/);
  });

  it("names the missing key's variable; adds /v1 to an Anthropic base URL; Ollama by default without a key", () => {
    expect(() => resolveEndpoint(parseModelId("anthropic:claude-haiku-4-5"), {})).toThrow(
      /ANTHROPIC_API_KEY is not set/,
    );
    const anthropic = resolveEndpoint(parseModelId("anthropic:claude-haiku-4-5"), {
      ANTHROPIC_API_KEY: "k-123456",
      ANTHROPIC_BASE_URL: "https://proxy.example/anthropic/",
    });
    expect(anthropic.baseUrl).toBe("https://proxy.example/anthropic/v1");
    expect(anthropic.keyVariable).toBe("ANTHROPIC_API_KEY");
    const local = resolveEndpoint(parseModelId("openai-compatible:llama3.1"), {
      OPENAI_API_KEY: "sk-not-for-ollama",
    });
    expect(local.baseUrl).toBe("http://localhost:11434/v1");
    expect(local.apiKey).toBeUndefined();
    expect(() =>
      resolveEndpoint(parseModelId("openai:gpt-5"), { OPENAI_API_KEY: "k" }, "not a url"),
    ).toThrow(/is not a URL/);
  });
});

describe("prices", () => {
  it("finds a dated model by its name, prices local servers at zero, knows nothing of unknown models, and takes overrides", () => {
    expect(priceOf(parseModelId("anthropic:claude-sonnet-4-5-20250929"))?.input).toBe(3);
    expect(priceOf(parseModelId("openai:gpt-5-mini-2025-08-07"))?.output).toBe(2);
    expect(priceOf(parseModelId("openai:gpt-9"))).toBeNull();
    expect(priceOf(parseModelId("openai-compatible:llama3.1"))).toEqual({ input: 0, output: 0 });
    const [id, price] = parsePrice("openai:gpt-9=1,2,0.5");
    expect(priceOf(parseModelId("openai:gpt-9"), { [id]: price })).toEqual({
      input: 1,
      output: 2,
      cachedInput: 0.5,
    });
    expect(() => parsePrice("gpt-9=1")).toThrow(/INPUT,OUTPUT/);
  });

  it("charges cached input at its own rate", () => {
    const price = { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 };
    expect(
      costOf(price, { input: 1e6, cachedInput: 1e6, cacheWrite: 1e6, output: 1e6 }),
    ).toBeCloseTo(3 + 0.3 + 3.75 + 15, 9);
  });
});

describe("secrets", () => {
  it("removes credential-named variables from a command's environment and redacts their values anywhere", () => {
    const env = {
      PATH: "/bin",
      GITHUB_TOKEN: "ghp_abcdefgh",
      db_password: "correct horse",
      MY_API_KEY: "k1234567",
      SHORT_KEY: "1",
    };
    expect(withoutSecrets(env)).toEqual({ PATH: "/bin" });
    const redactor = new Redactor(env, ["sk-extra-123456"]);
    expect(redactor.text("ghp_abcdefgh and correct horse, sk-extra-123456; 1 stays")).toBe(
      "[redacted GITHUB_TOKEN] and [redacted db_password], [redacted]; 1 stays",
    );
    expect(redactor.value({ a: ["k1234567", 3], b: { c: "x k1234567" } })).toEqual({
      a: ["[redacted MY_API_KEY]", 3],
      b: { c: "x [redacted MY_API_KEY]" },
    });
  });

  it("cuts long tool output in the middle, keeping head and tail", () => {
    const text = `${"a".repeat(20_000)}END`;
    const cut = truncate(text, 1000);
    expect(cut.length).toBeLessThan(1100);
    expect(cut.startsWith("aaa")).toBe(true);
    expect(cut.endsWith("END")).toBe(true);
    expect(cut).toContain("characters cut");
  });
});

describe("paths confined to the worktree", () => {
  it("accepts paths inside, new files included, and refuses absolute paths, '..', .git and links that lead out", () => {
    const root = temp();
    const outside = temp();
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src", "a.ts"), "x");
    writeFileSync(join(outside, "secret.txt"), "s");
    symlinkSync(outside, join(root, "src", "out"));
    symlinkSync(join(outside, "secret.txt"), join(root, "src", "file-out"));
    symlinkSync(join(root, "src", "a.ts"), join(root, "src", "file-in"));
    symlinkSync(join(root, "missing"), join(root, "src", "broken"));
    expect(confine(root, "./src/a.ts").rel).toBe("src/a.ts");
    expect(confine(root, "src/new/dir/b.ts").rel).toBe("src/new/dir/b.ts");
    expect(confine(root, "src/file-in").rel).toBe("src/file-in");
    expect(() => confine(root, "/etc/passwd")).toThrow(/absolute path/);
    expect(() => confine(root, "src/../../x")).toThrow(/'\.\.' may not be used/);
    expect(() => confine(root, ".git/config")).toThrow(/\.git is off limits/);
    expect(() => confine(root, "src/out/secret.txt")).toThrow(/leads outside the worktree/);
    expect(() => confine(root, "src/out/new.txt")).toThrow(/leads outside the worktree/);
    expect(() => confine(root, "src/file-out")).toThrow(/leads outside the worktree/);
    expect(() => confine(root, "src/broken")).toThrow(/broken symbolic link/);
  });
});

describe("failures", () => {
  const endpoint = resolveEndpoint(parseModelId("openai:gpt-5"), {
    OPENAI_API_KEY: "sk-123456",
    OPENAI_BASE_URL: "http://127.0.0.1:1234/v1",
  });
  const apiError = (statusCode: number | undefined, headers?: Record<string, string>) =>
    new APICallError({
      message: "failed",
      url: `${endpoint.baseUrl}/chat/completions`,
      requestBodyValues: {},
      statusCode,
      responseHeaders: headers,
      responseBody: JSON.stringify({ error: { message: "the reason" } }),
    });

  it("retries 429 and 5xx (Retry-After honoured), stops on 401/403 naming the variable and on other 4xx", () => {
    expect(classifyFailure(apiError(429, { "retry-after": "3" }), endpoint, null)).toEqual({
      retry: true,
      message: "http://127.0.0.1:1234/v1 answered HTTP 429: the reason",
      retryAfterMs: 3000,
    });
    expect(classifyFailure(apiError(503), endpoint, null).retry).toBe(true);
    const auth = classifyFailure(apiError(403), endpoint, null);
    expect(auth.retry).toBe(false);
    if (!auth.retry)
      expect(auth.error.message).toMatch(/HTTP 403: the reason\)\. Check OPENAI_API_KEY/);
    const bad = classifyFailure(apiError(404), endpoint, null);
    if (!bad.retry)
      expect(bad.error.message).toMatch(/refused the call to openai:gpt-5 with HTTP 404/);
    expect(classifyFailure(new Error("x"), endpoint, 1500)).toMatchObject({
      retry: true,
      message: "no answer from http://127.0.0.1:1234/v1 within 1.5 s",
    });
  });

  it("stops on a refused connection naming the URL, retries a reset one", () => {
    const network = (code: string) =>
      new APICallError({
        message: "Cannot connect to API",
        url: endpoint.baseUrl,
        requestBodyValues: {},
        cause: Object.assign(new Error(code), { code }),
      });
    const refused = classifyFailure(network("ECONNREFUSED"), endpoint, null);
    expect(refused.retry).toBe(false);
    if (!refused.retry) {
      expect(refused.error.message).toMatch(
        /cannot reach the model server at http:\/\/127\.0\.0\.1:1234\/v1 \(ECONNREFUSED\)/,
      );
    }
    expect(classifyFailure(network("ECONNRESET"), endpoint, null).retry).toBe(true);
  });
});

describe("the planner's view of the code", () => {
  it("shows numbered lines around each file:line the profile names inside the scope, and lists the files in scope", async () => {
    const repo = new TempRepo();
    dirs.push(repo.dir);
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join("\n");
    repo.commit("code", { "src/hot.js": lines, "src/cold.js": "cold\n", "lib/out.js": "x\n" });
    const context = {
      experiment: { scope: ["src/**"] },
      worktree: repo.dir,
      hotspots: "self %  function  where\n 80.0  spin  src/hot.js:50\n 20.0  out  lib/out.js:1",
    } as unknown as IterationContext;
    const text = await codeContext(context);
    expect(text).toContain("- src/cold.js\n- src/hot.js");
    expect(text).toContain("## Hot code (from the profile)");
    expect(text).toContain("   50  line 50");
    expect(text).toContain("   35  line 35");
    expect(text).not.toContain("line 34\n");
    expect(text).not.toContain("lib/out.js");
    const cold = await codeContext({ ...context, hotspots: null });
    expect(cold).toContain("## Code in scope");
    expect(cold).toContain("### src/cold.js");
  });
});
