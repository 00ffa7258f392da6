/**
 * The repository files a shell command names, e.g. `bench.js` in `node bench.js --n 3` or
 * `bench/data.json` in `--input=./bench/data.json`: the benchmark's own files, to be protected.
 */
export function filesNamedIn(commands: readonly string[], files: readonly string[]): string[] {
  const known = new Set(files);
  const found = new Set<string>();
  for (const command of commands) {
    for (const word of command.split(/[\s;|&<>()]+/)) {
      const unquoted = word.replace(/^['"]+|['"]+$/g, "");
      for (const candidate of [unquoted, unquoted.slice(unquoted.indexOf("=") + 1)]) {
        const path = candidate.replace(/^(\.\/)+/, "");
        if (known.has(path)) found.add(path);
      }
    }
  }
  return [...found].sort();
}

/** A path as a glob that matches only itself. */
export function literalGlob(path: string): string {
  return path.replace(/[*?[\]{}()!+@\\]/g, "\\$&");
}
