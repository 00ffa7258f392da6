import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type EnvironmentSnapshot,
  formatEnvironment,
  noiseCauses,
  snapshotEnvironment,
} from "../src/measure/environment.js";

const notRepo = mkdtempSync(join(tmpdir(), "env-test-"));
afterAll(() => rmSync(notRepo, { recursive: true, force: true }));

const quiet: EnvironmentSnapshot = {
  timestamp: "2025-01-01T00:00:00.000Z",
  os: "Linux",
  platform: "linux",
  kernel: "6.1.0",
  arch: "x64",
  cpuModel: "Test CPU",
  cpuCount: 8,
  totalMemoryBytes: 16 * 1024 ** 3,
  loadAverage: [0.1, 0.2, 0.3],
  cpuGovernor: "performance",
  cpuQuota: { cpus: null, text: "none" },
  topProcesses: [{ pid: 42, cpuPercent: 3, command: "sshd" }],
  runtimes: {
    node: "v20.0.0",
    python3: "Python 3.12.0",
    java: "not found",
    go: "not found",
    rustc: "not found",
    gcc: "not found",
  },
  git: { revision: "abc123", dirty: false },
};

describe("snapshotEnvironment", () => {
  it("reads the machine, the runtimes and the git state of cwd", async () => {
    const s = await snapshotEnvironment(process.cwd());
    expect(Number.isNaN(Date.parse(s.timestamp))).toBe(false);
    expect(s.platform).toBe(process.platform);
    expect(s.kernel).not.toBe("");
    expect(s.cpuCount).toBeGreaterThan(0);
    expect(s.totalMemoryBytes).toBeGreaterThan(0);
    expect(s.loadAverage).toHaveLength(3);
    expect(s.cpuGovernor).not.toBe("");
    expect(s.cpuQuota.text).not.toBe("");
    expect(s.runtimes.node).toMatch(/^v\d+\./);
    expect(Object.keys(s.runtimes).sort()).toEqual(
      ["gcc", "go", "java", "node", "python3", "rustc"].sort(),
    );
    if (typeof s.topProcesses !== "string") {
      expect(s.topProcesses.map((p) => p.pid)).not.toContain(process.pid);
    }
    expect(typeof s.git).toBe("object");
    if (typeof s.git === "object") expect(s.git.revision).toMatch(/^[0-9a-f]{40}$/);
  });

  it("says when cwd is not a git repository", async () => {
    expect((await snapshotEnvironment(notRepo)).git).toBe("not a git repository");
  });
});

describe("formatEnvironment", () => {
  it("prints one key: value line per field", () => {
    const text = formatEnvironment({ ...quiet, git: { revision: "abc123", dirty: true } });
    const lines = text.split("\n");
    for (const key of ["timestamp", "os", "kernel", "arch", "cpu", "cpus", "memory"]) {
      expect(lines.some((l) => l.startsWith(`${key}: `))).toBe(true);
    }
    expect(lines).toContain("load average: 0.10 0.20 0.30");
    expect(lines).toContain("cpu governor: performance");
    expect(lines).toContain("cpu quota: none");
    expect(lines).toContain("java: not found");
    expect(lines).toContain("git: abc123 (dirty)");
    expect(lines).toContain("top processes: sshd (pid 42) 3%");
  });
});

describe("noiseCauses", () => {
  it("finds nothing on a quiet machine", () => {
    expect(noiseCauses(quiet)).toEqual([]);
  });

  it("reports a high load average", () => {
    const causes = noiseCauses({ ...quiet, loadAverage: [7.5, 6, 5] });
    expect(causes).toHaveLength(1);
    expect(causes[0]).toContain("load average 7.50");
  });

  it("reports busy processes, a non-performance governor, a CPU quota and few CPUs", () => {
    const causes = noiseCauses(
      {
        ...quiet,
        topProcesses: [{ pid: 7, cpuPercent: 95, command: "chrome" }],
        cpuGovernor: "powersave",
        cpuQuota: { cpus: 1.5, text: "1.5 CPUs (cgroup v2 cpu.max 150000 100000)" },
      },
      2,
    ).join("\n");
    expect(causes).toContain("chrome (pid 7) at 95% CPU");
    expect(causes).toContain("powersave");
    expect(causes).toContain("1.5 CPUs");
    expect(causes).toContain("only 2 CPU(s)");
  });
});
