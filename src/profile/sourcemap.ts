import { readFile } from "node:fs/promises";
import { SourceMap, type SourceMapPayload } from "node:module";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Frame } from "./types.js";

const MAPPING_URL = /\/\/[#@] sourceMappingURL=(\S+)\s*$/;

/**
 * Follows source maps back to the original sources (TypeScript, bundles): a frame in a .js file
 * with a `sourceMappingURL` (a .map file or an inline data URL) gets the original file and line.
 * Files are shown relative to `cwd` when inside it. Frames without a map are kept as they are.
 */
export async function applySourceMaps(frames: Frame[], cwd: string): Promise<number> {
  const maps = new Map<string, Promise<SourceMap | null>>();
  let mapped = 0;
  for (const frame of frames) {
    const path = toPath(frame.file);
    if (path && /\.[cm]?js$/.test(path) && frame.line !== null) {
      let map = maps.get(path);
      if (!map) {
        map = loadMap(path);
        maps.set(path, map);
      }
      const sourceMap = await map;
      const entry = sourceMap?.findEntry(frame.line - 1, (frame.col ?? 1) - 1) as
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
  return mapped;
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

async function loadMap(path: string): Promise<SourceMap | null> {
  try {
    const code = await readFile(path, "utf8");
    const tail = code.trimEnd();
    const lastLine = tail.slice(tail.lastIndexOf("\n") + 1);
    const match = MAPPING_URL.exec(lastLine);
    if (!match) return null;
    const url = match[1] as string;
    let text: string;
    if (url.startsWith("data:")) {
      const comma = url.indexOf(",");
      const body = url.slice(comma + 1);
      text = url.slice(0, comma).endsWith(";base64")
        ? Buffer.from(body, "base64").toString("utf8")
        : decodeURIComponent(body);
    } else {
      text = await readFile(
        url.startsWith("file:") ? fileURLToPath(url) : resolve(dirname(path), url),
        "utf8",
      );
    }
    return new SourceMap(JSON.parse(text) as SourceMapPayload);
  } catch {
    return null;
  }
}
