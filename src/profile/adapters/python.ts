import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { parseCollapsed } from "../parsers/collapsed.js";
import { PSTATS_TO_JSON, PstatsJsonSchema, parsePstats } from "../parsers/pstats.js";
import { parseProfilerJson } from "../profiler-json.js";
import { display } from "../sourcemap.js";
import { describeFailure, requireProfiledSuccess, runTool, which } from "../tools.js";
import {
  type AdapterResult,
  type FlatData,
  ProfileError,
  type ProfileRequest,
  type StackData,
} from "../types.js";

/** py-spy's samples per second (its default is 100). */
export const PY_SPY_RATE = 100;

/** Seconds of CPU time between two samples of the built-in sampler (200 a second). */
export const PYTHON_SAMPLING_INTERVAL_S = 0.005;

/** Fewer samples than this and the run is profiled again with cProfile, which misses nothing. */
const MIN_SAMPLES = 20;

/**
 * Put first on PYTHONPATH, so every Python process of the command (pytest, a script run by make,
 * multiprocessing children that exit normally) profiles itself and writes its profile at exit.
 * "sample" mode: SIGPROF every few milliseconds of CPU time, the main thread's stack counted with
 * the line its innermost frame was executing (written as a last pseudo-frame `@line`; standard
 * library only; costs well under 1%). "cprofile" mode: cProfile, which traces every call.
 */
export const PYTHON_SITECUSTOMIZE = `import os as _ao_os
_ao_dir = _ao_os.environ.get("AUTO_OPTIMIZE_PYPROF_DIR")
if _ao_dir:
    import atexit as _ao_atexit
    if _ao_os.environ.get("AUTO_OPTIMIZE_PYPROF_MODE") == "cprofile":
        import cProfile as _ao_cProfile
        _ao_profiler = _ao_cProfile.Profile()
        def _ao_dump():
            _ao_profiler.disable()
            _ao_os.makedirs(_ao_dir, exist_ok=True)
            _ao_profiler.dump_stats(_ao_os.path.join(_ao_dir, "py.%d.prof" % _ao_os.getpid()))
        _ao_atexit.register(_ao_dump)
        _ao_profiler.enable()
    else:
        import signal as _ao_signal
        _ao_counts = {}
        def _ao_sample(signum, frame):
            if frame is not None and frame.f_code is _ao_sample.__code__:
                return
            line = frame.f_lineno if frame is not None else 0
            codes = []
            while frame is not None:
                codes.append(frame.f_code)
                frame = frame.f_back
            key = (tuple(codes), line or 0)
            _ao_counts[key] = _ao_counts.get(key, 0) + 1
        def _ao_name(code):
            return "%s (%s:%d)" % (getattr(code, "co_qualname", code.co_name), code.co_filename, code.co_firstlineno)
        def _ao_dump():
            _ao_signal.setitimer(_ao_signal.ITIMER_PROF, 0, 0)
            _ao_os.makedirs(_ao_dir, exist_ok=True)
            with open(_ao_os.path.join(_ao_dir, "py.%d.collapsed" % _ao_os.getpid()), "w") as out:
                for (codes, line), count in _ao_counts.items():
                    out.write(";".join(_ao_name(c) for c in reversed(codes)) + ";@%d %d\\n" % (line, count))
        try:
            _ao_interval = float(_ao_os.environ.get("AUTO_OPTIMIZE_PYPROF_INTERVAL") or ${PYTHON_SAMPLING_INTERVAL_S})
            _ao_signal.signal(_ao_signal.SIGPROF, _ao_sample)
            _ao_signal.setitimer(_ao_signal.ITIMER_PROF, _ao_interval, _ao_interval)
            _ao_atexit.register(_ao_dump)
        except (ValueError, OSError, AttributeError):
            pass
`;

