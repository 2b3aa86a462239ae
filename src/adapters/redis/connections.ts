import { Redis, type RedisOptions } from "ioredis";

/**
 * The connection the webhook path uses: it fails fast when Redis is down (no offline queue, one
 * retry, a short command timeout), so a caller hears the fallback within a second instead of
 * silence until Twilio gives up.
 */
export function createWebConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    connectTimeout: 2_000,
    // Keep reconnecting in the background; requests fail fast meanwhile.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    // Commands from concurrent webhooks share round trips.
    enableAutoPipelining: true,
    ...options,
  });
}

/**
 * The connection BullMQ workers use: blocking commands must wait out a Redis restart rather
 * than fail, so there is no per-request retry limit.
 */
export function createWorkerConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, ...options });
}

/** Resolves when the connection is ready, or rejects after `timeoutMs`. */
export async function waitUntilReady(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off("ready", onReady);
    };
    redis.on("ready", onReady);
  });
}
