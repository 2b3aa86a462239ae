import { Redis } from "ioredis";

/** The Redis database benchmarks write to (BENCH_REDIS_DB, default 9), on the server at REDIS_URL. */
export function benchRedisUrl(): string {
  const url = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
  url.pathname = `/${process.env.BENCH_REDIS_DB ?? "9"}`;
  return url.toString();
}

/** Runs `each` over the keys matching `pattern`, batch by batch, and adds up what it returns. */
async function overKeys(redisUrl: string, pattern: string, each: (keys: string[], redis: Redis) => Promise<number> | number): Promise<number> {
  const redis = new Redis(redisUrl);
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

/** Removes the line's own keys (`civic:*`) a benchmark left in its database; returns how many. */
export function removeBenchKeys(redisUrl: string): Promise<number> {
  return overKeys(redisUrl, "civic:*", (keys, redis) => (keys.length > 0 ? redis.del(...keys) : 0));
}
