import { createHash } from "node:crypto";
import { type Job, Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import type { Experiment } from "../experiment/schema.js";
import { BenchRunError } from "../measure/bench-failure.js";
import type { CommandResult } from "../measure/check-run.js";
import { git } from "../workspace/git.js";
import { publishRevisions } from "./bundles.js";
import { connectQueue } from "./connection.js";
import {
  type BuildJob as BuildJobData,
  BuildResult,
  type MeasureJob,
  MeasureResult,
  QUEUES,
} from "./jobs.js";
import { decideRemote, type RemoteComparison } from "./remote-result.js";
import type { QueueUrl } from "./url.js";

/** Attempts of one job: a job that keeps failing (a worker's error, stalls) fails after these. */
export const JOB_ATTEMPTS = 3;

type Revision = MeasureJob["best"];
export type ComparisonRequest = Omit<MeasureJob, "repository" | "experiment">;

/**
 * The controller's side of the queue: it publishes the commits a job needs as bundles, adds the
 * job under an id derived from its content (the same job asked again — a resumed run — is adopted,
 * a failed one replaced), waits for its result and turns it into what the local path returns.
 */
export class QueueClient {
  private constructor(
    private readonly connection: Redis,
    private readonly queues: { build: Queue; measure: Queue },
    private readonly events: { build: QueueEvents; measure: QueueEvents },
    private readonly root: string,
    private readonly experiment: Experiment,
    /** The repository's id on the workers: from its root commit, the same for every clone. */
    readonly repository: string,
    readonly shown: string,
  ) {}

  /** Connects, failing fast with an error naming the URL. */
  static async open(queue: QueueUrl, root: string, experiment: Experiment): Promise<QueueClient> {
    const connection = await connectQueue(queue);
    const roots = await git(["rev-list", "--max-parents=0", experiment.baseCommit], root);
    const repository = createHash("sha256").update(roots).digest("hex").slice(0, 24);
    const queues = {
      build: new Queue(QUEUES.build, { connection }),
      measure: new Queue(QUEUES.measure, { connection }),
    };
    const events = {
      build: new QueueEvents(QUEUES.build, { connection: connection.duplicate() }),
      measure: new QueueEvents(QUEUES.measure, { connection: connection.duplicate() }),
    };
    return new QueueClient(connection, queues, events, root, experiment, repository, queue.shown);
  }

  /** Builds and tests a commit on a worker: the result the local runCheckCommand gives. */
  async buildAndTest(revision: Revision, isolated: boolean): Promise<CommandResult> {
    const data: BuildJobData = { ...this.base(), revision, isolated };
    await publishRevisions(this.connection, this.root, this.repository, [revision.commit]);
    try {
      const result = BuildResult.parse(await this.run("build", data));
      const { worker: _worker, ...local } = result;
      return local;
    } catch (error) {
      if (!(error instanceof JobFailed)) throw error;
      return { ok: false, report: `the build/test job ${error.message}` };
    }
  }

  /** Compares on one worker, decided here from its raw rounds (remote-result.ts). */
  async compare(request: ComparisonRequest): Promise<RemoteComparison> {
    const job: MeasureJob = { ...this.base(), ...request };
    const commits = [request.best.commit, request.candidate.commit];
    await publishRevisions(this.connection, this.root, this.repository, commits);
    try {
      return decideRemote(job, MeasureResult.parse(await this.run("measure", job)));
    } catch (error) {
      if (!(error instanceof JobFailed)) throw error;
      throw new BenchRunError(
        "queue-job-failed",
        `the comparison job ${error.message}`,
        1,
        "crashed",
        "",
        "B",
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all([
      this.queues.build.close(),
      this.queues.measure.close(),
      this.events.build.close(),
      this.events.measure.close(),
    ]);
    this.connection.disconnect();
  }

  private base(): Pick<MeasureJob, "repository" | "experiment"> {
    return { repository: this.repository, experiment: this.experiment };
  }

  private async run(kind: "build" | "measure", data: object): Promise<unknown> {
    const queue = this.queues[kind];
    const id = `${kind}-${createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 32)}`;
    const existing: Job | undefined = await queue.getJob(id);
    if (existing && (await existing.isFailed())) await existing.remove();
    const job = await queue.add(kind, data, {
      jobId: id,
      attempts: JOB_ATTEMPTS,
      backoff: { type: "fixed", delay: 1000 },
      removeOnComplete: { age: 24 * 3600 },
      removeOnFail: { age: 24 * 3600 },
    });
    try {
      return await job.waitUntilFinished(this.events[kind]);
    } catch (error) {
      throw new JobFailed(
        `failed ${JOB_ATTEMPTS} times on the queue ${this.shown}; last: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Cancels the jobs of this experiment still waiting, left by a killed controller: their
   * iteration is abandoned on resume, and nobody reads them. Called with the run lock held, so
   * they cannot be another live run's.
   */
  async cancelLeftOver(): Promise<void> {
    for (const queue of [this.queues.build, this.queues.measure]) {
      for (const job of await queue.getJobs(["waiting", "prioritized", "delayed"])) {
        const data = job.data as Partial<BuildJobData> | undefined;
        const ours =
          data?.repository === this.repository &&
          data.experiment?.id === this.experiment.id &&
          data.experiment?.slug === this.experiment.slug;
        if (ours) await job.remove().catch(() => undefined);
      }
    }
  }
}

class JobFailed extends Error {}
