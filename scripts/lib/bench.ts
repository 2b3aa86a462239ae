import { Redis } from "ioredis";

/** The Redis database benchmarks write to (BENCH_REDIS_DB, default 9), on the server at REDIS_URL. */
export function benchRedisUrl(): string {
  const url = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
  url.pathname = `/${process.env.BENCH_REDIS_DB ?? "9"}`;
  return url.toString();
}

/** How many keys match `pattern` in the benchmark's database. */
export async function countKeys(redisUrl: string, pattern: string): Promise<number> {
  const redis = new Redis(redisUrl);
  let cursor = "0";
  let count = 0;
  try {
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
  return count;
}

/** Removes the line's own keys (`civic:*`) a benchmark left in its database; returns how many. */
export async function removeBenchKeys(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl);
  let cursor = "0";
  let removed = 0;
  try {
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", "civic:*", "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
  return removed;
}
