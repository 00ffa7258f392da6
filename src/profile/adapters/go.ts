import { join } from "node:path";
import { parsePprofRaw } from "../parsers/pprof-raw.js";
import { display } from "../sourcemap.js";
import { describeFailure, runTool, which } from "../tools.js";
import { type AdapterResult, type Frame, ProfileError, type ProfileRequest } from "../types.js";

const GO_TEST = /(^|[\s;&|(])go\s+test(?=\s|$)/;

/** Whether the command runs `go test` (its CPU profile can then be asked for). */
export function runsGoTest(command: string): boolean {
  return GO_TEST.test(command);
}

const GC_FUNCTIONS = new Set([
  "runtime.gcBgMarkWorker",
  "runtime.gcAssistAlloc",
  "runtime.bgsweep",
  "runtime.bgscavenge",
]);

/** Go: `go test -cpuprofile` (the runtime's own sampler, 100 Hz) read with `go tool pprof -raw`. */
export async function profileGoTest(req: ProfileRequest): Promise<AdapterResult> {
  const tried = ["go test -cpuprofile, read with go tool pprof -raw"];
  const go = await which("go");
  if (!go) {
    throw new ProfileError(
      "no-profiler",
      "the Go toolchain is not on PATH (install it: apt-get install golang-go)",
      tried,
    );
  }
  const profile = join(req.workDir, "cpu.pprof");
  // -o keeps the test binary (which -cpuprofile writes) out of the project's folder.
  const binary = join(req.workDir, "go-test.bin");
  const command = req.command.replace(
    GO_TEST,
    (m) => `${m} -cpuprofile ${JSON.stringify(profile)} -o ${JSON.stringify(binary)}`,
  );
  const run = await runTool("/bin/sh", ["-c", command], {
    cwd: req.cwd,
    env: req.env,
    timeoutMs: req.timeoutMs,
  });
  if (!run.ok) {
    const many = /multiple packages/.test(run.stderr + run.stdout)
      ? " (-cpuprofile needs a single package: name one instead of ./...)"
      : "";
    throw new ProfileError(
      "profiled-command-failed",
      `the command failed while being profiled${many}: it ${describeFailure({ ...run, stderr: run.stderr || run.stdout }, req.timeoutMs)}`,
      tried,
    );
  }
  const raw = await runTool(go, ["tool", "pprof", "-raw", profile], {
    cwd: req.cwd,
    timeoutMs: 300_000,
  });
  if (!raw.ok) {
    throw new ProfileError(
      "bad-profile",
      `go tool pprof could not read the profile: ${describeFailure(raw, 300_000)}`,
      tried,
    );
  }
  const data = parsePprofRaw(raw.stdout);
  for (const frame of data.frames) frame.file = display(frame.file, req.cwd);
  return {
    profiler: "pprof",
    data,
    runMs: run.wallMs,
    intervalUs: 10_000,
    isGc: (frame: Frame) => GC_FUNCTIONS.has(frame.name),
    notes: ["go test -cpuprofile (the Go runtime samples 100 times a second)"],
  };
}
