import { Redis, SentinelConnector, type RedisOptions } from "ioredis";
import type { RedisLocation } from "../../config/env.js";

/**
 * ioredis' Sentinel connector, without a trap that can end a connection for good in a failover.
 *
 * With `failoverDetector` on, each connection subscribes to the sentinels' `+switch-master`, and
 * on it calls the connector's `disconnect()` to reconnect. ioredis keeps the detector of a
 * connection after that connection is lost (the primary died), so the announcement usually comes
 * while the client is already looking for the new primary through the sentinels: `disconnect()`
 * cuts that lookup short, ioredis takes it as a deliberate close and ends the client ("Connection
 * is closed.", status `end`, never retried). BullMQ's worker then stays "running" and never takes
 * a job again (the trap of bullmq #4378). Here each new attempt drops the lost connection's
 * detector first: the lookup finds the new primary by itself, and the connection it makes gets a
 * detector of its own. A connection to a primary that hangs keeps its detector, which is what it
 * is for.
 */
class FailoverSafeSentinelConnector extends SentinelConnector {
  /** ioredis hands a connector the client's whole options (`Connector`'s contract takes them as unknown). */
  constructor(options: unknown) {
    super(options as ConstructorParameters<typeof SentinelConnector>[0]);
  }

  override connect(...args: Parameters<SentinelConnector["connect"]>): ReturnType<SentinelConnector["connect"]> {
    // ioredis keeps the field private: should a new version rename it, this does nothing, and
    // test/resilience/sentinel-failover.test.ts ("told of the failover while it looks for the
    // new one") fails with "Connection is closed.".
    const self = this as unknown as { failoverDetector: { cleanup(): void } | null };
    self.failoverDetector?.cleanup();
    self.failoverDetector = null;
    return super.connect(...args);
  }
}

/**
 * A connection to the line's Redis: at a URL, or through Sentinel (ioredis' own support), which
 * asks the sentinels where the primary is, follows a failover to the new one, and notices one by
 * the sentinels' announcement even when the old primary hangs rather than dies
 * (`failoverDetector`). The URL's password, database and TLS apply to the primary either way.
 * A plain string is a URL.
 */
export function connectRedis(where: RedisLocation | string, options: RedisOptions = {}): Redis {
  const location = typeof where === "string" ? { url: where } : where;
  if (!location.sentinel) return new Redis(location.url, options);
  return new Redis(location.url, {
    sentinels: location.sentinel.sentinels,
    name: location.sentinel.name,
    failoverDetector: true,
    Connector: FailoverSafeSentinelConnector,
    ...(location.url.startsWith("rediss:") ? { enableTLSForSentinelMode: true } : {}),
    ...options,
  });
}

/** Where `where` is, fit to print: the URL without its password, or the sentinels and the primary's name. */
export function describeRedis(where: RedisLocation | string): string {
  const location = typeof where === "string" ? { url: where } : where;
  let url = location.url;
  try {
    const parsed = new URL(location.url);
    if (parsed.password) parsed.password = "****";
    url = parsed.toString().replace(/\/$/, "");
  } catch {
    url = "(REDIS_URL, which is not a valid URL)";
  }
  if (!location.sentinel) return url;
  const sentinels = location.sentinel.sentinels.map(({ host, port }) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`)).join(",");
  return `primary "${location.sentinel.name}" through the sentinels ${sentinels}`;
}

/**
 * The connection the webhook path uses: it fails fast when Redis is down (no offline queue, one
 * retry, a short command timeout), so a caller hears the fallback within a second instead of
 * silence until Twilio gives up. It keeps reconnecting meanwhile, to the same Redis or, through
 * Sentinel, to whichever primary the sentinels name.
 */
export function createWebConnection(where: RedisLocation | string, options: RedisOptions = {}): Redis {
  return connectRedis(where, {
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
 * The connection BullMQ workers use: blocking commands must wait out a Redis restart or a
 * failover rather than fail, so there is no per-request retry limit and no command timeout (one
 * would break BullMQ's blocking commands); it never stops reconnecting.
 */
export function createWorkerConnection(where: RedisLocation | string, options: RedisOptions = {}): Redis {
  return connectRedis(where, { maxRetriesPerRequest: null, ...options });
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
