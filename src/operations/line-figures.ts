import type { Job, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { DateTime } from "luxon";
import type { PagerMode } from "../config/env.js";
import { readHeartbeats } from "../adapters/redis/heartbeat.js";
import type { LineFigures } from "./line-status.js";

/** How many of the oldest jobs of each kind are looked at for the longest-due one. */
const JOBS_LOOKED_AT = 10;

export interface LineFigureSources {
  /** Any connection to the line's Redis (the web path's fail-fast one is right: `/status` must answer quickly). */
  redis: Redis;
  /** The `oncall-dispatch` queue. */
  queue: Queue;
  /** Prefix of Civic Line's own keys (the heartbeats). */
  keyPrefix?: string;
  /** The pager this process was configured with, if it knows. */
  configuredPager?: PagerMode | undefined;
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
    const [beats, counts, waiting, delayed] = await Promise.all([
      readHeartbeats(redis, now, sources.keyPrefix === undefined ? {} : { keyPrefix: sources.keyPrefix }),
      queue.getJobCounts("wait", "prioritized", "delayed", "active", "failed"),
      queue.getJobs(["wait", "prioritized"], 0, JOBS_LOOKED_AT - 1, true),
      queue.getJobs(["delayed"], 0, JOBS_LOOKED_AT - 1, true),
    ]);
    const dueFor = [...waiting.map((job) => now.toMillis() - dueAt(job, "waiting")), ...delayed.map((job) => now.toMillis() - dueAt(job, "delayed"))];
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
    };
  } catch {
    return { redis: "not answering", heartbeats: undefined, dispatch: undefined, configuredPager };
  }
}

/**
 * When a job became (or becomes) due, in epoch milliseconds. A job that has not been tried yet is
 * due at its creation time plus the delay it was added with (`opts.delay` survives BullMQ's
 * promotion of delayed jobs, which resets `delay` to 0). BullMQ keeps no due time for a retry:
 * one waiting out its backoff is due at the start of its last attempt plus the backoff (`delay`),
 * and one back in the queue counts from the start of its last attempt. Both leave out how long
 * the attempt took, so a retry's lateness can read high, never low.
 */
export function dueAt(job: Pick<Job, "timestamp" | "delay" | "opts" | "attemptsMade" | "processedOn">, state: "waiting" | "delayed"): number {
  if (job.attemptsMade === 0) return job.timestamp + (job.opts.delay ?? 0);
  const lastTried = job.processedOn ?? job.timestamp;
  return state === "delayed" ? lastTried + job.delay : lastTried;
}
