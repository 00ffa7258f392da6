import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { detectConfinement } from "../measure/confinement.js";
import type { RunIsolation } from "../measure/run-isolation.js";
import { runSample } from "../measure/sample.js";
import { createRng } from "../measure/stats/prng.js";
import { median } from "../measure/stats/robust.js";

/**
 * What isolating a run costs: the same command run plain, with a fresh TMPDIR and HOME, and with
 * those inside bubblewrap, interleaved in random order in every round on this machine. Prints the
 * median wall time of each and the median of the per-round differences and ratios to plain.
 * Usage: npm run build && node dist/bench/isolation-overhead.js [--rounds N]
 */
const at = process.argv.indexOf("--rounds");
const rounds = Number(at >= 0 ? process.argv[at + 1] : 40);

const checkout = mkdtempSync(join(tmpdir(), "auto-optimize-isolation-bench-"));
writeFileSync(
  join(checkout, "work.js"),
  'let s = 0; for (let i = 0; i < 2e7; i++) s += i % 7; console.log("sum: " + s);\n',
);
const commands = [
  { name: "sh -c true", command: "true" },
  { name: "node, ~20 ms of work", command: "node work.js" },
];

const confinement = await detectConfinement();
const fresh: RunIsolation = {
  confinement: { kind: "none", reason: "measured without" },
  writable: [checkout],
  network: false,
};
const modes: { name: string; isolation?: RunIsolation }[] = [
  { name: "plain" },
  { name: "fresh TMPDIR/HOME", isolation: fresh },
];
if (confinement.kind === "bwrap")
  modes.push({ name: "bubblewrap", isolation: { ...fresh, confinement } });
else console.log(`bubblewrap not measured: ${confinement.reason}`);

const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(2)}`;
const rng = createRng(20261201);
const [load1] = loadavg();
console.log(`${rounds} rounds, ${cpus().length} cores, load average ${load1?.toFixed(2)} at start`);
for (const { name, command } of commands) {
  const walls: number[][] = modes.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = modes.map((_, i) => i).sort(() => rng.next() - 0.5);
    for (const i of order) {
      const sample = await runSample({
        command,
        cwd: checkout,
        timeoutMs: 60_000,
        isolation: modes[i]?.isolation,
      });
      if (!sample.ok) throw new Error(`${command} failed: ${sample.failure?.message}`);
      walls[i]?.push(sample.wallMs);
    }
  }
  console.log(`\n${name}`);
  const plain = walls[0] as number[];
  modes.forEach((mode, i) => {
    const own = walls[i] as number[];
    const diffs = own.map((w, r) => w - (plain[r] as number));
    const ratios = own.map((w, r) => w / (plain[r] as number));
    console.log(
      `  ${mode.name.padEnd(18)} median ${median(own).toFixed(2)} ms` +
        (i === 0
          ? ""
          : `, ${signed(median(diffs))} ms per run (median of per-round differences), ×${median(ratios).toFixed(3)}`),
    );
  });
}
const [loadEnd] = loadavg();
console.log(`\nload average ${loadEnd?.toFixed(2)} at the end`);
rmSync(checkout, { recursive: true, force: true });
