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
 * (`failoverDetector`). The URL's password, database and TLS apply to the primary either way
 * (ioredis reads them from the URL into the options it gives the primary it is told of); the
 * sentinels' password and user apply to every connection to a sentinel, the failover detector's
 * included. A plain string is a URL.
 */
export function connectRedis(where: RedisLocation | string, options: RedisOptions = {}): Redis {
  const location = typeof where === "string" ? { url: where } : where;
  if (!location.sentinel) return new Redis(location.url, options);
  const { password, username } = location.sentinel;
  return new Redis(location.url, {
    sentinels: location.sentinel.sentinels,
    name: location.sentinel.name,
    ...(password ? { sentinelPassword: password } : {}),
    ...(username ? { sentinelUsername: username } : {}),
    failoverDetector: true,
    Connector: FailoverSafeSentinelConnector,
    ...(location.url.startsWith("rediss:") ? { enableTLSForSentinelMode: true } : {}),
    ...options,
  });
}

/**
 * Where `where` is, fit to print: the URL without its password, or the sentinels and the
 * primary's name (neither the URL's password nor the sentinels').
 */
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
  return `primary "${location.sentinel.name}" through the sentinels ${describeSentinels(location.sentinel)}`;
}

/** The sentinels' addresses as REDIS_SENTINELS writes them; nothing of their password. */
function describeSentinels(sentinel: NonNullable<RedisLocation["sentinel"]>): string {
  return sentinel.sentinels.map(({ host, port }) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`)).join(",");
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

/**
 * Redis or its sentinels refused the line's credentials: a setting to correct, not an outage to
 * wait out. The message names the variable to fix, never its value.
 */
export class RedisCredentialsError extends Error {
  override readonly name = "RedisCredentialsError";
}

/** What a server answers a client whose password it does not take, or that sent none (Redis 5's words, and 6's and later). */
const REFUSED = /\b(NOAUTH|WRONGPASS)\b|\binvalid password\b/;
/** ioredis' words when it could ask no sentinel; the last sentinel's refusal follows "Last error:". */
const NO_SENTINEL = /^All sentinels are unreachable/;

/** True when `error` says Redis or a sentinel refused the connection's credentials (or wanted some). */
export function refusesCredentials(error: Error): boolean {
  return REFUSED.test(error.message);
}

/**
 * What to fix when `error`, from a connection to `where`, says that the sentinels or the primary
 * refused the line's credentials: which password, named by its variable. Undefined for any other
 * error.
 */
export function credentialsProblem(error: Error, where: RedisLocation | string): string | undefined {
  if (!refusesCredentials(error)) return undefined;
  const location = typeof where === "string" ? { url: where } : where;
  const sentinel = location.sentinel;
  if (sentinel && NO_SENTINEL.test(error.message)) {
    const sentinels = describeSentinels(sentinel);
    if (!sentinel.password) return `the sentinels (${sentinels}) require a password: set REDIS_SENTINEL_PASSWORD to theirs (their requirepass)`;
    return `the sentinels (${sentinels}) refused ${sentinel.username ? "REDIS_SENTINEL_USERNAME and REDIS_SENTINEL_PASSWORD" : "REDIS_SENTINEL_PASSWORD"}: set it to theirs (their requirepass)`;
  }
  const hasPassword = URL.canParse(location.url) && new URL(location.url).password !== "";
  const primary = sentinel ? `the primary "${sentinel.name}" the sentinels named` : `Redis at ${describeRedis(location)}`;
  return hasPassword
    ? `${primary} refused the password in REDIS_URL: set it to the primary's (its requirepass)`
    : `${primary} requires a password: put it in REDIS_URL (redis://:PASSWORD@host:6379/0)`;
}

/**
 * Resolves when the connection is ready, or rejects after `timeoutMs`. Given where the connection
 * goes, it rejects at once with a {@link RedisCredentialsError} when the sentinels or the primary
 * refuse the line's credentials, which no waiting mends.
 */
export async function waitUntilReady(redis: Redis, timeoutMs = 5_000, where?: RedisLocation | string): Promise<void> {
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
    const onError = (error: Error) => {
      const problem = where === undefined ? undefined : credentialsProblem(error, where);
      if (!problem) return;
      cleanup();
      reject(new RedisCredentialsError(`Redis: ${problem}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      redis.off("error", onError);
    };
    redis.on("ready", onReady);
    redis.on("error", onError);
  });
}
