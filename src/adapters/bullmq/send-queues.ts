import { Queue, Worker, type ConnectionOptions, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { PagerError, type OutboxOptions, type Pager, type PagePriority, type SmsOutbox } from "../../domain/oncall/pager.js";
import { maskPhone } from "../../domain/phone.js";
import { DROPPABLE_KINDS, type SendScreen } from "../../domain/oncall/stale-sends.js";
import { sendIntervalMs, smsSegments, type SendingRates } from "../../domain/oncall/sending-limits.js";
import type { Logger } from "../../logger.js";
import { logWorkerErrors } from "../redis/outage-log.js";

/**
 * The BullMQ queues every outbound SMS and call waits on, one per kind because Twilio limits each
 * kind on its own. Part of the deployment contract: do not rename.
 */
export const SEND_QUEUES = { sms: "twilio-sms", calls: "twilio-calls" } as const;

/**
 * BullMQ priorities (1 goes first) of what waits under the limits. Every send job carries one:
 * BullMQ takes jobs without a priority before all prioritized ones.
 */
export const SEND_PRIORITY: Readonly<Record<PagePriority, number>> = { "first-page": 1, escalation: 2, update: 3, resident: 4, notice: 5 };

/** Which of the line's numbers an SMS comes from: the crew's, or the residents' (TWILIO_RESIDENT_FROM_NUMBER). */
export type Sender = "crew" | "residents";

/** A send's `droppable` (see `whyStale`): what it is and which incident it is about. */
const DroppableData = z.object({ incident: z.string(), kind: z.enum(DROPPABLE_KINDS), step: z.number().int().optional(), name: z.string().optional() });

export const SmsJobData = z.object({
  to: z.string(),
  body: z.string(),
  sender: z.enum(["crew", "residents"]),
  /** Set on a text nobody waits for ({@link SendQueueOutbox}): what the send worker logs should it fail. */
  ifFailed: z.string().optional(),
  /** Set on a send that is dropped when its turn comes if the incident moved on meanwhile. */
  droppable: DroppableData.optional(),
});
export type SmsJob = z.infer<typeof SmsJobData>;
export const CallJobData = z.object({ to: z.string(), url: z.string(), droppable: DroppableData.optional() });
export type CallJob = z.infer<typeof CallJobData>;

/**
 * What a send job returns: every outcome is a value, so the side waiting for it rebuilds the
 * {@link PagerError} the pager threw (or the `SendWithdrawnError` of a send dropped at its turn),
 * and BullMQ's own failures mean only that the job itself broke.
 */
export const SendOutcome = z.union([
  z.object({ ok: z.literal(true), sid: z.string() }),
  z.object({
    ok: z.literal(false),
    failure: z.enum(["bad-number", "temporary", "rejected"]),
    message: z.string(),
    detail: z.object({ status: z.number().optional(), code: z.number().optional(), to: z.string().optional(), retryAfterMs: z.number().optional() }),
  }),
  /** Not sent: the incident moved on while it waited (why, in words). */
  z.object({ ok: z.literal(false), withdrawn: z.string() }),
]);
export type SendOutcome = z.infer<typeof SendOutcome>;

/** Where the send queues are: their names and BullMQ prefix, for tests that keep their own. */
export interface SendQueueNames {
  /** @defaultValue {@link SEND_QUEUES} */
  names?: { sms: string; calls: string };
  bullPrefix?: string;
}

/** How long finished send jobs are kept: as long as the dispatch queue keeps its jobs, so a page job retried within that time finds what its send did. */
const KEEP_COMPLETED_SECONDS = 7 * 24 * 60 * 60;
const KEEP_FAILED_SECONDS = 30 * 24 * 60 * 60;

/** One of the send queues, as the side that adds sends opens it. */
export function createSendQueue(connection: Redis, kind: "sms" | "calls", options: SendQueueNames = {}): Queue {
  return new Queue((options.names ?? SEND_QUEUES)[kind], {
    connection: connection as ConnectionOptions,
    ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
    defaultJobOptions: {
      // Retrying is the page job's decision (it knows what the failure means for the chain); a
      // send is tried once, or put back by a 429 without spending its attempt.
      attempts: 1,
      removeOnComplete: { age: KEEP_COMPLETED_SECONDS },
      removeOnFail: { age: KEEP_FAILED_SECONDS },
    },
  });
}

/**
 * BullMQ's limiter for `perSecond` sends of a kind: one job every {@link sendIntervalMs}. BullMQ
 * keeps it in Redis, so it holds across every worker of every process; one per window spaces
 * sends evenly, where `max: n` a second would let 2n out in a burst across a window's edge.
 */
export function sendLimiter(perSecond: number): { max: number; duration: number } {
  return { max: 1, duration: sendIntervalMs(perSecond) };
}

/**
 * How many sends of a kind one worker may have in flight: five seconds' worth at the rate, so a
 * Twilio slow to answer does not hold the rate down (the limiter, not this, keeps the rate).
 */
function concurrencyFor(perSecond: number): number {
  return Math.min(50, Math.max(2, Math.ceil(perSecond * 5)));
}

/** A failure that says how long to hold every send of its kind: Twilio's Retry-After, or one interval for a 429 without one. */
function pauseFor(error: PagerError, intervalMs: number): number | undefined {
  if (error.failure !== "temporary") return undefined;
  if (error.detail.retryAfterMs !== undefined) return Math.max(error.detail.retryAfterMs, intervalMs);
  return error.detail.status === 429 ? intervalMs : undefined;
}

export interface SendWorkersOptions extends SendQueueNames {
  /** A worker connection (`maxRetriesPerRequest: null`); both send workers share it. */
  connection: Redis;
  /** The pagers that really send: the crew's number, and the residents' (the crew's when left out). */
  pagers: { crew: Pager; residents?: Pager };
  rates: SendingRates;
  log: Logger;
  /** A name for this process's workers, kept on each job as `processedBy`. */
  name?: string;
  /** @defaultValue BullMQ's 30 s */
  lockDuration?: number;
  /** @defaultValue BullMQ's 30 s */
  stalledInterval?: number;
  /**
   * Told of the worker's errors: a role hands them to its {@link RedisOutageLog}. By default a log
   * of its own, following this connection, says an outage in a few lines.
   */
  onError?: (error: Error) => void;
  /**
   * Asked when a send marked `droppable` has its turn, before it is sent: a reason drops it (see
   * `whyStale`). Left out, every send goes.
   */
  screen?: SendScreen;
}

/** The workers of the two send queues in this process. */
export interface SendWorkers {
  sms: Worker;
  calls: Worker;
  close(): Promise<void>;
}

/**
 * The workers that send: each takes one job at a time off its queue as BullMQ's limiter lets it
 * (global across every worker process), highest priority first, and sends it through the real
 * pager. A Twilio failure is the job's result, never a thrown error; a 429 (or a 5xx with
 * `Retry-After`) instead pauses the whole queue for as long as Twilio asked (BullMQ's manual rate
 * limit) and puts the job back at the head of its priority, without spending its attempt.
 *
 * Nothing notes a send between Twilio taking it and its job completing: a worker killed outright
 * in that moment leaves the job active, BullMQ hands it out again once its lock runs out, and the
 * send goes out a second time. Stopped with `close()`, a worker finishes the sends it holds.
 */
export function startSendWorkers(options: SendWorkersOptions): SendWorkers {
  const { log, pagers } = options;
  const names = options.names ?? SEND_QUEUES;
  // The handle each worker pauses its whole queue through on a 429 (BullMQ's `queue.rateLimit`).
  const pausers: Queue[] = [];
  /**
   * @param slots - how many of the limit's slots a send takes: an SMS's segments (Twilio's long-code
   *   limit counts segments), a call one
   */
  const start = <Data extends SmsJob | CallJob>(kind: "sms" | "calls", perSecond: number, send: (data: Data) => Promise<string>, slots: (data: Data) => number = () => 1): Worker => {
    const limiter = sendLimiter(perSecond);
    const queue = createSendQueue(options.connection, kind, options);
    // Its errors are those of the workers' connection, which the workers' own error log reports.
    queue.on("error", options.onError ?? (() => {}));
    pausers.push(queue);
    const worker: Worker = new Worker(
      names[kind],
      async (job: Job<Data>): Promise<SendOutcome> => {
        // Asked at the send's turn, not when it was queued: an incident taken while its escalation
        // waited behind a storm's first pages gets no more pages. Its slot of the limit is spent.
        const droppable = job.data.droppable;
        if (droppable && options.screen) {
          const withdrawn = await options.screen({ to: job.data.to, channel: kind === "sms" ? "sms" : "voice", droppable }).catch((error: unknown) => {
            log.warn({ err: error instanceof Error ? error.message : String(error), queue: names[kind] }, "could not tell whether a queued page is still wanted: it is sent");
            return undefined;
          });
          if (withdrawn !== undefined) return { ok: false, withdrawn };
        }
        // The limiter let this send start one interval after the last; a send of several segments
        // holds the next (in every worker) for an interval per segment.
        const taken = slots(job.data);
        if (taken > 1) await queue.rateLimit(taken * limiter.duration);
        try {
          return { ok: true, sid: await send(job.data) };
        } catch (thrown) {
          // A pager throws only PagerError; anything else (a bug, Redis under the console pager) is
          // a failure worth retrying rather than a job that breaks.
          const error = thrown instanceof PagerError ? thrown : new PagerError("temporary", `the send failed: ${thrown instanceof Error ? thrown.message : String(thrown)}`, { to: job.data.to });
          const pause = pauseFor(error, limiter.duration);
          if (pause !== undefined) {
            log.warn({ queue: names[kind], pauseMs: pause, status: error.detail.status, code: error.detail.code }, "Twilio asked us to slow down: every send of this kind waits, then this one goes again");
            // BullMQ's manual rate limit: every worker of the queue, in every process, waits it out.
            await queue.rateLimit(pause);
            throw Worker.RateLimitError();
          }
          // Nobody waits for this one's outcome: the log is where a person hears of it.
          const ifFailed = (job.data as Partial<SmsJob>).ifFailed;
          if (ifFailed) log.error({ err: error.message, to: maskPhone(job.data.to), queue: names[kind], failure: error.failure }, ifFailed);
          return { ok: false, failure: error.failure, message: error.message, detail: error.detail };
        }
      },
      {
        connection: options.connection as ConnectionOptions,
        limiter,
        concurrency: concurrencyFor(perSecond),
        ...(options.name ? { name: options.name } : {}),
        ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
        ...(options.lockDuration ? { lockDuration: options.lockDuration } : {}),
        ...(options.stalledInterval ? { stalledInterval: options.stalledInterval } : {}),
      },
    );
    logWorkerErrors(worker, `send worker ${names[kind]}`, { log, connection: options.connection, onError: options.onError });
    return worker;
  };
  const residents = pagers.residents ?? pagers.crew;
  const sms = start<SmsJob>("sms", options.rates.smsPerSecond, (data) => {
    const job = SmsJobData.parse(data);
    return (job.sender === "residents" ? residents : pagers.crew).sendSms(job.to, job.body);
  }, (data) => smsSegments(data.body));
  const calls = start<CallJob>("calls", options.rates.callsPerSecond, (data) => {
    const job = CallJobData.parse(data);
    return pagers.crew.placeCall(job.to, job.url);
  });
  return {
    sms,
    calls,
    close: async () => {
      await Promise.all([sms.close(), calls.close()]);
      await Promise.all(pausers.map((queue) => queue.close()));
    },
  };
}

/**
 * The {@link SmsOutbox} on the `twilio-sms` queue: a text added there waits its turn under the
 * line's sending limits with every page, whichever role or command queued it, and the send
 * workers send it (through the worker's own pager) and log it should it fail. Nothing waits for it.
 *
 * @example
 * const outbox = new SendQueueOutbox(createSendQueue(redis, "sms"));
 * await outbox.queueSms("+14035550123", "311 on-call change: ...", { ifFailed: "could not tell a crew member their time on call changed: tell them by phone" });
 */
export class SendQueueOutbox implements SmsOutbox {
  constructor(
    private readonly queue: Queue,
    private readonly sender: Sender = "crew",
  ) {}

  async queueSms(to: string, body: string, options: OutboxOptions): Promise<void> {
    const data: SmsJob = { to, body, sender: this.sender, ifFailed: options.ifFailed };
    await this.queue.add("SMS", data, { priority: SEND_PRIORITY[options.priority ?? "notice"] });
  }
}
