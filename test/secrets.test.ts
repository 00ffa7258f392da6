import { describe, expect, it } from "vitest";
import { commandEnvironment, passedThrough } from "../src/command-env.js";
import { hasUrlCredentials, isSecretVariable, Redactor, withoutSecrets } from "../src/secrets.js";

describe("which variables are credentials", () => {
  it("by name (KEY, TOKEN, SECRET, PASSWORD, any case) or by a URL value with a password", () => {
    expect(isSecretVariable("AWS_SECRET_ACCESS_KEY", "x")).toBe(true);
    expect(isSecretVariable("db_password", "x")).toBe(true);
    expect(isSecretVariable("SOME_TOKEN", "x")).toBe(true);
    expect(isSecretVariable("DATABASE_URL", "postgres://u:hunter2@db/x")).toBe(true);
    expect(isSecretVariable("REDIS", "redis://:pw@cache:6379")).toBe(true);
    expect(isSecretVariable("DATABASE_URL", "postgres://db/x")).toBe(false);
    expect(isSecretVariable("PROXY", "http://user@proxy:8080")).toBe(false);
    expect(isSecretVariable("HOME", "/home/u")).toBe(false);
    expect(hasUrlCredentials("see https://a:b@example.com/")).toBe(true);
    expect(hasUrlCredentials("https://example.com/a:b@c")).toBe(false);
  });
});

describe("the environment of the experiment's commands", () => {
  const env = {
    PATH: "/bin",
    ANTHROPIC_API_KEY: "a",
    DB_PASSWORD: "p",
    DEPLOY_TOKEN: "d",
    DATABASE_URL: "postgres://u:hunter2hunter2@db/x",
    CACHE_URL: "redis://cache:6379",
  };

  it("drops every credential, URL-valued ones included", () => {
    expect(withoutSecrets(env)).toEqual({ PATH: "/bin", CACHE_URL: "redis://cache:6379" });
    expect(commandEnvironment({}, env)).toEqual({ PATH: "/bin", CACHE_URL: "redis://cache:6379" });
  });

  it("lets through the names in AUTO_OPTIMIZE_PASS_ENV, and puts the knobs' variables on top", () => {
    const passing = { ...env, AUTO_OPTIMIZE_PASS_ENV: " DEPLOY_TOKEN , DATABASE_URL,," };
    expect(passedThrough(passing)).toEqual(["DEPLOY_TOKEN", "DATABASE_URL"]);
    expect(commandEnvironment({ THREADS: "4", PATH: "/opt/bin" }, passing)).toEqual({
      PATH: "/opt/bin",
      CACHE_URL: "redis://cache:6379",
      DEPLOY_TOKEN: "d",
      DATABASE_URL: "postgres://u:hunter2hunter2@db/x",
      AUTO_OPTIMIZE_PASS_ENV: passing.AUTO_OPTIMIZE_PASS_ENV,
      THREADS: "4",
    });
  });
});

describe("the redactor", () => {
  it("hides a URL-valued credential by its variable's name, and any URL's password wherever it comes from", () => {
    const redactor = new Redactor({ DATABASE_URL: "postgres://u:hunter2hunter2@db/x" });
    expect(redactor.text("connect postgres://u:hunter2hunter2@db/x failed")).toBe(
      "connect [redacted DATABASE_URL] failed",
    );
    expect(redactor.text("from a file: mysql://admin:s3cr3t-pw@10.0.0.1:3306/app ok")).toBe(
      "from a file: mysql://admin:[redacted]@10.0.0.1:3306/app ok",
    );
    expect(redactor.text("https://example.com/a:b@c and http://user@proxy")).toBe(
      "https://example.com/a:b@c and http://user@proxy",
    );
  });
});
