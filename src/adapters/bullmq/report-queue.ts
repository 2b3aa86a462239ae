import { Queue, type ConnectionOptions } from "bullmq";
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
}

/** Urgent reports onto the `oncall-dispatch` BullMQ queue, one job per call. */
export class BullReportQueue implements ReportQueue {
  readonly queue: Queue;
  private readonly referenceForCall;
  private readonly keyPrefix: string;

  constructor(options: BullReportQueueOptions) {
    this.referenceForCall = defineScript(options.redis, "civicReferenceForCall", 2, REFERENCE_FOR_CALL);
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.queue = createDispatchQueue(options.redis, options);
    this.queue.on("error", options.onError ?? (() => {}));
  }

  async dispatch(draft: ReportDraft): Promise<string> {
    const reference = String(
      await this.referenceForCall(
        `${this.keyPrefix}reference:${draft.callSid}`,
        `${this.keyPrefix}reference-counter`,
        String(FIRST_REFERENCE),
        String(CALL_TTL_SECONDS),
      ),
    );
    const report = UrgentReport.parse({ ...draft, reference });
    await this.queue.add(URGENT_REPORT_JOB, report, { jobId: reportJobId(draft.callSid) });
    return reference;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
