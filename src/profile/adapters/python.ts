import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { parseCollapsed } from "../parsers/collapsed.js";
import { PSTATS_TO_JSON, type PstatsJson, parsePstats } from "../parsers/pstats.js";
import { display } from "../sourcemap.js";
import { describeFailure, runTool, which } from "../tools.js";
import { type AdapterResult, ProfileError, type ProfileRequest } from "../types.js";

/** py-spy's samples per second (its default is 100). */
export const PY_SPY_RATE = 100;

/**
 * Put first on PYTHONPATH, so every Python process of the command (pytest, a script run by make,
 * multiprocessing children that exit normally) profiles itself with cProfile and writes its stats
 * at exit.
 */
export const PYTHON_SITECUSTOMIZE = `import os as _ao_os
_ao_dir = _ao_os.environ.get("AUTO_OPTIMIZE_PYPROF_DIR")
if _ao_dir:
    import atexit as _ao_atexit, cProfile as _ao_cProfile
    _ao_profiler = _ao_cProfile.Profile()
    def _ao_dump():
        _ao_profiler.disable()
        _ao_os.makedirs(_ao_dir, exist_ok=True)
        _ao_profiler.dump_stats(_ao_os.path.join(_ao_dir, "py.%d.prof" % _ao_os.getpid()))
    _ao_atexit.register(_ao_dump)
    _ao_profiler.enable()
`;

/** Python: py-spy (sampling, low overhead) when installed, else cProfile (always there). */
export async function profilePython(req: ProfileRequest): Promise<AdapterResult> {
  const tried: string[] = [];
  const notes: string[] = [];
  const pySpy = await which("py-spy");
  if (pySpy) {
    const result = await withPySpy(pySpy, req);
    if ("data" in result) return { ...result, notes: [...notes, ...result.notes] };
    tried.push(`py-spy: ${result.failed}`);
    notes.push(`py-spy failed (${result.failed.split("\n")[0]}); fell back to cProfile`);
  } else {
    tried.push("py-spy: not installed (pip install py-spy) — cProfile used instead");
  }
  const result = await withCProfile(req, tried);
  return { ...result, notes: [...notes, ...result.notes] };
}

async function withPySpy(
  pySpy: string,
  req: ProfileRequest,
): Promise<AdapterResult | { failed: string }> {
  const out = join(req.workDir, "py-spy.txt");
  const run = await runTool(
    pySpy,
    [
      "record",
      "--rate",
      String(PY_SPY_RATE),
      "--format",
      "raw",
      "--subprocesses",
      "--output",
      out,
      "--",
      "/bin/sh",
      "-c",
      req.command,
    ],
    { cwd: req.cwd, env: req.env, timeoutMs: req.timeoutMs },
  );
  const text = await readFile(out, "utf8").catch(() => "");
  if (!run.ok || !text.trim()) return { failed: describeFailure(run, req.timeoutMs) };
  const data = parseCollapsed(text, "none", (frame) => /^process \d+:/.test(frame));
  for (const frame of data.frames) frame.file = display(frame.file, req.cwd);
  return { profiler: "py-spy", data, notes: [`py-spy sampling ${PY_SPY_RATE} times a second`] };
}

async function withCProfile(req: ProfileRequest, tried: string[]): Promise<AdapterResult> {
  const site = join(req.workDir, "pysite");
  const outDir = join(req.workDir, "pyprof");
  await mkdir(site, { recursive: true });
  await writeFile(join(site, "sitecustomize.py"), PYTHON_SITECUSTOMIZE);
  const inherited = req.env?.PYTHONPATH ?? process.env.PYTHONPATH;
  const run = await runTool("/bin/sh", ["-c", req.command], {
    cwd: req.cwd,
    env: {
      ...req.env,
      PYTHONPATH: inherited ? `${site}${delimiter}${inherited}` : site,
      AUTO_OPTIMIZE_PYPROF_DIR: outDir,
    },
    timeoutMs: req.timeoutMs,
  });
  tried.push("cProfile (through sitecustomize on PYTHONPATH)");
  if (!run.ok) {
    throw new ProfileError(
      "profiled-command-failed",
      `the command failed while being profiled: it ${describeFailure(run, req.timeoutMs)}`,
      tried,
    );
  }
  const files = (await readdir(outDir).catch(() => [] as string[]))
    .filter((f) => f.endsWith(".prof"))
    .map((f) => join(outDir, f));
  if (files.length === 0) {
    throw new ProfileError(
      "no-profile",
      "the command ran but no Python process wrote a profile: does it run python? (python -I and -S skip sitecustomize.) Pass --language to profile it another way.",
      tried,
    );
  }
  const python = (await which("python3")) ?? (await which("python"));
  if (!python) throw new ProfileError("no-python", "python3 is needed to read cProfile's output");
  const read = await runTool(python, ["-c", PSTATS_TO_JSON, ...files], {
    cwd: req.cwd,
    timeoutMs: 120_000,
  });
  if (!read.ok) {
    throw new ProfileError(
      "bad-profile",
      `cannot read cProfile's output: ${describeFailure(read, 120_000)}`,
      tried,
    );
  }
  const data = parsePstats(JSON.parse(read.stdout) as PstatsJson);
  for (const frame of data.frames) frame.file = display(frame.file, req.cwd);
  return {
    profiler: "cProfile",
    data,
    notes: [
      `${files.length} Python process${files.length === 1 ? "" : "es"} profiled with cProfile (deterministic: it slows call-heavy code; install py-spy for sampling)`,
    ],
  };
}
