import { Job, Queue, type ConnectionOptions } from "bullmq";
import { cappedBackoffMs } from "./backoff.js";
import type { Redis } from "ioredis";
import type { ReportDraft } from "../../domain/flow/actions.js";
import type { ReportQueue } from "../../domain/ports.js";
import { UrgentReport } from "../../domain/report.js";
import { CALL_TTL_SECONDS, DEFAULT_KEY_PREFIX } from "../redis/keys.js";
import { defineScript } from "../redis/scripts.js";
import { FIRST_REFERENCE, referenceCounterKey } from "../redis/reference-counter.js";

/** The BullMQ queue urgent reports travel on. Part of the deployment contract: do not rename. */
export const DISPATCH_QUEUE = "oncall-dispatch";

/** The job name of an urgent report on {@link DISPATCH_QUEUE}. */
export const URGENT_REPORT_JOB = "urgent-report";


// One reference per call: a retried webhook gets the reference it was given the first time.
const REFERENCE_FOR_CALL = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
local reference = tostring(tonumber(ARGV[1]) + redis.call('INCR', KEYS[2]))
redis.call('SET', KEYS[1], reference, 'EX', ARGV[2])
return reference
`;

/**
 * The dispatch queue with the retry policy every job on it gets: the reports' own (below), so a
 * page that Twilio refuses for a while (5xx, 429, no answer) is tried again with backoff and
 * jitter for over half an hour rather than moving the chain on to the next person, who would be
 * refused as well: when Twilio is back, the person whose turn it was is paged, and the chain goes
 * on from there. A page that cannot be delivered to the number, or that Twilio rejects outright,
 * is not retried (the worker decides that). Completed jobs stay a week, long enough that a late
 * retry still finds its job id.
 */
export function createDispatchQueue(connection: Redis, options: { queueName?: string; bullPrefix?: string } = {}): Queue {
  return new Queue(options.queueName ?? DISPATCH_QUEUE, {
    connection: connection as ConnectionOptions,
    ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
    defaultJobOptions: {
      ...REPORT_JOB_OPTIONS,
      removeOnComplete: { age: 7 * 24 * 60 * 60 },
      removeOnFail: { age: 30 * 24 * 60 * 60 },
    },
  });
}

/** The name of the dispatch jobs' backoff (reports' first), which the dispatch worker computes with {@link reportBackoffMs}. */
export const REPORT_BACKOFF = "report";

/**
 * A report is worth more than a page chain: its job is retried for over half an hour (50 tries:
 * waits doubling from a second up to a minute, at most 30% shorter for jitter, so at least 30
 * minutes in all), long enough to outlast a Redis failover or a worker restart, and never more
 * than a minute late once the trouble is over. When even that fails, the worker raises the
 * supervisors' alarm with what was reported.
 */
export const REPORT_JOB_OPTIONS = {
  attempts: 50,
  backoff: { type: REPORT_BACKOFF },
} as const;

/**
 * The wait before a report job's `attempt`th retry (1 for the first): doubling from a second,
 * capped at a minute, with up to 30% taken off at random so workers do not retry in step.
 */
export function reportBackoffMs(attempt: number, random: () => number = Math.random): number {
  return cappedBackoffMs(attempt, 1_000, 60_000, random);
}

/**
 * How long a held report waits for the caller's next answer before it goes to the crew as it
 * is. Every step of the call starts the wait again, so it only has to outlast the longest
 * single wait of the report's questions (a recording of up to a minute, with its prompt).
 */
export const DEFAULT_REPORT_HOLD_MS = 120_000;

/**
 * How long a report released by the call's end still waits: Twilio may post the last answer
 * (a recording the caller hung up on) just after the status callback, and it belongs in the page.
 */
export const DEFAULT_RELEASE_GRACE_MS = 5_000;

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
  /** @defaultValue {@link DEFAULT_RELEASE_GRACE_MS} */
  releaseGraceMs?: number;
  /** Told when a call added to a report the worker had already taken: the crew has it without that. */
  onLateUpdate?: (callSid: string) => void;
}

/** Urgent reports onto the `oncall-dispatch` BullMQ queue, one job per call. */
export class BullReportQueue implements ReportQueue {
  readonly queue: Queue;
  private readonly referenceForCall;
  private readonly keyPrefix: string;
  private readonly holdMs: number;
  private readonly releaseGraceMs: number;
  private readonly onLateUpdate: (callSid: string) => void;
  private readonly redis: Redis;

  constructor(options: BullReportQueueOptions) {
    this.redis = options.redis;
    this.holdMs = options.holdMs ?? DEFAULT_REPORT_HOLD_MS;
    this.releaseGraceMs = options.releaseGraceMs ?? DEFAULT_RELEASE_GRACE_MS;
    this.onLateUpdate = options.onLateUpdate ?? (() => {});
    this.referenceForCall = defineScript(options.redis, "civicReferenceForCall", 2, REFERENCE_FOR_CALL);
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.queue = createDispatchQueue(options.redis, options);
    this.queue.on("error", options.onError ?? (() => {}));
  }

  /**
   * Files the call's report: queues it the first time, and while it is still held brings it up
   * to date and either holds it again (`hold`) or sends it to the worker now. Once the call's end
   * has released it, it is held only for the grace. A report the worker has already taken keeps
   * what it had, and `onLateUpdate` is told.
   */
  async dispatch(draft: ReportDraft, options: { hold?: boolean } = {}): Promise<string> {
    const reference = await this.reference(draft.callSid);
    const report = UrgentReport.parse({ ...draft, reference });
    const jobId = reportJobId(draft.callSid);
    const filed = await Job.fromId<UrgentReport>(this.queue, jobId);
    if (!filed) {
      const delay = options.hold ? this.holdMs : 0;
      await this.queue.add(URGENT_REPORT_JOB, report, { jobId, ...REPORT_JOB_OPTIONS, ...(delay ? { delay } : {}) });
      return reference;
    }
    // The report was received when it was first filed; later steps only add to it.
    const updated = { ...report, receivedAt: filed.data.receivedAt };
    const released = options.hold && (await this.redis.exists(this.releasedKey(draft.callSid))) === 1;
    const delay = !options.hold ? 0 : released ? this.releaseGraceMs : this.holdMs;
    if (!(await filed.isDelayed()) || !(await this.update(filed, updated, delay))) {
      if (JSON.stringify(filed.data) !== JSON.stringify(updated)) this.onLateUpdate(draft.callSid);
    }
    return reference;
  }

  /** The call's reference: the same every time it is asked for, from the counter urgent reports share. */
  async reference(callSid: string): Promise<string> {
    return String(
      await this.referenceForCall(
        `${this.keyPrefix}reference:${callSid}`,
        referenceCounterKey(this.keyPrefix),
        String(FIRST_REFERENCE),
        String(CALL_TTL_SECONDS),
      ),
    );
  }

  /**
   * The call ended: its held report goes to the worker after a short grace (for a last answer
   * Twilio may still post). Nothing when there is none, or it has gone.
   */
  async release(callSid: string): Promise<boolean> {
    const filed = await Job.fromId<UrgentReport>(this.queue, reportJobId(callSid));
    if (!filed || !(await filed.isDelayed())) return false;
    await this.redis.set(this.releasedKey(callSid), "1", "EX", CALL_TTL_SECONDS);
    return this.moveOn(() => filed.changeDelay(this.releaseGraceMs));
  }

  private releasedKey(callSid: string): string {
    return `${this.keyPrefix}report-released:${callSid}`;
  }

  private async update(filed: Job<UrgentReport>, report: UrgentReport, delay: number): Promise<boolean> {
    // Held longer first, so the worker cannot take it between the two writes with the old data.
    if (delay > 0 && !(await this.moveOn(() => filed.changeDelay(delay)))) return false;
    await filed.updateData(report);
    // Sent now by making it due now rather than promoting it: BullMQ's delayed set then keeps
    // when it fell due, which /status reads to tell a worker that is behind.
    return delay > 0 || this.moveOn(() => filed.changeDelay(0));
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
