import { readFile } from "node:fs/promises";
import { SourceMap } from "node:module";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { parseJson } from "../parse-json.js";
import type { Frame, StackSample } from "./types.js";

const MAPPING_URL = /\/\/[#@] sourceMappingURL=(\S+)\s*$/;

/**
 * Follows source maps back to the original sources (TypeScript, bundles): a frame in a .js file
 * with a `sourceMappingURL` (a .map file or an inline data URL) gets the original file and line,
 * and so do the lines its samples were executing (`stacks`' leaf lines).
 * Files are shown relative to `cwd` when inside it. Frames without a usable map are kept as they
 * are; `malformed` says which maps could not be read as source maps, and why.
 */
export async function applySourceMaps(
  frames: Frame[],
  cwd: string,
  stacks: StackSample[] = [],
): Promise<{ mapped: number; malformed: string[] }> {
  const maps = new Map<string, Promise<LoadedMap>>();
  const malformed: string[] = [];
  const mapOf = async (frame: Frame | undefined): Promise<SourceMap | null> => {
    const path = toPath(frame?.file ?? null);
    if (!path || !/\.[cm]?js$/.test(path) || frame?.line === null) return null;
    let map = maps.get(path);
    if (!map) {
      map = loadMap(path);
      maps.set(path, map);
      const { problem } = await map;
      if (problem) malformed.push(problem);
    }
    return (await map).map;
  };
  for (const sample of stacks) {
    if (!sample.leafLines) continue;
    const map = await mapOf(frames[sample.stack[sample.stack.length - 1] as number]);
    if (map) sample.leafLines = mappedLines(map, sample.leafLines);
  }
  let mapped = 0;
  for (const frame of frames) {
    const path = toPath(frame.file);
    const sourceMap = await mapOf(frame);
    if (path && sourceMap && frame.line !== null) {
      const entry = sourceMap.findEntry(frame.line - 1, (frame.col ?? 1) - 1) as
        | { originalSource?: string; originalLine?: number; name?: string }
        | undefined;
      if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
        const source = entry.originalSource.startsWith("file:")
          ? fileURLToPath(entry.originalSource)
          : resolve(dirname(path), entry.originalSource);
        frame.file = source;
        frame.line = entry.originalLine + 1;
        mapped++;
      }
    }
    frame.file = display(frame.file, cwd);
  }
  return { mapped, malformed };
}

/** Generated lines → original lines, each through the last mapping on it (the line's own code). */
function mappedLines(map: SourceMap, lines: Map<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [line, count] of lines) {
    const entry = map.findEntry(line - 1, 1e6) as
      | { generatedLine?: number; originalLine?: number }
      | undefined;
    if (entry?.generatedLine !== line - 1 || entry.originalLine === undefined) continue;
    const original = entry.originalLine + 1;
    out.set(original, (out.get(original) ?? 0) + count);
  }
  return out;
}

function toPath(file: string | null): string | null {
  if (!file) return null;
  if (file.startsWith("file:")) {
    try {
      return fileURLToPath(file);
    } catch {
      return null;
    }
  }
  return isAbsolute(file) ? file : null;
}

/** A path relative to `cwd` when inside it; URLs other than file: and node: internals as they are. */
export function display(file: string | null, cwd: string): string | null {
  const path = toPath(file);
  if (!path) return file;
  const rel = relative(cwd, path);
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

/** The fields of a source map (version 3) that Node's SourceMap reads. */
const SourceMapJson = z.object({
  version: z.number(),
  file: z.string().optional(),
  sourceRoot: z.string().optional(),
  sources: z.array(z.string()),
  names: z.array(z.string()).optional(),
  mappings: z.string(),
});

/** A script's source map; `problem` says which map is malformed when one is named but unusable. */
interface LoadedMap {
  map: SourceMap | null;
  problem?: string;
}

async function loadMap(path: string): Promise<LoadedMap> {
  let source: string;
  let text: string;
  try {
    const code = await readFile(path, "utf8");
    const tail = code.trimEnd();
    const lastLine = tail.slice(tail.lastIndexOf("\n") + 1);
    const match = MAPPING_URL.exec(lastLine);
    if (!match) return { map: null };
    const url = match[1] as string;
    if (url.startsWith("data:")) {
      source = `the inline source map of ${path}`;
      const comma = url.indexOf(",");
      const body = url.slice(comma + 1);
      text = url.slice(0, comma).endsWith(";base64")
        ? Buffer.from(body, "base64").toString("utf8")
        : decodeURIComponent(body);
    } else {
      source = url.startsWith("file:") ? fileURLToPath(url) : resolve(dirname(path), url);
      text = await readFile(source, "utf8");
    }
  } catch {
    // A script or map that cannot be read (not shipped, deleted since the run) maps nothing.
    return { map: null };
  }
  try {
    const json = parseJson(text, SourceMapJson, (problem) => new Error(`${source} ${problem}`));
    return {
      map: new SourceMap({
        file: json.file ?? "",
        sourceRoot: json.sourceRoot ?? "",
        sources: json.sources,
        sourcesContent: [],
        names: json.names ?? [],
        mappings: json.mappings,
        version: json.version,
      }),
    };
  } catch (error) {
    return { map: null, problem: (error as Error).message };
  }
}
