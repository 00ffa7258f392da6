import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { detectConfinement } from "../src/measure/confinement.js";
import type { RunIsolation } from "../src/measure/run-isolation.js";
import { runSample } from "../src/measure/sample.js";

/** One run's isolation: fresh temporary folders every run, and bubblewrap's sandbox where it works. */

const confinement = await detectConfinement();
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function checkout(): string {
  const dir = mkdtempSync(join(tmpdir(), "auto-optimize-isolated-"));
  dirs.push(dir);
  return dir;
}

const unconfined = (dir: string): RunIsolation => ({
  confinement: { kind: "none", reason: "not under test" },
  writable: [dir],
  network: false,
});

async function run(command: string, cwd: string, isolation?: RunIsolation) {
  const sample = await runSample({ command, cwd, timeoutMs: 30_000, isolation });
  return sample;
}

describe("a run's fresh state", () => {
  it("gets its own empty TMPDIR and HOME, different every run and gone after it", async () => {
    const cwd = checkout();
    const show =
      'echo "$TMPDIR $HOME"; ls -A "$TMPDIR" "$HOME" | wc -l; touch "$TMPDIR/x" "$HOME/y"';
    const first = await run(show, cwd, unconfined(cwd));
    const second = await run(show, cwd, unconfined(cwd));
    expect(first.ok && second.ok).toBe(true);
    const [tmpA, homeA] = (first.stdout.split("\n")[0] as string).split(" ");
    const [tmpB, homeB] = (second.stdout.split("\n")[0] as string).split(" ");
    expect(tmpA).not.toBe(tmpB);
    expect(homeA).not.toBe(homeB);
    expect(homeA).not.toBe(homedir());
    // Each started empty (ls prints the two headings and a blank line only)…
    expect(second.stdout.split("\n")[1]?.trim()).toBe("3");
    // …and nothing of either is left.
    for (const path of [tmpA, homeA, tmpB, homeB]) expect(existsSync(path as string)).toBe(false);
  });

  it("puts Python's bytecode cache in the run's TMPDIR, not in the checkout", async () => {
    const cwd = checkout();
    const sample = await run('echo "$PYTHONPYCACHEPREFIX"', cwd, unconfined(cwd));
    expect(sample.stdout.trim().startsWith(tmpdir())).toBe(true);
    expect(sample.stdout).toContain("auto-optimize-run-");
  });

  it("changes nothing without isolation (compare, bench)", async () => {
    const cwd = checkout();
    const sample = await run('echo "$HOME"', cwd);
    expect(sample.stdout.trim()).toBe(process.env.HOME ?? homedir());
  });
});

describe.skipIf(confinement.kind !== "bwrap")("a confined run (bubblewrap)", () => {
  const confined = (dir: string): RunIsolation => ({
    confinement,
    writable: [dir],
    network: false,
  });

  it("writes its checkout and TMPDIR, nothing else, and has a private /tmp", async () => {
    const cwd = checkout();
    const outside = checkout();
    const sample = await run(
      `echo a > inside.txt && echo b > "$TMPDIR/t" && echo c > /tmp/shared-${process.pid}; echo d > ${outside}/x.txt; echo done`,
      cwd,
      confined(cwd),
    );
    expect(sample.stdout.trim()).toBe("done");
    expect(existsSync(join(cwd, "inside.txt"))).toBe(true);
    expect(existsSync(join(outside, "x.txt"))).toBe(false);
    expect(existsSync(`/tmp/shared-${process.pid}`)).toBe(false);
    expect(sample.stderr).toMatch(/cannot create/);
    const home = join(homedir(), `auto-optimize-probe-${process.pid}`);
    const outsideTmp = await run(`echo x > ${home}`, cwd, confined(cwd));
    expect(outsideTmp.stderr).toMatch(/Read-only file system/);
    expect(existsSync(home)).toBe(false);
  });

  it("still reports the run's peak memory and CPU time", async () => {
    const cwd = checkout();
    const allocate = `node -e "const b = Buffer.alloc(80e6, 1); console.log(b[7])"`;
    const sample = await run(allocate, cwd, confined(cwd));
    expect(sample.ok).toBe(true);
    expect(sample.peakRssKb).toBeGreaterThan(80_000);
    expect(sample.cpuMs).not.toBeNull();
  });

  it("has no network but loopback, unless the experiment keeps it", async () => {
    const cwd = checkout();
    // /proc/net/dev lists the interfaces of the run's own network namespace.
    const interfaces = "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort";
    const host = await run(interfaces, cwd);
    const none = await run(interfaces, cwd, confined(cwd));
    const kept = await run(interfaces, cwd, { ...confined(cwd), network: true });
    expect(none.stdout.trim()).toBe("lo");
    expect(kept.stdout).toBe(host.stdout);
  });
});
