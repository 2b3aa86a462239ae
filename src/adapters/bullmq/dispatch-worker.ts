import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { PagerError, PagerStoppedError } from "../../domain/oncall/pager.js";
import { UrgentReport } from "../../domain/report.js";
import type { Logger } from "../../logger.js";
import { logWorkerErrors } from "../redis/outage-log.js";
import type { Dispatcher } from "../../oncall/dispatcher.js";
import { IncidentJobData, JOBS, PageJobData, readUnhandledReport, ReportAlarmJobData } from "../../oncall/jobs.js";
import { ZodError } from "zod";
import { DISPATCH_QUEUE, REPORT_BACKOFF, reportBackoffMs } from "./report-queue.js";

/**
 * How many dispatch jobs one worker runs at once. In a storm most of them are page jobs waiting for
 * their turn on the send queues (Twilio's limits, one a second by default), each holding a slot
 * while it waits; a waiting job costs a promise, not a CPU. The room must outlast a storm's
 * backlog: page jobs beyond it wait on the dispatch queue instead, and a job due there for a
 * minute makes /status say the worker is behind (a second worker would not help: the limits are
 * global). 200 holds a backlog of about 260 pages at one a second before that.
 */
export const DEFAULT_DISPATCH_CONCURRENCY = 200;

export interface DispatchWorkerOptions {
  /** A worker connection (`maxRetriesPerRequest: null`). */
  connection: Redis;
  dispatcher: Dispatcher;
  log: Logger;
  queueName?: string;
  bullPrefix?: string;
  /** @defaultValue {@link DEFAULT_DISPATCH_CONCURRENCY} */
  concurrency?: number;
  /** How long a worker's hold on a job lasts without renewal; a killed worker's jobs go back after it. */
  lockDuration?: number;
  /** How often this worker looks for jobs whose worker died. */
  stalledInterval?: number;
  /** Multiplies every retry's wait: a test plays a long outage out in seconds. @defaultValue 1 */
  backoffScale?: number;
  /**
   * Told of the worker's errors: a role hands them to its {@link RedisOutageLog}. By default a log
   * of its own, following this connection, says an outage in a few lines.
   */
  onError?: (error: Error) => void;
}

/** A job handed back by a stopping worker is due again after this: another worker, or this one restarted, takes it. */
const STOPPED_JOB_DELAY_MS = 1_000;

/**
 * A page still failing after this many tries (about 15 s of a provider refusing or not
 * answering) is an outage the operators must hear of: logged at error, not as a warning.
 */
export const OUTAGE_ATTEMPTS = 5;

/**
 * The worker side of `oncall-dispatch`: BullMQ hands each job to one worker, retries failures
 * with the backoff the job was added with, and recovers jobs a killed worker held.
 */