/**
 * Python: py-spy when installed, else the built-in sampler (standard library, in every Python
 * process through sitecustomize), else — for runs too short to sample — cProfile.
 */
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
    tried.push("py-spy: not installed (pip install py-spy) — the built-in sampler used instead");
  }
  const forced =
    (req.env?.AUTO_OPTIMIZE_PYPROF_MODE ?? process.env.AUTO_OPTIMIZE_PYPROF_MODE) === "cprofile";
  const sampled = forced ? null : await withSitecustomize(req, "sample", tried);
  if (forced) notes.push("cProfile asked for (AUTO_OPTIMIZE_PYPROF_MODE=cprofile)");
  if (sampled?.kind === "stacks") {
    const count = sampled.data.stacks.reduce((a, s) => a + s.samples, 0);
    if (count >= MIN_SAMPLES) {
      return {
        profiler: "python-sampler",
        data: sampled.data,
        runMs: sampled.runMs,
        intervalUs: sampled.intervalUs,
        notes: [
          ...notes,
          `${sampled.processes} Python process${sampled.processes === 1 ? "" : "es"} sampled every ${sampled.intervalUs / 1000} ms of CPU time (main threads)`,
        ],
      };
    }
    notes.push(`only ${count} samples (a short run): profiled again with cProfile`);
  }
  const traced = await withSitecustomize(req, "cprofile", tried);
  if (traced.kind !== "flat") throw new ProfileError("no-profile", "cProfile wrote nothing", tried);
  return {
    profiler: "cProfile",
    data: traced.data,
    runMs: traced.runMs,
    notes: [
      ...notes,
      `${traced.processes} Python process${traced.processes === 1 ? "" : "es"} traced with cProfile (deterministic: it slows call-heavy code)`,
    ],
  };
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
  return {
    profiler: "py-spy",
    data,
    runMs: run.wallMs,
    notes: [`py-spy sampling ${PY_SPY_RATE} times a second`],
  };
}

type Recorded =
  | { kind: "stacks"; data: StackData; processes: number; runMs: number; intervalUs: number }
  | { kind: "flat"; data: FlatData; processes: number; runMs: number };

async function withSitecustomize(
  req: ProfileRequest,
  mode: "sample" | "cprofile",
  tried: string[],
): Promise<Recorded> {
  const site = join(req.workDir, "pysite");
  const outDir = join(req.workDir, `pyprof-${mode}`);
  await mkdir(site, { recursive: true });
  await writeFile(join(site, "sitecustomize.py"), PYTHON_SITECUSTOMIZE);
  const inherited = req.env?.PYTHONPATH ?? process.env.PYTHONPATH;
  const intervalUs = req.intervalUs ?? PYTHON_SAMPLING_INTERVAL_S * 1e6;
  const run = await runTool("/bin/sh", ["-c", req.command], {
    cwd: req.cwd,
    env: {
      ...req.env,
      PYTHONPATH: inherited ? `${site}${delimiter}${inherited}` : site,
      AUTO_OPTIMIZE_PYPROF_DIR: outDir,
      AUTO_OPTIMIZE_PYPROF_MODE: mode,
      AUTO_OPTIMIZE_PYPROF_INTERVAL: String(intervalUs / 1e6),
    },
    timeoutMs: req.timeoutMs,
  });
  tried.push(
    mode === "sample"
      ? "built-in sampler (SIGPROF, through sitecustomize on PYTHONPATH)"
      : "cProfile (through sitecustomize on PYTHONPATH)",
  );
  requireProfiledSuccess(run, req.timeoutMs, tried);
  const files = (await readdir(outDir).catch(() => [] as string[])).map((f) => join(outDir, f));
  if (files.length === 0) {
    throw new ProfileError(
      "no-profile",
      "the command ran but no Python process wrote a profile: does it run python? (python -I and -S skip sitecustomize.) Pass --language to profile it another way.",
      tried,
    );
  }
  if (mode === "sample") {
    const texts = await Promise.all(files.map((f) => readFile(f, "utf8")));
    const data = parseCollapsed(texts.join("\n"), "none");
    for (const frame of data.frames) frame.file = display(frame.file, req.cwd);
    return { kind: "stacks", data, processes: files.length, runMs: run.wallMs, intervalUs };
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
  const source = `cProfile's output as read from ${files.join(", ")}`;
  const data = parsePstats(parseProfilerJson(read.stdout, PstatsJsonSchema, source, tried));
  for (const frame of data.frames) frame.file = display(frame.file, req.cwd);
  return { kind: "flat", data, processes: files.length, runMs: run.wallMs };
}
