import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AgentLog } from "../src/agent/agent-log.js";
import { Redactor } from "../src/secrets.js";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("agent-log.jsonl", () => {
  it("holds lines until a file is attached, redacts every string, and never glues a line to one a crash cut short", () => {
    dir = mkdtempSync(join(tmpdir(), "agent-log-test-"));
    const path = join(dir, "iteration", "agent-log.jsonl");
    const log = new AgentLog(new Redactor({ SERVICE_TOKEN: "tok-1234567890" }));
    log.write({ kind: "model-call", note: 'sent "tok-1234567890"' });
    log.attach(path); // creates the folder, writes what was held
    log.write({ kind: "tool-call", tool: "read_file" });
    writeFileSync(path, `${readFileSync(path, "utf8")}{"kind":"torn`); // a crash mid-line
    log.write({ kind: "tool-call", tool: "edit_file" });
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      kind: "model-call",
      note: 'sent "[redacted SERVICE_TOKEN]"',
    });
    expect(lines[2]).toBe('{"kind":"torn');
    expect(JSON.parse(lines[3] as string)).toMatchObject({ tool: "edit_file" });
    expect(readFileSync(path, "utf8")).not.toContain("tok-1234567890");
  });

  it("drops what it held when reset, and holds again when detached", () => {
    dir = mkdtempSync(join(tmpdir(), "agent-log-test-"));
    const path = join(dir, "agent-log.jsonl");
    const log = new AgentLog(new Redactor({}));
    log.write({ n: 1 });
    log.reset();
    log.attach(path);
    log.write({ n: 2 });
    log.detach();
    log.write({ n: 3 });
    expect(
      readFileSync(path, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).n),
    ).toEqual([2]);
    log.flush(path);
    expect(
      readFileSync(path, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).n),
    ).toEqual([2, 3]);
  });
});
