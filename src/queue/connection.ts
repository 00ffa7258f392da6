import { Redis } from "ioredis";
import { AutoOptimizeError } from "../errors.js";
import type { QueueUrl } from "./url.js";

/** How long reaching Redis may take before the command gives up, in milliseconds. */
export const CONNECT_TIMEOUT_MS = 5000;

/**
 * A connection to the queue's Redis, proven by a PING: an unreachable or refusing server is an
 * error naming the URL at once, not a wait. Once connected, a lost connection is retried
 * (BullMQ needs `maxRetriesPerRequest: null` for its blocking commands).
 */
export async function connectQueue(
  queue: QueueUrl,
  timeoutMs = CONNECT_TIMEOUT_MS,
): Promise<Redis> {
  const redis = new Redis(queue.url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
  });
  let lastError: Error | null = null;
  redis.on("error", (error: Error) => {
    lastError = error;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    redis.disconnect();
    const why = (lastError ?? (error as Error)).message;
    throw new AutoOptimizeError(
      "queue-unreachable",
      `cannot reach the queue's Redis at ${queue.shown} (${why}). Start redis-server there, or check the host, port, password and firewall, then run again: a run resumes where it stopped.`,
    );
  } finally {
    clearTimeout(timer);
  }
  return redis;
}
