import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { Hotspot } from "./types.js";

const MAX_LENGTH = 160;

/** Puts each hot line's text beside its number, from the function's file (when it can be read). */
export async function addLineSources(hotspots: Hotspot[], cwd: string): Promise<void> {
  const files = new Map<string, Promise<string[] | null>>();
  for (const hotspot of hotspots) {
    if (!hotspot.lines?.length || !hotspot.file) continue;
    const path = isAbsolute(hotspot.file) ? hotspot.file : join(cwd, hotspot.file);
    let text = files.get(path);
    if (!text) {
      text = readFile(path, "utf8").then(
        (t) => t.split("\n"),
        () => null,
      );
      files.set(path, text);
    }
    const lines = await text;
    if (!lines) continue;
    for (const hot of hotspot.lines) {
      const source = lines[hot.line - 1]?.trim();
      if (source)
        hot.source = source.length > MAX_LENGTH ? `${source.slice(0, MAX_LENGTH - 1)}…` : source;
    }
  }
}
