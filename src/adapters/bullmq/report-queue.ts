import { Job, Queue, type ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { ReportDraft } from "../../domain/flow/actions.js";
import type { ReportQueue } from "../../domain/ports.js";
import { UrgentReport } from "../../domain/report.js";
import { CALL_TTL_SECONDS, DEFAULT_KEY_PREFIX } from "../redis/keys.js";
import { defineScript } from "../redis/scripts.js";

/** The BullMQ queue urgent reports travel on. Part of the deployment contract: do not rename. */
export const DISPATCH_QUEUE = "oncall-dispatch";

/** The job name of an urgent report on {@link DISPATCH_QUEUE}. */
export const URGENT_REPORT_JOB = "urgent-report";

/** References start here so every one is six digits long for the first 900,000 reports. */
const FIRST_REFERENCE = 100_000;

// One reference per call: a retried webhook gets the reference it was given the first time.
const REFERENCE_FOR_CALL = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
local reference = tostring(tonumber(ARGV[1]) + redis.call('INCR', KEYS[2]))
redis.call('SET', KEYS[1], reference, 'EX', ARGV[2])
return reference
`;

/**
 * The dispatch queue with the retry policy every job on it gets: exponential backoff with
 * jitter, about half a minute of tries, so a page is retried through a provider's hiccup but the
 * chain moves on when the provider is down. Completed jobs stay a week, long enough that a late
 * retry still finds its job id.
 */
export function createDispatchQueue(connection: Redis, options: { queueName?: string; bullPrefix?: string } = {}): Queue {
  return new Queue(options.queueName ?? DISPATCH_QUEUE, {
    connection: connection as ConnectionOptions,
    ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
    defaultJobOptions: {
      attempts: 6,
      backoff: { type: "exponential", delay: 1_000, jitter: 0.5 },
      removeOnComplete: { age: 7 * 24 * 60 * 60 },
      removeOnFail: { age: 30 * 24 * 60 * 60 },
    },
  });
}

/**
 * A report is worth more than a page chain: its job is retried for well over half an hour
 * (13 tries, waits doubling from a second, jitter at most 30% off: at least 47 minutes in all),
 * long enough to outlast a Redis failover or a worker restart. When even that fails, the worker
 * raises the supervisors' alarm with what was reported.
 */
export const REPORT_JOB_OPTIONS = {
  attempts: 13,
  backoff: { type: "exponential", delay: 1_000, jitter: 0.3 },
} as const;

/**
 * How long a held report waits for the caller's next answer before it goes to the crew as it
 * is. Every step of the call starts the wait again, so it only has to outlast the longest
 * single wait of the report's questions (a recording of up to a minute, with its prompt).
 */
export const DEFAULT_REPORT_HOLD_MS = 120_000;

/** The BullMQ job id of a call's report: derived from the CallSid, so adding it twice adds it once. */
export function reportJobId(callSid: string): string {
  return `report-${callSid.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

export interface BullReportQueueOptions {
  /** The fail-fast connection of the web path (references live there too). */
  redis: Redis;
  queueName?: string;
  /** Prefix of Civic Line's own keys (the reference counter). */
  keyPrefix?: string;
  /** BullMQ's key prefix; `bull` by default. */
  bullPrefix?: string;
  /** Told of connection errors (the webhook path already answers with the fallback). */
  onError?: (error: Error) => void;
  /** @defaultValue {@link DEFAULT_REPORT_HOLD_MS} */
  holdMs?: number;
}

/** Urgent reports onto the `oncall-dispatch` BullMQ queue, one job per call. */
export class BullReportQueue implements ReportQueue {
  readonly queue: Queue;
  private readonly referenceForCall;
  private readonly keyPrefix: string;
  private readonly holdMs: number;

  constructor(options: BullReportQueueOptions) {
    this.holdMs = options.holdMs ?? DEFAULT_REPORT_HOLD_MS;
    this.referenceForCall = defineScript(options.redis, "civicReferenceForCall", 2, REFERENCE_FOR_CALL);
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.queue = createDispatchQueue(options.redis, options);
    this.queue.on("error", options.onError ?? (() => {}));
  }

  /**
   * Files the call's report: queues it the first time, and while it is still held brings it up
   * to date and either holds it again (`hold`) or sends it to the worker now. A report the worker
   * has already taken keeps what it had; the answer says so.
   */
  async dispatch(draft: ReportDraft, options: { hold?: boolean } = {}): Promise<string> {
    const reference = String(
      await this.referenceForCall(
        `${this.keyPrefix}reference:${draft.callSid}`,
        `${this.keyPrefix}reference-counter`,
        String(FIRST_REFERENCE),
        String(CALL_TTL_SECONDS),
      ),
    );
    const report = UrgentReport.parse({ ...draft, reference });
    const jobId = reportJobId(draft.callSid);
    const delay = options.hold ? this.holdMs : 0;
    const filed = await Job.fromId<UrgentReport>(this.queue, jobId);
    if (!filed) {
      await this.queue.add(URGENT_REPORT_JOB, report, { jobId, ...REPORT_JOB_OPTIONS, ...(delay ? { delay } : {}) });
    } else if (await filed.isDelayed()) {
      await this.update(filed, report, delay);
    }
    return reference;
  }

  /** Sends a held report to the worker now (the call ended). Nothing when there is none, or it has gone. */
  async release(callSid: string): Promise<boolean> {
    const filed = await Job.fromId<UrgentReport>(this.queue, reportJobId(callSid));
    if (!filed || !(await filed.isDelayed())) return false;
    return this.moveOn(() => filed.promote());
  }

  private async update(filed: Job<UrgentReport>, report: UrgentReport, delay: number): Promise<boolean> {
    // Held longer first, so the worker cannot take it between the two writes with the old data.
    if (delay > 0 && !(await this.moveOn(() => filed.changeDelay(delay)))) return false;
    await filed.updateData(report);
    return delay > 0 || this.moveOn(() => filed.promote());
  }

  /** A held job's move, false when the worker took the job in the meantime (it is no longer delayed). */
  private async moveOn(move: () => Promise<void>): Promise<boolean> {
    try {
      await move();
      return true;
    } catch (error) {
      if (error instanceof Error && /is not in the delayed state/.test(error.message)) return false;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
