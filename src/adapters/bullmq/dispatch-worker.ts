import { Worker, type ConnectionOptions, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { UrgentReport } from "../../domain/report.js";
import type { Logger } from "../../logger.js";
import type { Dispatcher } from "../../oncall/dispatcher.js";
import { IncidentJobData, JOBS, PageJobData } from "../../oncall/jobs.js";
import { DISPATCH_QUEUE } from "./report-queue.js";

export interface DispatchWorkerOptions {
  /** A worker connection (`maxRetriesPerRequest: null`). */
  connection: Redis;
  dispatcher: Dispatcher;
  log: Logger;
  queueName?: string;
  bullPrefix?: string;
  concurrency?: number;
  /** How long a worker's hold on a job lasts without renewal; a killed worker's jobs go back after it. */
  lockDuration?: number;
  /** How often this worker looks for jobs whose worker died. */
  stalledInterval?: number;
}

/**
 * The worker side of `oncall-dispatch`: BullMQ hands each job to one worker, retries failures
 * with the backoff the job was added with, and recovers jobs a killed worker held.
 */
export function startDispatchWorker(options: DispatchWorkerOptions): Worker {
  const { log, dispatcher } = options;
  const worker = new Worker(
    options.queueName ?? DISPATCH_QUEUE,
    async (job: Job) => {
      switch (job.name) {
        case JOBS.report:
          return dispatcher.report(UrgentReport.parse(job.data));
        case JOBS.page:
          return dispatcher.page(PageJobData.parse(job.data), job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
        case JOBS.moreReports:
          return dispatcher.moreReports(IncidentJobData.parse(job.data).reference);
        case JOBS.notifyResidents:
          return dispatcher.notifyResidents(IncidentJobData.parse(job.data).reference);
        default:
          throw new Error(`unknown job "${job.name}" on ${DISPATCH_QUEUE}`);
      }
    },
    {
      connection: options.connection as ConnectionOptions,
      concurrency: options.concurrency ?? 20,
      ...(options.lockDuration ? { lockDuration: options.lockDuration } : {}),
      ...(options.stalledInterval ? { stalledInterval: options.stalledInterval } : {}),
      ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
    },
  );
  worker.on("failed", (job, error) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    log.error({ jobId: job.id, name: job.name, attempt: job.attemptsMade, final, err: error.message }, "dispatch job failed");
  });
  worker.on("error", (error) => log.error({ err: error }, "dispatch worker error"));
  return worker;
}
