import type { Queue } from "bullmq";
import type { JobScheduler } from "../../oncall/jobs.js";

/** Jobs onto a BullMQ queue: ids make adding idempotent, delays are BullMQ's delayed jobs. */
export class BullJobScheduler implements JobScheduler {
  constructor(private readonly queue: Queue) {}

  async add(name: string, data: object, options: { jobId: string; delay?: number }): Promise<void> {
    await this.queue.add(name, data, { jobId: options.jobId, ...(options.delay ? { delay: options.delay } : {}) });
  }
}
