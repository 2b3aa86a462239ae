/**
 * New service requests to their department's system, through the `department-delivery` BullMQ
 * queue: one job per request and department (its id says which), retried with backoff for days
 * so that a department's outage delays deliveries and drops none. Delivery is at least once (a
 * post whose answer never came is posted again), each post carrying the same `Idempotency-Key`
 * so the department's system can keep it once. What is posted and what the answer means is the
 * domain's (src/domain/open311/delivery.ts); this is the carrying.
 */
import { cappedBackoffMs } from "./backoff.js";
import { createHash } from "node:crypto";
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Department } from "../../domain/departments.js";
import {
  answerReason,
  deliveredNote,
  deliveryForm,
  deliveryOutcome,
  failedNote,
  idempotencyKey,
  loggableEndpoint,
  readReceipt,
  type DeliveryQueue,
  type DeliveryReceipt,
} from "../../domain/open311/delivery.js";
import type { RecordStore } from "../../domain/ports.js";
import type { ServiceRequest } from "../../domain/records.js";
import type { Logger } from "../../logger.js";
import { DEFAULT_KEY_PREFIX } from "../redis/keys.js";
import { logWorkerErrors } from "../redis/outage-log.js";

/** The BullMQ queue deliveries travel on. Part of the deployment contract: do not rename. */
export const DELIVERY_QUEUE = "department-delivery";

/** The job name of a delivery. */
export const DELIVERY_JOB = "deliver";

/** The name of the deliveries' backoff, computed by {@link deliveryBackoffMs}. */
export const DELIVERY_BACKOFF = "delivery";

/**
 * 300 tries, waits doubling from 10 seconds to at most a quarter of an hour (less up to 30% for
 * jitter): at least two days of tries, so a department's system down over a weekend night still
 * gets every request, each within a quarter of an hour of its return.
 */
export const DELIVERY_JOB_OPTIONS = {
  attempts: 300,
  backoff: { type: DELIVERY_BACKOFF },
  // Kept a month after delivery, so the job id still answers "queued already" for a late repeat.
  removeOnComplete: { age: 30 * 24 * 60 * 60 },
  // A delivery that failed for good stays until someone acts on it (retry it, or hand it over).
  removeOnFail: false,
} as const;

/** From this many failed tries in a row on a request, the department "keeps failing": logged at error. */
export const KEEPS_FAILING_AFTER = 5;

/** How long a department's system has to answer one delivery. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 15_000;

/** The wait before a delivery's `attempt`th retry (1 for the first): doubling from 10 s, capped at 15 min, up to 30% less at random. */
export function deliveryBackoffMs(attempt: number, random: () => number = Math.random): number {
  return cappedBackoffMs(attempt, 10_000, 15 * 60_000, random);
}

/**
 * The job id of a request's delivery to a department: asked twice, it is queued once. The
 * department's name is spelled out (readable in a dashboard) and hashed (two names that read the
 * same once simplified stay apart); BullMQ ids may not hold `:`.
 */
export function deliveryJobId(reference: string, department: string): string {
  const simple = department.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40);
  const hash = createHash("sha256").update(department).digest("hex").slice(0, 8);
  return `deliver-${reference.replace(/[^A-Za-z0-9_-]/g, "_")}-${simple}-${hash}`;
}

/** A delivery job's data: where it goes and the form, made when the request was new. */
const DeliveryJobData = z.object({
  reference: z.string(),
  department: z.string(),
  /** The department's endpoint when the request was queued. */
  url: z.url(),
  form: z.record(z.string(), z.string()),
  /** Set once the department accepted it, so a retry (the note could not be written) does not post it twice. */
  delivered: z.object({ at: z.string(), serviceRequestId: z.string().optional(), token: z.string().optional(), serviceNotice: z.string().optional() }).optional(),
});
type DeliveryJobData = z.infer<typeof DeliveryJobData>;

/** The delivery queue with its retry policy. */
export function createDeliveryQueue(connection: Redis, options: { queueName?: string; bullPrefix?: string } = {}): Queue {
  return new Queue(options.queueName ?? DELIVERY_QUEUE, {
    connection: connection as ConnectionOptions,
    ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
    defaultJobOptions: DELIVERY_JOB_OPTIONS,
  });
}

export interface BullDeliveryQueueOptions {
  /** An ordinary connection (the web path's or the worker's stores'). */
  redis: Redis;
  queueName?: string;
  /** BullMQ's key prefix; `bull` by default. */
  bullPrefix?: string;
  /** Told of connection errors. */
  onError?: (error: Error) => void;
  /** The City's zone, as the live hours give it: a request's time is sent in it. */
  zone: () => string;
}

/** The producer: queues each new request for its department, once. */
export class BullDeliveryQueue implements DeliveryQueue {
  readonly queue: Queue;
  private readonly zone: () => string;

  constructor(options: BullDeliveryQueueOptions) {
    this.queue = createDeliveryQueue(options.redis, options);
    this.zone = options.zone;
    this.queue.on("error", options.onError ?? (() => {}));
  }

