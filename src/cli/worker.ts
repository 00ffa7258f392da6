import type { Command } from "commander";
import { parseInteger, parsePositive } from "../flag-numbers.js";
import { checkQueueUrl } from "../queue/url.js";
import { startWorker } from "../queue/worker.js";
import { defaultWorkerCache } from "../queue/worker-cache.js";
import { QUEUE_SECURITY } from "./queue-options.js";

interface WorkerFlags {
  queue: string;
  name?: string;
  concurrency: string;
  measure: boolean;
  cache?: string;
  lockSeconds: string;
  insecure?: boolean;
}

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description(
      "Serve a Redis queue as a benchmark machine: build/test jobs of `run --queue` and `step evaluate --queue` (several at once), and comparisons one at a time, doing nothing else while one runs. Code arrives as git bundles, cached per repository.",
    )
    .requiredOption("--queue <url>", "the queue's Redis: redis://HOST:PORT or rediss://HOST:PORT")
    .option("--name <name>", "how results name this machine (default: host name and process id)")
    .option("--concurrency <n>", "build/test jobs at once", "1")
    .option("--no-measure", "take build/test jobs only, never comparisons")
    .option("--cache <dir>", `where repositories are kept (default: ${defaultWorkerCache()})`)
    .option(
      "--lock-seconds <s>",
      "a job whose worker stops renewing its lock this long is handed to another worker",
      "30",
    )
    .option("--insecure", "accept a queue off this machine without a password or TLS")
    .addHelpText("after", `\nSecurity: ${QUEUE_SECURITY}\n`)
    .action(async (flags: WorkerFlags) => {
      const queue = checkQueueUrl(flags.queue, { insecure: flags.insecure });
      const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      const worker = await startWorker({
        queue,
        ...(flags.name && { name: flags.name }),
        concurrency: parseInteger("--concurrency", flags.concurrency, 1),
        measure: flags.measure,
        cacheDir: flags.cache ?? defaultWorkerCache(),
        lockMs: 1000 * parsePositive("--lock-seconds", flags.lockSeconds, "seconds"),
        log,
      });
      log(
        `worker ${worker.name} serving ${queue.shown} (${flags.measure ? "builds, tests and comparisons" : "builds and tests only"}); Ctrl-C stops it after its running jobs`,
      );
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log(
            `${signal}: finishing the running jobs (again to stop at once: they go to another worker)`,
          );
          process.once("SIGINT", () => process.exit(130));
          process.once("SIGTERM", () => process.exit(143));
          void worker.close().then(resolve);
        };
        process.once("SIGINT", () => stop("SIGINT"));
        process.once("SIGTERM", () => stop("SIGTERM"));
      });
      log(`worker ${worker.name} stopped`);
    });
}
