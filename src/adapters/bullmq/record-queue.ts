import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from "bullmq";
import { cappedBackoffMs } from "./backoff.js";
import type { Redis } from "ioredis";
import { ZodError } from "zod";
import type { RecordEvent, RecordKeeper } from "../../domain/ports.js";
import type { Logger } from "../../logger.js";
import { logWorkerErrors } from "../redis/outage-log.js";

/** The BullMQ queue records travel on from the web role to the worker. Part of the deployment: do not rename. */
export const RECORDS_QUEUE = "records";

/** The nightly job that removes call records past their retention. */
export const RETENTION_JOB = "retention";

/** The name of the records jobs' backoff. */
const RECORDS_BACKOFF = "records";

/**
 * A record is retried until the database takes it: waits doubling from a second up to a minute,
 * then a try a minute for about ten weeks. A database outage of any length that people fix is
 * outlasted, and the records go in within a minute of its return.
 */
const RECORD_JOB_OPTIONS = { attempts: 100_000, backoff: { type: RECORDS_BACKOFF } } as const;

/** The wait before a record's `attempt`th retry: doubling from a second, capped at a minute, with jitter. */
export function recordBackoffMs(attempt: number, random: () => number = Math.random): number {
  return cappedBackoffMs(attempt, 1_000, 60_000, random);
}

/** The BullMQ id of an event: derived from what it is about, so handing it over twice queues it once. */
export function recordJobId(event: RecordEvent): string {
  const safe = (value: string) => value.replace(/[^A-Za-z0-9_-]/g, "_");
  switch (event.type) {
    case "call-ended":
      return `call-${safe(event.call.callSid)}-${event.call.revision}`;
    case "report-filed":
      return `report-${safe(event.report.reference)}`;
    case "incident-event": {
      const { kind, step, channel, at } = event.event;
      return `incident-${safe(event.incident)}-${kind}-${step ?? "x"}-${channel ?? "x"}-${safe(at)}`;
    }
  }
}

export function createRecordsQueue(connection: Redis, options: { queueName?: string; bullPrefix?: string } = {}): Queue {
  return new Queue(options.queueName ?? RECORDS_QUEUE, {
    connection: connection as ConnectionOptions,
    ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
    defaultJobOptions: {
      ...RECORD_JOB_OPTIONS,
      // Written records need no keeping in Redis; a day is enough for a late retry to find its id.
      removeOnComplete: { age: 24 * 60 * 60 },
      // A record that could not be written is kept until someone looks (npm run oncall -- status shows it).
      removeOnFail: false,
    },
  });
}

/** Hands records to the worker on the `records` queue: one job per event, however often it is handed over. */
export class BullRecordKeeper implements RecordKeeper {
  constructor(readonly queue: Queue) {}

  async keep(event: RecordEvent): Promise<void> {
    await this.queue.add(event.type, event, { jobId: recordJobId(event) });
  }
}

/** What the records worker does with each job. */
export interface RecordsProcessor {
  write(event: RecordEvent): Promise<void>;
  /** Removes call records past their retention; returns how many. */
  removeExpired(): Promise<number>;
}

export interface RecordsWorkerOptions {
  /** A worker connection (`maxRetriesPerRequest: null`). */
  connection: Redis;
  processor: RecordsProcessor;
  log: Logger;
  queueName?: string;
  bullPrefix?: string;
  /** Waits before retries; {@link recordBackoffMs} unless a test asks for shorter. */
  backoffMs?: (attempt: number) => number;
  /**
   * Told of the worker's errors: a role hands them to its {@link RedisOutageLog}. By default a log
   * of its own, following this connection, says an outage in a few lines.
   */
  onError?: (error: Error) => void;
}

/**
 * The worker side of `records`: writes each event to the database. While the database is down
 * every job waits and is tried again; a job whose data cannot be a record fails for good, logged.
 */
export function startRecordsWorker(options: RecordsWorkerOptions): Worker {
  const { log, processor } = options;
  const backoff = options.backoffMs ?? recordBackoffMs;
  const worker = new Worker(
    options.queueName ?? RECORDS_QUEUE,
    async (job: Job) => {
      try {
        if (job.name === RETENTION_JOB) {
          const removed = await processor.removeExpired();
          log.info({ removed }, "records: call records past their retention removed");
          return;
        }
        await processor.write(job.data as RecordEvent);
      } catch (error) {
        if (error instanceof ZodError) throw new UnrecoverableError(`the record is not valid: ${error.message}`);
        // Said once when the trouble starts and then every tenth try, not on every retry.
        if (job.attemptsMade % 10 === 0) {
          log.error({ jobId: job.id, attempt: job.attemptsMade + 1, err: error instanceof Error ? error.message : String(error) }, "records: could not write to the database; kept in Redis and retried");
        }
        throw error;
      }
    },
    {
      connection: options.connection as ConnectionOptions,
      concurrency: 4,
      ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string) => {
          if (type === RECORDS_BACKOFF) return backoff(attemptsMade);
          throw new Error(`unknown backoff "${type}" on ${RECORDS_QUEUE}`);
        },
      },
    },
  );
  worker.on("failed", (job, error) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) log.error({ jobId: job.id, err: error.message }, "records: a record could not be written and was given up");
  });
  // Without a listener BullMQ prints each error (a Redis that went away) to stderr, outside the log.
  logWorkerErrors(worker, "records worker", { log, connection: options.connection, onError: options.onError });
  return worker;
}

/**
 * Schedules the nightly retention job (03:15 in the City's zone), once however many workers
 * start: BullMQ's job scheduler keeps one schedule per id.
 */
export async function scheduleRetention(queue: Queue, zone: string): Promise<void> {
  await queue.upsertJobScheduler("records-retention", { pattern: "15 3 * * *", tz: zone }, { name: RETENTION_JOB, opts: { attempts: 5, backoff: { type: "exponential", delay: 60_000 } } });
}