  /** Queues the delivery when the department has an endpoint; nothing otherwise. Asked again, nothing more. */
  async deliver(request: ServiceRequest, department: Department): Promise<void> {
    if (!department.endpoint) return;
    const data: DeliveryJobData = { reference: request.reference, department: department.name, url: department.endpoint, form: deliveryForm(request, this.zone()) };
    await this.queue.add(DELIVERY_JOB, data, { jobId: deliveryJobId(request.reference, department.name), ...DELIVERY_JOB_OPTIONS });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/** The department's system could not be reached, or asked to be tried later. */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
}

/** Where the worker keeps, per department, when it last delivered and its last error, for {@link deliveryStatus}. */
function lastDeliveredKey(prefix: string): string {
  return `${prefix}delivery:last-delivered`;
}
function lastErrorKey(prefix: string): string {
  return `${prefix}delivery:last-error`;
}

/** How a delivery ended, for metrics (`civic_department_deliveries_total{result}`). */
export type DeliveryResult = "delivered" | "retrying" | "failed";

export interface DeliveryWorkerOptions {
  /** A worker connection (`maxRetriesPerRequest: null`). */
  connection: Redis;
  /** An ordinary connection, for each department's last delivery and last error. */
  redis: Redis;
  /** Where the notes go (only `addNote` is used). */
  records: Pick<RecordStore, "addNote">;
  log: Logger;
  queueName?: string;
  bullPrefix?: string;
  /** Prefix of Civic Line's own keys. @defaultValue `civic:` */
  keyPrefix?: string;
  concurrency?: number;
  /** @defaultValue {@link DEFAULT_DELIVERY_TIMEOUT_MS} */
  timeoutMs?: number;
  /** @defaultValue the global fetch */
  fetch?: typeof fetch;
  /** The time notes are written at. @defaultValue now */
  now?: () => Date;
  /**
   * The api_key configured for an endpoint's origin (the spec's field), from the line's settings
   * (`keyForEndpoint(config.open311DepartmentKeys, url)`): never in departments.yaml, nor in the
   * queued job. Looked up by the endpoint the post goes to, so a key only ever goes to the origin
   * it was configured for, and only over https.
   */
  endpointKey?: (url: string) => string | undefined;
  /** The wait before each retry. @defaultValue {@link deliveryBackoffMs} */
  backoffMs?: (attempt: number) => number;
  /** Told of every attempt's end, for metrics. */
  onResult?: (department: string, result: DeliveryResult) => void;
  /**
   * Told of the worker's errors: a role hands them to its {@link RedisOutageLog}. By default a log
   * of its own, following this connection, says an outage in a few lines.
   */
  onError?: (error: Error) => void;
}

/**
 * The consumer: posts each delivery to its department in GeoReport v2 form. A 2xx answer is a
 * delivery (noted on the request with the department's id); 408, 429, 5xx and no answer are
 * retried with the backoff; any other 4xx (or a redirect) fails the delivery for good, noted on
 * the request and logged at error, since the same request would be refused again.
 */
export function startDeliveryWorker(options: DeliveryWorkerOptions): Worker {
  const { log, records, redis } = options;
  const prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const post = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const onResult = options.onResult ?? (() => {});

  const withKey = (data: DeliveryJobData): Record<string, string> => {
    const key = options.endpointKey?.(data.url);
    if (!key) return data.form;
    if (new URL(data.url).protocol !== "https:") {
      // Over http the key could be read on the way: posted without it (the department may refuse it, and that is said).
      log.error(
        { reference: data.reference, department: data.department, endpoint: loggableEndpoint(data.url) },
        "a key is configured for this department's endpoint, but the endpoint is http: the key is sent only over https, so this post goes without it; make the endpoint https",
      );
      return data.form;
    }
    return { api_key: key, ...data.form };
  };

  async function send(data: DeliveryJobData): Promise<DeliveryReceipt> {
    let response: Response;
    try {
      response = await post(data.url, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json, text/xml;q=0.9",
          // The same on every retry: a post whose answer was lost is posted again, and the department's system can tell.
          "idempotency-key": idempotencyKey(data.reference, data.department),
        },
        body: new URLSearchParams(withKey(data)).toString(),
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = error instanceof Error && error.name === "TimeoutError" ? `no answer in ${timeoutMs / 1000} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new DeliveryError(`could not reach ${loggableEndpoint(data.url)}: ${why}`);
    }
    const body = await response.text().catch(() => "");
    const outcome = deliveryOutcome(response.status);
    if (outcome === "delivered") return readReceipt(body, response.headers.get("content-type"));
    const reason = answerReason(response.status, body, response.headers.get("location"));
    if (outcome === "refused") throw new UnrecoverableError(`${data.department} refused it: ${reason}`);
    throw new DeliveryError(`${data.department} answered ${reason}`);
  }

  async function deliverJob(job: Job): Promise<DeliveryReceipt> {
    const parsed = DeliveryJobData.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`the job's data is not a delivery: ${parsed.error.message}`);
    const data = parsed.data;
    let delivered = data.delivered;
    if (!delivered) {
      try {
        const receipt = await send(data);
        delivered = { ...receipt, at: now().toISOString() };
      } catch (error) {
        const final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        if (final) await noteFailure(job, data, (error as Error).message);
        throw error;
      }
      // Kept before anything else can fail, so a retry writes the note without posting again.
      await job.updateData({ ...data, delivered });
    }
    const { at, ...receipt } = delivered;
    await records.addNote(data.reference, deliveredNote(data.department, receipt, at, job.attemptsMade + 1), `delivery-${job.id}`);
    await redis.hset(lastDeliveredKey(prefix), data.department, at);
    return receipt;
  }

  async function noteFailure(job: Job, data: DeliveryJobData, reason: string): Promise<void> {
    try {
      await records.addNote(data.reference, failedNote(data.department, reason, now().toISOString()), `delivery-failed-${job.id}`);
    } catch (error) {
      log.error({ jobId: job.id, reference: data.reference, department: data.department, err: error }, "could not note on the request that its delivery failed");
    }
  }

  const worker = new Worker(options.queueName ?? DELIVERY_QUEUE, deliverJob, {
    connection: options.connection as ConnectionOptions,
    concurrency: options.concurrency ?? 10,
    ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
    settings: {
      backoffStrategy: (attemptsMade: number, type?: string) => {
        if (type === DELIVERY_BACKOFF) return (options.backoffMs ?? deliveryBackoffMs)(attemptsMade);
        throw new Error(`unknown backoff "${type}" on ${DELIVERY_QUEUE}`);
      },
    },
  });

  worker.on("completed", (job) => {
    const department = (job.data as Partial<DeliveryJobData>).department ?? "unknown";
    log.info({ jobId: job.id, reference: job.data.reference, department, attempts: job.attemptsMade }, "delivered a request to its department");
    onResult(department, "delivered");
  });
  worker.on("failed", (job, error) => {
    if (!job) return;
    const data = job.data as Partial<DeliveryJobData>;
    const department = data.department ?? "unknown";
    const final = error.name === "UnrecoverableError" || job.attemptsMade >= (job.opts.attempts ?? 1);
    const fields = { jobId: job.id, reference: data.reference, department, endpoint: loggableEndpoint(data.url ?? ""), attempt: job.attemptsMade, err: error.message };
    void redis
      .hset(lastErrorKey(prefix), department, JSON.stringify({ at: now().toISOString(), message: error.message }))
      .catch((failure: Error) => log.warn({ err: failure.message }, "could not keep the department's last delivery error"));
    onResult(department, final ? "failed" : "retrying");
    if (final) {
      log.error(fields, "a request could not be delivered to its department, for good: hand it over another way, or retry the job once the department's system is fixed");
    } else if (job.attemptsMade >= KEEPS_FAILING_AFTER) {
      log.error(fields, "a department's system keeps failing: its requests wait in the delivery queue and are retried");
    } else {
      log.warn(fields, "delivery to a department failed: BullMQ retries it");
    }
  });
  logWorkerErrors(worker, "delivery worker", { log, connection: options.connection, onError: options.onError });
  return worker;
}

/** A department's deliveries, for the console. */
export interface DepartmentDeliveryState {
  /** Deliveries queued, being retried or under way. */
  waiting: number;
  /** Deliveries that failed for good and wait for someone. */
  failed: number;
  /** The last failed try, delivered since or not. */
  lastError: { at: string; message: string } | null;
  lastDeliveredAt: string | null;
}

/**
 * Every department's deliveries, by name: what waits, what failed for good, the last error and
 * the last delivery. Read from the queue (waiting and failed jobs are few unless something is
 * wrong) and from what the worker keeps of each department's last delivery and error.
 */
export async function deliveryStatus(queue: Queue, redis: Redis, keyPrefix = DEFAULT_KEY_PREFIX): Promise<Record<string, DepartmentDeliveryState>> {
  const [waiting, failed, delivered, errors] = await Promise.all([
    queue.getJobs(["wait", "delayed", "active", "prioritized", "waiting-children"]),
    queue.getJobs(["failed"]),
    redis.hgetall(lastDeliveredKey(keyPrefix)),
    redis.hgetall(lastErrorKey(keyPrefix)),
  ]);
  const states: Record<string, DepartmentDeliveryState> = {};
  const state = (department: string) => (states[department] ??= { waiting: 0, failed: 0, lastError: null, lastDeliveredAt: null });
  const departmentOf = (job: { data: unknown }) => String((job.data as Partial<DeliveryJobData>).department ?? "unknown");
  for (const job of waiting) state(departmentOf(job)).waiting++;
  for (const job of failed) state(departmentOf(job)).failed++;
  for (const [department, at] of Object.entries(delivered)) state(department).lastDeliveredAt = at;
  for (const [department, text] of Object.entries(errors)) {
    try {
      const parsed = z.object({ at: z.string(), message: z.string() }).parse(JSON.parse(text));
      state(department).lastError = parsed;
    } catch {
      state(department).lastError = { at: "", message: text };
    }
  }
  return states;
}
