import { pathWordsIn } from "../workspace/command-paths.js";

/**
 * The repository files a shell command names, e.g. `bench.js` in `node bench.js --n 3` or
 * `bench/data.json` in `--input=./bench/data.json`: the benchmark's own files, to be protected.
 */
export function filesNamedIn(commands: readonly string[], files: readonly string[]): string[] {
  const known = new Set(files);
  return [...new Set(commands.flatMap(pathWordsIn).filter((path) => known.has(path)))].sort();
}

/** A path as a glob that matches only itself. */
export function literalGlob(path: string): string {
  return path.replace(/[*?[\]{}()!+@\\]/g, "\\$&");
}
