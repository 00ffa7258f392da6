import type { Command } from "commander";
import type { Experiment } from "../experiment/schema.js";
import { QueueClient } from "../queue/client.js";
import { checkQueueUrl, type QueueUrl } from "../queue/url.js";

export interface QueueFlags {
  queue?: string;
  insecure?: boolean;
}

/** What --queue and --insecure say, and why a URL off this machine needs credentials. */
export const QUEUE_SECURITY =
  "The queue carries commands the workers run: a loopback Redis (127.0.0.1, localhost, ::1) needs nothing, any other host needs a password in the URL (redis://:PASSWORD@HOST:PORT) or TLS (rediss://), else it is refused unless --insecure is given.";

export function addQueueOptions(command: Command, what: string): Command {
  return command
    .option("--queue <url>", `${what} on the workers of this Redis queue (redis://HOST:PORT)`)
    .option("--insecure", "accept a --queue off this machine without a password or TLS")
    .addHelpText("after", `\nQueue security: ${QUEUE_SECURITY}\n`);
}

/** The checked URL of --queue (bad input exits 2 before anything runs), or null without it. */
export function queueUrlOf(flags: QueueFlags): QueueUrl | null {
  return flags.queue ? checkQueueUrl(flags.queue, { insecure: flags.insecure }) : null;
}

/** The queue's client for an experiment, connected (an unreachable Redis fails here), or undefined. */
export async function openQueue(
  url: QueueUrl | null,
  root: string,
  experiment: Experiment,
): Promise<QueueClient | undefined> {
  return url ? QueueClient.open(url, root, experiment) : undefined;
}
