import { UsageError } from "../errors.js";

/** A Redis URL the queue may use, checked: its text, and how messages name it (no password). */
export interface QueueUrl {
  url: string;
  shown: string;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;

/**
 * Checks the queue's Redis URL. The queue carries commands that workers run, so whoever reaches
 * Redis runs code on the benchmark machines: a loopback host needs nothing, any other needs a
 * password in the URL or TLS (rediss://), unless `insecure` (the user's own network, said so).
 */
export function checkQueueUrl(text: string, options: { insecure?: boolean } = {}): QueueUrl {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new UsageError(
      "bad-queue-url",
      `--queue '${text}' is not a URL: give redis://HOST:PORT (or rediss:// for TLS), e.g. redis://127.0.0.1:6379.`,
    );
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new UsageError(
      "bad-queue-url",
      `--queue '${text}' is a ${parsed.protocol} URL: the queue is a Redis server, redis://HOST:PORT or rediss://HOST:PORT.`,
    );
  }
  if (!parsed.hostname) {
    throw new UsageError("bad-queue-url", `--queue '${text}' names no host: redis://HOST:PORT.`);
  }
  const shown = shownUrl(parsed);
  const guarded = parsed.password !== "" || parsed.protocol === "rediss:";
  if (!LOOPBACK.test(parsed.hostname) && !guarded && !options.insecure) {
    throw new UsageError(
      "insecure-queue-url",
      `--queue ${shown} is not on this machine and has neither a password nor TLS: whoever reaches that Redis can make the workers run commands. Put a password in the URL (redis://:PASSWORD@${parsed.host}), use rediss:// for TLS, or pass --insecure if the network is yours alone.`,
    );
  }
  return { url: text, shown };
}

/** The URL as messages show it: the password replaced by ***. */
function shownUrl(parsed: URL): string {
  if (!parsed.password) return parsed.href;
  const copy = new URL(parsed.href);
  copy.password = "***";
  return copy.href;
}
