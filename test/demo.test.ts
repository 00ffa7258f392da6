import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "demo-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("demo", () => {
  it("runs init, baseline, the tuner and the report on the bundled example: a parity trial, then a memo size kept and confirmed", async () => {
    const result = await runCli(["demo", "--dir", dir], process.cwd());
    expect(result.stderr).not.toMatch(/unexpected failure/);
    expect(result.code, result.stderr).toBe(0);
    // The tuner visits the knobs in declaration order: parity first (its only other value), then
    // the memo size. Parity's verdict is whatever this machine measures; the memo's gain is ~10×.
    expect(result.stdout).toMatch(/\| \d \| iter-001-parity-modulo \|/);
    expect(result.stdout).toMatch(/\| 1 \| iter-002-memo-\d+ \|.*✅ kept/);
    expect(result.stdout).toMatch(
      /headline \(baseline re-measured against the best, \d+ rounds\): \+\d+\.\d% \[.*\] — improved/,
    );
    const match = /final report: (.*)/.exec(result.stdout);
    expect(match).not.toBeNull();
    const report = readFileSync((match as RegExpExecArray)[1] as string, "utf8");
    expect(report).toContain("-export const MEMO_SIZE = 16;");
    const html = readFileSync(
      ((match as RegExpExecArray)[1] as string).replace(/final-report\.md$/, "report.html"),
      "utf8",
    );
    expect(html).toContain("-export const MEMO_SIZE = 16;");
    expect(html).toMatch(/<circle [^>]*><title>iteration 2: memo=\d+ — keep, /);
    expect(result.stdout).toContain("report.html (open it in a browser)");
    const log = execFileSync("git", ["log", "--format=%s"], { cwd: dir, encoding: "utf8" }).split(
      "\n",
    );
    expect(log).toContain("experiment(exp-001): baseline");
    expect(log).toContain("experiment(exp-001/iter-001): parity=modulo");
    expect(log.some((s) => s.startsWith("experiment(exp-001/iter-002): memo="))).toBe(true);
    expect(log).toContain("experiment(exp-001): final report");
    expect(existsSync(join(dir, ".git", "auto-optimize", "exp-001"))).toBe(false);
    // The demo measures for real (a baseline, two comparisons, an 80-round re-measure): ~110 s
    // on the loaded 2-core machine, too close to the suite's 120 s default.
  }, 300_000);
});
