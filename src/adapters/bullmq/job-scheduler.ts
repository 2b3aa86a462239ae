import type { Queue } from "bullmq";
import { JOBS, type JobScheduler } from "../../oncall/jobs.js";

/**
 * BullMQ priorities (1 goes first) of the jobs the dispatcher and the crew desk add to the dispatch
 * queue. Urgent reports (added by the web role) carry none, and BullMQ takes jobs without a
 * priority before every prioritized one: a new report is taken at the first free slot even while
 * many page jobs wait for their turn to send, so its incident is opened, and its first page
 * queued, at once. Page steps and the supervisors' alarm come next, what only informs last.
 */
export const DISPATCH_PRIORITY: Readonly<Record<string, number>> = {
  [JOBS.page]: 1,
  [JOBS.reportAlarm]: 1,
  [JOBS.moreReports]: 2,
  [JOBS.notifyTaken]: 2,
  [JOBS.notifyResidents]: 2,
};

/** Jobs onto a BullMQ queue: ids make adding idempotent, delays are BullMQ's delayed jobs. */
export class BullJobScheduler implements JobScheduler {
  constructor(private readonly queue: Queue) {}

  async add(name: string, data: object, options: { jobId: string; delay?: number }): Promise<void> {
    const priority = DISPATCH_PRIORITY[name];
    await this.queue.add(name, data, { jobId: options.jobId, ...(options.delay ? { delay: options.delay } : {}), ...(priority ? { priority } : {}) });
  }
}
