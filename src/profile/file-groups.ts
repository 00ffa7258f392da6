import { globMatcher } from "../workspace/files.js";
import type { FileGroup, Hotspot } from "./types.js";

/** Which files a profile's functions are in: the scope's, the benchmark's own (protected), or others. */
export interface FileGroups {
  scope: readonly string[];
  protect: readonly string[];
}

/**
 * Marks each hot spot with its group: a function in a file the scope matches is the planner's to
 * change; one in a protected file is the benchmark's own (setup, measurement); the rest (runtime,
 * libraries, files outside the repository) are elsewhere. Files are relative to the repository.
 */
export function groupHotspots(hotspots: Hotspot[], groups: FileGroups): Hotspot[] {
  const inScope = globMatcher(groups.scope);
  const isProtected = globMatcher(groups.protect);
  const groupOf = (file: string | null): FileGroup => {
    if (!file || file.startsWith("/") || /^[a-z]+:/.test(file) || file.startsWith("[")) {
      return "other";
    }
    if (isProtected(file)) return "benchmark";
    return inScope(file) ? "scope" : "other";
  };
  return hotspots.map((h) => ({ ...h, group: groupOf(h.file) }));
}
