import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";

/**
 * How busy the rest of the machine was during one round: the CPU time all processes used (from
 * /proc/stat) minus the round's own (its two runs' rusage and this process's), per second of the
 * round's wall time, in cores. Linux only; elsewhere nothing is recorded.
 */
export interface RoundContention {
  /** Other processes' CPU time over the round's wall time: 1.0 is one core busy throughout. */
  otherCores: number;
  /** The 1-minute load average at the round's end. */
  loadAverage: number;
}

export interface ContentionSettings {
  /** A round is contended when others kept more than this many cores busy during it. */
  thresholdCores: number;
  /** At most this many contended rounds are run again (both arms) in one comparison. */
  maxReruns: number;
}

/** Half the cores a single-threaded benchmark leaves free; on 2 cores, half a core. */
export function defaultContention(maxRounds: number): ContentionSettings {
  return {
    thresholdCores: Math.max(0.5, (availableParallelism() - 1) / 2),
    maxReruns: Math.max(2, Math.ceil(maxRounds / 4)),
  };
}

/** USER_HZ, the unit of /proc/stat: 100 on every Linux architecture the kernel ships. */
const TICKS_PER_SECOND = 100;

export interface ContentionProbe {
  /** Call before a round; the returned function, after it, with the round's runs' CPU times. */
  start(): (ownCpuMs: readonly (number | null)[], wallMs: number) => RoundContention | null;
}

/** A probe over `/proc/stat`, or null where it cannot be read (not Linux, or /proc hidden). */
export function contentionProbe(statFile = "/proc/stat"): ContentionProbe | null {
  if (busyTicks(statFile) === null) return null;
  return {
    start() {
      const ticks = busyTicks(statFile);
      const self = process.cpuUsage();
      return (ownCpuMs, wallMs) => {
        const after = busyTicks(statFile);
        // Without the runs' own CPU time the others' cannot be told apart.
        if (ticks === null || after === null || ownCpuMs.some((ms) => ms === null)) return null;
        const mine = process.cpuUsage(self);
        const ownMs =
          (ownCpuMs as number[]).reduce((x, y) => x + y, 0) + (mine.user + mine.system) / 1000;
        const allMs = ((after - ticks) * 1000) / TICKS_PER_SECOND;
        return {
          otherCores: wallMs > 0 ? Math.max(0, allMs - ownMs) / wallMs : 0,
          loadAverage: loadavg()[0] as number,
        };
      };
    },
  };
}

/** The busy ticks of all CPUs: user, nice, system, irq, softirq and steal of the `cpu` line. */
export function parseBusyTicks(stat: string): number | null {
  const line = stat.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) return null;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 8 || fields.some((f) => !Number.isFinite(f))) return null;
  const [user, nice, system, , , irq, softirq, steal] = fields as number[];
  return (
    (user as number) +
    (nice as number) +
    (system as number) +
    (irq as number) +
    (softirq as number) +
    (steal as number)
  );
}

function busyTicks(statFile: string): number | null {
  try {
    return parseBusyTicks(readFileSync(statFile, "utf8"));
  } catch {
    return null;
  }
}
