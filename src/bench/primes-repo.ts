import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const example = fileURLToPath(new URL("../../examples/primes", import.meta.url));

// The benchmark times WORK calls of countPrimes(100000) per measurement.
const bench = `import { readFileSync } from "node:fs";
import { countPrimes } from "./primes.js";
const work = Number(readFileSync("work.txt", "utf8"));
countPrimes(100000);
const times = [];
for (let r = 0; r < 3; r++) {
  const start = performance.now();
  for (let i = 0; i < work; i++) countPrimes(100000);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log("work_ms: " + times[1].toFixed(3) + " ms");
`;

/**
 * A temporary copy of `examples/primes` with two commits: HEAD~1 does `before` units of work per
 * measurement, HEAD does `after` (a known saving of 1 − after/before). The caller removes it.
 */
export function primesRepo(before: number, after: number): string {
  const repo = mkdtempSync(join(tmpdir(), "auto-optimize-real-"));
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@localhost", ...args], {
      cwd: repo,
      encoding: "utf8",
    }).trim();
  git("init", "--quiet");
  cpSync(join(example, "primes.js"), join(repo, "primes.js"));
  writeFileSync(join(repo, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(repo, "bench.mjs"), bench);
  writeFileSync(join(repo, "work.txt"), `${before}\n`);
  git("add", "-A");
  git("commit", "--quiet", "-m", `${before} units of work`);
  writeFileSync(join(repo, "work.txt"), `${after}\n`);
  git("commit", "--quiet", "-am", `${after} units of work`);
  return repo;
}
