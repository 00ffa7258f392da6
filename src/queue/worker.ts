import { hostname } from "node:os";
import { type Job, Worker } from "bullmq";
import { runBuildJob } from "./build-job.js";
import { connectQueue } from "./connection.js";
import { BuildJob, type BuildResult, MeasureJob, type MeasureResult, QUEUES } from "./jobs.js";
import { runMeasureJob } from "./measure-job.js";
import type { QueueUrl } from "./url.js";
import { WorkerCache } from "./worker-cache.js";

export interface WorkerOptions {
  queue: QueueUrl;
  /** How results name this machine (default: the host name and the process id). */
  name?: string;
  /** Build/test jobs at once. */
  concurrency: number;
  /** Take comparison jobs (one at a time, nothing else meanwhile). */
  measure: boolean;
  cacheDir: string;
  /**
   * How long a job's lock lasts without renewal: a worker killed mid-job has its job re-queued
   * by another worker's stalled check within about this long.
   */
  lockMs: number;
  log: (line: string) => void;
}

export interface RunningWorker {
  name: string;
  /** Stops taking jobs, waits for the ones running, disconnects. */
  close(): Promise<void>;
}

/** How often a job may stall (its worker died) before it fails: the comparison restarts each time. */
export const MAX_STALLS = 2;

/**
 * A benchmark machine: build/test jobs up to `concurrency` at once, and unless told otherwise,
 * comparisons one at a time. While a comparison runs the build worker is paused (its running jobs
 * finished first), so nothing else competes for the machine; it resumes afterwards.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const name = options.name ?? `${hostname()}-${process.pid}`;
  const connection = await connectQueue(options.queue);
  const cache = new WorkerCache(options.cacheDir, connection);
  const settings = {
    connection,
    lockDuration: options.lockMs,
    stalledInterval: Math.max(1000, Math.round(options.lockMs / 2)),
    maxStalledCount: MAX_STALLS,
  };
  const logged = (kind: string, job: Job) => `${kind} ${job.id} (attempt ${job.attemptsMade + 1})`;
  const builds = new Worker<unknown, BuildResult>(
    QUEUES.build,
    async (job) => {
      options.log(`${logged("build/test", job)} started`);
      const result = await runBuildJob(BuildJob.parse(job.data), cache);
      options.log(`${logged("build/test", job)} ${result.ok ? "passed" : "failed"}`);
      return { ...result, worker: name };
    },
    { ...settings, concurrency: options.concurrency },
  );
  const measures = options.measure
    ? new Worker<unknown, MeasureResult>(
        QUEUES.measure,
        async (job) => {
          await builds.pause();
          try {
            options.log(`${logged("comparison", job)} started`);
            const result = await runMeasureJob(MeasureJob.parse(job.data), cache, name);
            options.log(`${logged("comparison", job)} done: ${result.outcome}`);
            return result;
          } finally {
            await builds.resume();
          }
        },
        { ...settings, concurrency: 1 },
      )
    : null;
  for (const worker of [builds, measures]) {
    worker?.on("failed", (job, error) => options.log(`${job?.id} failed: ${error.message}`));
    worker?.on("error", (error) => options.log(`queue error: ${error.message}`));
  }
  await builds.waitUntilReady();
  await measures?.waitUntilReady();
  return {
    name,
    close: async () => {
      await Promise.all([builds.close(), measures?.close()]);
      connection.disconnect();
    },
  };
}
