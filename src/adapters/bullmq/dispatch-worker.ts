import { Worker, type ConnectionOptions, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../../logger.js";
import { UrgentReport } from "../../domain/report.js";
import { DISPATCH_QUEUE } from "./report-queue.js";

export interface DispatchWorkerOptions {
  /** A worker connection (`maxRetriesPerRequest: null`). */
  connection: Redis;
  log: Logger;
  queueName?: string;
  bullPrefix?: string;
  concurrency?: number;
}

/**
 * The worker side of `oncall-dispatch`. For now it checks each report and logs it for the
 * crew's supervisor; paging the on-call crew builds on this.
 */
export function startDispatchWorker(options: DispatchWorkerOptions): Worker {
  const { log } = options;
  const worker = new Worker(
    options.queueName ?? DISPATCH_QUEUE,
    async (job: Job) => {
      const report = UrgentReport.parse(job.data);
      log.info(
        {
          jobId: job.id,
          reference: report.reference,
          category: report.category,
          location: report.location,
          recorded: Boolean(report.recordingUrl),
          callbackNumber: report.callbackNumber,
          callSid: report.callSid,
          receivedAt: report.receivedAt,
        },
        "urgent report received",
      );
      return { loggedAt: new Date().toISOString() };
    },
    {
      connection: options.connection as ConnectionOptions,
      concurrency: options.concurrency ?? 5,
      ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
    },
  );
  worker.on("failed", (job, error) => log.error({ jobId: job?.id, err: error }, "urgent report job failed"));
  worker.on("error", (error) => log.error({ err: error }, "dispatch worker error"));
  return worker;
}
