import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { profileCommand } from "../src/profile/profile.js";

const SCRIPT = fileURLToPath(new URL("./fixtures/profile/perf-script.txt", import.meta.url));
const bin = mkdtempSync(join(tmpdir(), "fake-perf-"));
const calls = join(bin, "calls.log");
afterAll(() => rmSync(bin, { recursive: true, force: true }));

/**
 * A perf on PATH that logs its arguments: `stat` finds no cycle counter, `record` writes a
 * recording to its -o file, `script` prints a recorded profile (65 samples, so each profile runs
 * twice, the second at a finer interval).
 */
function fakePerf(): void {
  writeFileSync(
    join(bin, "perf"),
    [
      "#!/bin/sh",
      `echo "$*" >> '${calls}'`,
      'case "$1" in',
      "  stat) echo '<not supported>,,cycles' >&2 ;;",
      '  record) while [ "$#" -gt 0 ]; do [ "$1" = -o ] && echo data > "$2"; shift; done ;;',
      `  script) cat '${SCRIPT}' ;;`,
      "esac",
      "",
    ].join("\n"),
  );
  chmodSync(join(bin, "perf"), 0o755);
}

describe("perf's probes", () => {
  it("run once per process, however many recordings follow", async () => {
    fakePerf();
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      for (let i = 0; i < 2; i++) {
        const outcome = await profileCommand({
          command: "./hot",
          cwd: bin,
          timeoutMs: 20_000,
          language: "native",
        });
        expect(outcome.hotspots.hotspots[0]?.name).toBe("hot_loop");
      }
    } finally {
      process.env.PATH = path;
    }
    const lines = readFileSync(calls, "utf8").trim().split("\n");
    const recordings = lines.filter((l) => l.startsWith("record") && l.includes("/bin/sh -c"));
    expect(recordings).toHaveLength(4);
    // Every recording is given what the one probe found perf accepts.
    for (const recording of recordings) expect(recording).toContain("--no-bpf-event");
    expect(lines.filter((l) => l.startsWith("stat"))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("record") && l.endsWith("-- true"))).toHaveLength(1);
  });
});
