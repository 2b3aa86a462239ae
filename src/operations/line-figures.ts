import type { Job, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { DateTime } from "luxon";
import type { PagerMode } from "../config/env.js";
import { readHeartbeats } from "../adapters/redis/heartbeat.js";
import type { LineFigures, RecordsBacklog } from "./line-status.js";

/** How many of the oldest jobs of each kind are looked at for the longest-due one. */
const JOBS_LOOKED_AT = 10;

export interface LineFigureSources {
  /** Any connection to the line's Redis (the web path's fail-fast one is right: `/status` must answer quickly). */
  redis: Redis;
  /** The `oncall-dispatch` queue. */
  queue: Queue;
  /** The `records` queue, when this process knows it: records waiting for the database. */
  recordsQueue?: Queue;
  /** Prefix of Civic Line's own keys (the heartbeats). */
  keyPrefix?: string;
  /** The pager this process was configured with, if it knows. */
  configuredPager?: PagerMode | undefined;
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
    const [beats, counts, waiting, firstDelayed, records] = await Promise.all([
      readHeartbeats(redis, now, sources.keyPrefix === undefined ? {} : { keyPrefix: sources.keyPrefix }),
      queue.getJobCounts("wait", "prioritized", "delayed", "active", "failed"),
      queue.getJobs(["wait", "prioritized"], 0, JOBS_LOOKED_AT - 1, true),
      firstDelayedDueAt(redis, queue),
      sources.recordsQueue ? readRecordsBacklog(sources.recordsQueue) : undefined,
    ]);
    const dueFor = [...waiting.map((job) => now.toMillis() - dueAt(job)), ...(firstDelayed === undefined ? [] : [now.toMillis() - firstDelayed])];
    return {
      redis: "ok",
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
