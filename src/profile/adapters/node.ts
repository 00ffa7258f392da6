import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CpuProfileSchema, parseCpuProfiles } from "../parsers/cpuprofile.js";
import { parseProfilerJson } from "../profiler-json.js";
import { applySourceMaps } from "../sourcemap.js";
import { GC_NAME } from "../summarize.js";
import { requireProfiledSuccess, runTool, writtenProfiles } from "../tools.js";
import type { AdapterResult, ProfileRequest } from "../types.js";

/** Microseconds between samples: V8's default; its overhead is measured in docs/profiling.md. */
export const NODE_SAMPLING_INTERVAL_US = 1000;

/**
 * Loaded into every Node.js process of the command through NODE_OPTIONS=--require (Node 20 does
 * not accept --cpu-prof there): starts V8's sampling profiler through the inspector and writes a
 * .cpuprofile when the process exits, with frames mapped through the source maps the process
 * itself registered (tsx, --enable-source-maps).
 */
export const NODE_PRELOAD = `"use strict";
const dir = process.env.AUTO_OPTIMIZE_CPU_PROF_DIR;
if (dir) {
  const inspector = require("node:inspector");
  const fs = require("node:fs");
  const path = require("node:path");
  const { findSourceMap } = require("node:module");
  const { fileURLToPath } = require("node:url");
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", {
    interval: Number(process.env.AUTO_OPTIMIZE_CPU_PROF_INTERVAL) || ${NODE_SAMPLING_INTERVAL_US},
  });
  session.post("Profiler.start");
  let written = false;
  const mapFrames = (profile) => {
    for (const node of profile.nodes) {
      const cf = node.callFrame;
      if (!cf.url || cf.lineNumber < 0 || cf.url.startsWith("node:")) continue;
      let map;
      try {
        map = findSourceMap(cf.url) || (cf.url.startsWith("file:") && findSourceMap(fileURLToPath(cf.url)));
      } catch {}
      if (!map) continue;
      const entry = map.findEntry(cf.lineNumber, cf.columnNumber);
      if (entry && entry.originalSource) {
        for (const tick of node.positionTicks || []) {
          // The last mapping on the tick's line: the line's own code, not the line before.
          const at = map.findEntry(tick.line - 1, 1e6);
          tick.line = at && at.generatedLine === tick.line - 1 && at.originalSource === entry.originalSource ? at.originalLine + 1 : 0;
        }
        cf.url = entry.originalSource;
        cf.lineNumber = entry.originalLine;
        cf.columnNumber = entry.originalColumn;
      }
    }
  };
  process.on("exit", () => {
    if (written) return;
    written = true;
    session.post("Profiler.stop", (error, result) => {
      if (error || !result) return;
      try { mapFrames(result.profile); } catch {}
      fs.mkdirSync(dir, { recursive: true });
      const name = "CPU." + process.pid + "." + process.hrtime.bigint() + ".cpuprofile";
      fs.writeFileSync(path.join(dir, name), JSON.stringify(result.profile));
    });
  });
}
`;

/** Node.js: V8's sampling profiler in every node process the command starts, profiles merged. */
export async function profileNode(req: ProfileRequest): Promise<AdapterResult> {
  const intervalUs = req.intervalUs ?? NODE_SAMPLING_INTERVAL_US;
  const preload = join(req.workDir, "auto-optimize-cpu-prof.cjs");
  const outDir = join(req.workDir, "cpuprofiles");
  await writeFile(preload, NODE_PRELOAD);
  const inherited = req.env?.NODE_OPTIONS ?? process.env.NODE_OPTIONS;
  const nodeOptions = [inherited, `--require ${JSON.stringify(preload)}`].filter(Boolean).join(" ");
  const run = await runTool("/bin/sh", ["-c", req.command], {
    cwd: req.cwd,
    env: {
      ...req.env,
      NODE_OPTIONS: nodeOptions,
      AUTO_OPTIMIZE_CPU_PROF_DIR: outDir,
      AUTO_OPTIMIZE_CPU_PROF_INTERVAL: String(intervalUs),
    },
    timeoutMs: req.timeoutMs,
  });
  const tried = ["V8 sampling profiler (inspector, through NODE_OPTIONS=--require)"];
  requireProfiledSuccess(run, req.timeoutMs, tried);
  const files = await writtenProfiles(
    outDir,
    ".cpuprofile",
    tried,
    "the command ran but no Node.js process wrote a profile: does it run node (directly or through npm/npx/tsx)? A process that ends by a signal or process.abort() writes none. Pass --language to profile it another way.",
  );
  const profiles = await Promise.all(
    files.map(async (f) => {
      const path = join(outDir, f);
      return parseProfilerJson(await readFile(path, "utf8"), CpuProfileSchema, path, tried);
    }),
  );
  const data = parseCpuProfiles(profiles);
  const { mapped, malformed } = await applySourceMaps(data.frames, req.cwd, data.stacks);
  const notes = [
    `${files.length} Node.js process${files.length === 1 ? "" : "es"} profiled, sampling every ${intervalUs} µs`,
    ...(mapped > 0 ? [`${mapped} frames mapped back through source maps`] : []),
    ...malformed.map((problem) => `${problem}: its frames are shown unmapped`),
  ];
  return {
    profiler: "v8-cpu-profiler",
    data,
    runMs: run.wallMs,
    intervalUs,
    isGc: (frame) => frame.name === GC_NAME,
    notes,
  };
}
