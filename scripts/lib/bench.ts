import type { Redis } from "ioredis";
import { connectRedis } from "../../src/adapters/redis/connections.js";
import { loadRedisConfig } from "../../src/config/env.js";

/**
 * The Redis database benchmarks write to (BENCH_REDIS_DB, default 9), on the line's Redis: the
 * server at REDIS_URL, or the primary REDIS_SENTINELS name (a line a benchmark starts keeps them).
 */
export function benchRedisUrl(): string {
  const url = new URL(loadRedisConfig(process.env).url);
  url.pathname = `/${process.env.BENCH_REDIS_DB ?? "9"}`;
  return url.toString();
}

/** A connection to the benchmarks' database, through Sentinel when the line's Redis is reached so. */
export function benchConnection(redisUrl = benchRedisUrl()): Redis {
  return connectRedis({ ...loadRedisConfig(process.env), url: redisUrl }, { maxRetriesPerRequest: null });
}

/** The key that marks a Redis database as the benchmarks' own (it is not one of the line's `civic:*` keys). */
const BENCH_MARK = "civic-line-bench:owner";

/** What the benchmarks remove from their database, before and after a run: the line's keys and BullMQ's. */
const BENCH_PATTERNS = ["civic:*", "bull:*"] as const;

/**
 * Makes sure the benchmark's database is its own before anything is written or removed there:
 * benchmarks remove every `civic:*` and `bull:*` key in it, before and after a run. A database
 * holding such keys that no benchmark made (a running line's accounts, published documents,
 * incidents, queues, or another application's BullMQ queues) is refused, and the process exits
 * with what to do.
 */
export async function claimBenchDatabase(redisUrl: string): Promise<void> {
  const redis = benchConnection(redisUrl);
  try {
    if ((await redis.exists(BENCH_MARK)) === 0) {
      for (const pattern of BENCH_PATTERNS) {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
          if (keys.length > 0) {
            console.error(
              `bench: Redis database ${redisUrl} holds keys (e.g. ${keys[0]}) that no benchmark made, and a benchmark removes every ${BENCH_PATTERNS.join(" and ")} key there. Choose an empty database with BENCH_REDIS_DB (0-15), or empty this one yourself if its keys are not wanted.`,
            );
            process.exit(1);
          }
          cursor = next;
        } while (cursor !== "0");
      }
      await redis.set(BENCH_MARK, `npm run bench: this database is the benchmarks'; they remove every ${BENCH_PATTERNS.join(" and ")} key in it`);
    }
  } finally {
    redis.disconnect();
  }
}

/** Runs `each` over the keys matching `pattern`, batch by batch, and adds up what it returns. */
async function overKeys(redisUrl: string, pattern: string, each: (keys: string[], redis: Redis) => Promise<number> | number): Promise<number> {
  const redis = benchConnection(redisUrl);
  let total = 0;
  try {
    for await (const keys of redis.scanStream({ match: pattern, count: 1000 })) total += await each(keys as string[], redis);
  } finally {
    await redis.quit();
  }
  return total;
}

/** How many keys match `pattern` in the benchmark's database (SCAN may name a key twice: counted once). */
export async function countKeys(redisUrl: string, pattern: string): Promise<number> {
  const seen = new Set<string>();
  await overKeys(redisUrl, pattern, (keys) => {
    for (const key of keys) seen.add(key);
    return 0;
  });
  return seen.size;
}

/**
 * Removes the line's own keys (`civic:*`, and BullMQ's `bull:*` for a benchmark that ran the
 * worker) a benchmark left in its database; returns how many.
 */
export async function removeBenchKeys(redisUrl: string, patterns: readonly string[] = ["civic:*"]): Promise<number> {
  let removed = 0;
  for (const pattern of patterns) removed += await overKeys(redisUrl, pattern, (keys, redis) => (keys.length > 0 ? redis.del(...keys) : 0));
  return removed;
}

/** A small seeded random source (mulberry32): the same seed gives the same numbers, so a benchmark's data or a storm's mix can be made again. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
