import type { Job, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { DateTime } from "luxon";
import type { PagerMode } from "../config/env.js";
import { readHeartbeats } from "../adapters/redis/heartbeat.js";
import { SEND_PRIORITY } from "../adapters/bullmq/send-queues.js";
import type { SendingRates } from "../domain/oncall/sending-limits.js";
import type { LineFigures, RecordsBacklog, SendQueueFigures } from "./line-status.js";

/** How many of the oldest jobs of each kind are looked at for the longest-due one. */
const JOBS_LOOKED_AT = 10;

export interface LineFigureSources {
  /** Any connection to the line's Redis (the web path's fail-fast one is right: `/status` must answer quickly). */
  redis: Redis;
  /**
   * The process's other connections to that Redis, by what they serve, pinged too: the web role
   * answers callers on a connection of its own, and a line whose callers' connection is down is
   * not ok, whatever the other says.
   */
  alsoPinged?: Readonly<Record<string, Redis>>;
  /** The `oncall-dispatch` queue. */
  queue: Queue;
  /** The `records` queue, when this process knows it: records waiting for the database. */
  recordsQueue?: Queue;
  /** Prefix of Civic Line's own keys (the heartbeats). */
  keyPrefix?: string;
  /** The pager this process was configured with, if it knows. */
  configuredPager?: PagerMode | undefined;
  /** The `twilio-sms` and `twilio-calls` send queues, when this process knows them: what waits to be sent. */
  sendQueues?: { sms: Queue; calls: Queue } | undefined;
  /** The sending limits this process was configured with, used when no worker says which it keeps. */
  configuredRates?: SendingRates | undefined;
}

/** Every priority a send can have, first to last. */
const PRIORITIES = [...new Set(Object.values(SEND_PRIORITY))].sort((a, b) => a - b);

/**
 * What waits on one send queue, through BullMQ's own counts: how many, how long the oldest has
 * waited (the first of each priority, since each priority is first come first served), and for the
 * oldest first page how many sends of its kind have started since it was queued (finished since,
 * or going out now): the most that can have been ahead of it.
 */
export async function readSendQueue(redis: Redis, queue: Queue, now: DateTime): Promise<SendQueueFigures> {
  const [counts, perPriority, [oldestUnprioritized]] = await Promise.all([
    queue.getJobCounts("wait", "prioritized", "active"),
    queue.getCountsPerPriority(PRIORITIES),
    queue.getJobs(["wait"], 0, 0, true),
  ]);
  // The prioritized set is ordered by priority, then by arrival: the head of each priority's run is its oldest.
  let rank = 0;
  const heads: Promise<Job | undefined>[] = [];
  for (const priority of PRIORITIES) {
    const count = perPriority[String(priority)] ?? 0;
    if (count > 0) heads.push(queue.getJobs(["prioritized"], rank, rank, true).then(([job]) => job));
    rank += count;
  }
  const oldest = [...(await Promise.all(heads)), oldestUnprioritized].filter((job): job is Job => job !== undefined);
  const waitedMs = (job: Job) => Math.max(0, now.toMillis() - job.timestamp);
  const firstPage = (perPriority[String(SEND_PRIORITY["first-page"])] ?? 0) > 0 ? oldest.find((job) => job.opts.priority === SEND_PRIORITY["first-page"]) : undefined;
  // BullMQ keeps finished jobs in a sorted set scored by when they finished.
  const finishedSince = firstPage ? await redis.zcount(queue.keys.completed!, firstPage.timestamp, "+inf") : 0;
  return {
    waiting: (counts["wait"] ?? 0) + (counts["prioritized"] ?? 0),
    oldestWaitMs: Math.max(0, ...oldest.map(waitedMs)),
    firstPages: perPriority[String(SEND_PRIORITY["first-page"])] ?? 0,
    oldestFirstPageWaitMs: firstPage ? waitedMs(firstPage) : 0,
    sentSinceOldestFirstPage: firstPage ? finishedSince + (counts["active"] ?? 0) : 0,
  };
}

/** Reads the records queue's backlog through BullMQ's own counts. */
export async function readRecordsBacklog(recordsQueue: Queue): Promise<RecordsBacklog> {
  const [counts, schedules] = await Promise.all([recordsQueue.getJobCounts("wait", "delayed", "failed"), recordsQueue.getJobSchedulersCount()]);
  // Each schedule (the nightly retention) keeps its next run as a delayed job: that is no record waiting.
  return { waiting: counts["wait"] ?? 0, retrying: Math.max(0, (counts["delayed"] ?? 0) - schedules), failed: counts["failed"] ?? 0 };
}

/**
 * Reads what {@link assessLineStatus} needs: Redis's answer, the workers' heartbeats, and the
 * dispatch queue's counts and its longest-due job, through BullMQ's own Queue API.
 */
export async function readLineFigures(sources: LineFigureSources, now: DateTime): Promise<LineFigures> {
  const { redis, queue } = sources;
  const configuredPager = sources.configuredPager;
  try {
    await redis.ping();
    // The figures are still read through the connection that answers: what is down is said beside them.
    const others = Object.entries(sources.alsoPinged ?? {});
    const unanswered = (await Promise.all(others.map(([name, connection]) => connection.ping().then(() => undefined, () => name)))).filter((name) => name !== undefined);
    const sendQueues = sources.sendQueues;
    const [beats, counts, waiting, firstDelayed, records, sms, calls] = await Promise.all([
      readHeartbeats(redis, now, sources.keyPrefix === undefined ? {} : { keyPrefix: sources.keyPrefix }),
      queue.getJobCounts("wait", "prioritized", "delayed", "active", "failed"),
      queue.getJobs(["wait", "prioritized"], 0, JOBS_LOOKED_AT - 1, true),
      firstDelayedDueAt(redis, queue),
      sources.recordsQueue ? readRecordsBacklog(sources.recordsQueue) : undefined,
      sendQueues ? readSendQueue(redis, sendQueues.sms, now) : undefined,
      sendQueues ? readSendQueue(redis, sendQueues.calls, now) : undefined,
    ]);
    // The rates the workers keep, as the youngest beat that says so has it; else this process's.
    const sendingRates = beats.find((beat) => beat.sendingRates)?.sendingRates ?? sources.configuredRates;
    const dueFor = [...waiting.map((job) => now.toMillis() - dueAt(job)), ...(firstDelayed === undefined ? [] : [now.toMillis() - firstDelayed])];
    return {
      redis: unanswered.length === 0 ? "ok" : "not answering",
      ...(unanswered.length > 0 ? { unansweredConnections: unanswered } : {}),
      heartbeats: { youngestAgeMs: beats[0]?.ageMs, workers: beats.length, pagers: beats.map((beat) => beat.pager) },
      dispatch: {
        oldestDueMs: Math.max(0, ...dueFor),
        waiting: (counts["wait"] ?? 0) + (counts["prioritized"] ?? 0),
        delayed: counts["delayed"] ?? 0,
        active: counts["active"] ?? 0,
        failed: counts["failed"] ?? 0,
      },
      configuredPager,
      ...(records ? { records } : {}),
      ...(sms && calls ? { sending: { sms, calls, rates: sendingRates } } : {}),
    };
  } catch {
    return { redis: "not answering", heartbeats: undefined, dispatch: undefined, configuredPager };
  }
}

/**
 * When the delayed job due first is due, in epoch milliseconds, as BullMQ itself keeps it: the
 * score of the queue's delayed set holds the due time (times 0x1000, the low bits ordering jobs
 * due in the same millisecond). Neither a job's `timestamp` nor its `delay` says it once the
 * delay was changed (a held report is held again at every step of its call) or a retry is
 * waiting out its backoff.
 */
async function firstDelayedDueAt(redis: Redis, queue: Queue): Promise<number | undefined> {
  const [, score] = await redis.zrange(queue.keys.delayed!, 0, 0, "WITHSCORES");
  return score === undefined ? undefined : Math.floor(Number(score) / 0x1000);
}

/**
 * When a waiting job became due, in epoch milliseconds. One not tried yet is due at its creation
 * time plus the delay it was added with (`opts.delay` survives BullMQ's promotion of delayed jobs,
 * which resets `delay` to 0); BullMQ keeps no due time for a retry back in the queue, so it
 * counts from the start of its last attempt, which can read high, never low.
 */
export function dueAt(job: Pick<Job, "timestamp" | "opts" | "attemptsMade" | "processedOn">): number {
  if (job.attemptsMade === 0) return job.timestamp + (job.opts.delay ?? 0);
  return job.processedOn ?? job.timestamp;
}
