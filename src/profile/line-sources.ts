import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { Hotspot } from "./types.js";

const MAX_LENGTH = 160;

/** A source line's text, trimmed and clipped, by file (relative to `cwd`) and 1-based number. */
export type SourceLineReader = (file: string, line: number) => Promise<string | undefined>;

/** Reads each file once; a file that cannot be read gives no text. */
export function sourceLineReader(cwd: string): SourceLineReader {
  const files = new Map<string, Promise<string[] | null>>();
  return async (file, line) => {
    const path = isAbsolute(file) ? file : join(cwd, file);
    let text = files.get(path);
    if (!text) {
      text = readFile(path, "utf8").then(
        (t) => t.split("\n"),
        () => null,
      );
      files.set(path, text);
    }
    const source = (await text)?.[line - 1]?.trim();
    if (!source) return undefined;
    return source.length > MAX_LENGTH ? `${source.slice(0, MAX_LENGTH - 1)}…` : source;
  };
}

/** Puts each hot line's text beside its number, from the function's file (when it can be read). */
export async function addLineSources(hotspots: Hotspot[], cwd: string): Promise<void> {
  const read = sourceLineReader(cwd);
  for (const hotspot of hotspots) {
    if (!hotspot.lines?.length || !hotspot.file) continue;
    for (const hot of hotspot.lines) {
      const source = await read(hotspot.file, hot.line);
      if (source) hot.source = source;
    }
  }
}