export function startDispatchWorker(options: DispatchWorkerOptions): Worker {
  const { log, dispatcher } = options;
  const run = (job: Job) => {
    switch (job.name) {
      case JOBS.report:
        return dispatcher.report(UrgentReport.parse(job.data));
      case JOBS.page:
        return dispatcher.page(PageJobData.parse(job.data), job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
      case JOBS.moreReports:
        return dispatcher.moreReports(IncidentJobData.parse(job.data).reference);
      case JOBS.notifyResidents:
        return dispatcher.notifyResidents(IncidentJobData.parse(job.data).reference);
      case JOBS.notifyTaken:
        return dispatcher.notifyTaken(IncidentJobData.parse(job.data).reference);
      case JOBS.reportAlarm: {
        const { report, reason, key } = ReportAlarmJobData.parse(job.data);
        return dispatcher.unhandledReport(report, reason, key);
      }
      default:
        throw new Error(`unknown job "${job.name}" on ${DISPATCH_QUEUE}`);
    }
  };
  const worker = new Worker(
    options.queueName ?? DISPATCH_QUEUE,
    async (job: Job, token?: string) => {
      try {
        return await run(job);
      } catch (error) {
        // This worker is stopping while the job waited for its send: handed back as it was, for
        // the next worker, with no try spent and nothing counted as failed (BullMQ's DelayedError).
        if (error instanceof PagerStoppedError && token) {
          log.info({ jobId: job.id, name: job.name, err: error.message }, "stopping: the job goes back to the queue for the next worker");
          await job.moveToDelayed(Date.now() + STOPPED_JOB_DELAY_MS, token);
          throw new DelayedError();
        }
        // Our credentials or sender number were refused: every retry would be refused too.
        if (error instanceof PagerError && error.failure === "rejected") {
          log.error(
            { jobId: job.id, name: job.name, status: error.detail.status, code: error.detail.code, err: error.message },
            "the provider rejected the page: not retried; check the Twilio credentials and sender number",
          );
          throw new UnrecoverableError(error.message);
        }
        // A job whose data does not parse never will: it fails for good now (a report's alarm follows).
        if (error instanceof ZodError) throw new UnrecoverableError(`the job's data is not valid: ${error.message}`);
        throw error;
      }
    },
    {
      connection: options.connection as ConnectionOptions,
      // Room for a storm's page jobs to wait for their sends while reports and acknowledgements'
      // jobs go on: see DEFAULT_DISPATCH_CONCURRENCY.
      concurrency: options.concurrency ?? DEFAULT_DISPATCH_CONCURRENCY,
      ...(options.lockDuration ? { lockDuration: options.lockDuration } : {}),
      ...(options.stalledInterval ? { stalledInterval: options.stalledInterval } : {}),
      ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string) => {
          if (type === REPORT_BACKOFF) return Math.round(reportBackoffMs(attemptsMade) * (options.backoffScale ?? 1));
          throw new Error(`unknown backoff "${type}" on ${DISPATCH_QUEUE}`);
        },
      },
    },
  );
  worker.on("failed", (job, error) => {
    if (!job) return;
    const final = error.name === "UnrecoverableError" || job.attemptsMade >= (job.opts.attempts ?? 1);
    const fields = { jobId: job.id, name: job.name, attempt: job.attemptsMade, final, err: error.message };
    if (!final && error instanceof PagerError && error.failure === "temporary" && job.attemptsMade >= OUTAGE_ATTEMPTS) {
      return log.error(fields, "pages are not getting through to Twilio (down, refusing or not answering): each is tried again until it is, nobody is skipped meanwhile");
    }
    if (!final) return log.warn(fields, "dispatch job failed: BullMQ retries it");
    log.error(fields, "dispatch job failed for good");
    // A job that stalled too often fails without running, so its own catch never moved the chain on.
    if (job.name === JOBS.page) void moveOn(job, error.message);
    if (job.name === JOBS.report) void raiseAlarm(job, error.message);
  });
  logWorkerErrors(worker, "dispatch worker", { log, connection: options.connection, onError: options.onError });

  /**
   * A report that could not be handled after every attempt: what was reported goes to the log at
   * error level at once (someone can act on it even if Redis is failing), and to the supervisors
   * by SMS through a job of its own.
   */
  async function raiseAlarm(job: Job, reason: string): Promise<void> {
    const report = readUnhandledReport(job.data);
    log.error(
      { jobId: job.id, ...report, callbackNumber: report.callbackNumber ?? null, err: reason },
      "ALARM: an urgent report could not be handed to the crew after every attempt: the supervisors are being texted",
    );
    try {
      await dispatcher.raiseUnhandledReport(report, job.id ?? `report-${report.reference ?? "unknown"}`, reason);
    } catch (error) {
      log.error({ jobId: job.id, err: error }, "ALARM: could not queue the supervisors' alarm for a failed report: page the crew by hand");
    }
  }

  async function moveOn(job: Job, reason: string): Promise<void> {
    try {
      await dispatcher.pageFailedForGood(PageJobData.parse(job.data), reason);
    } catch (error) {
      log.error({ jobId: job.id, err: error }, "could not move the chain on after a failed page");
    }
  }
  return worker;
}
