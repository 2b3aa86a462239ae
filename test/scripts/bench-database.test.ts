import { spawnSync } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisServer } from "../helpers/redis-server.js";

// The benchmarks and the storm remove every civic:* and bull:* key of their database, before and
// after: a database holding such keys that no benchmark made must be refused, never emptied.
let server: RedisServer;
let redis: Redis;
beforeAll(async () => {
  server = await RedisServer.start({ appendOnly: false });
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis.quit();
  await server.remove();
});

/** Claims database `db` of the private server as `npm run bench` does; its exit status and what it printed. */
function claim(db: number): { status: number | null; stderr: string } {
  const script = 'import { benchRedisUrl, claimBenchDatabase } from "./scripts/lib/bench.ts"; await claimBenchDatabase(benchRedisUrl());';
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    env: { ...process.env, REDIS_URL: server.url, BENCH_REDIS_DB: String(db), REDIS_SENTINELS: "" },
    encoding: "utf8",
  });
  return { status: result.status, stderr: result.stderr };
}

describe("a benchmark's Redis database", () => {
  it("is claimed when empty, and marked as the benchmarks' own", async () => {
    expect(claim(1).status).toBe(0);
    await redis.select(1);
    expect(await redis.exists("civic-line-bench:owner")).toBe(1);
  });

  it("is refused when it holds the line's keys, and nothing is removed", async () => {
    await redis.select(2);
    await redis.set("civic:accounts:admin", "{}");
    const { status, stderr } = claim(2);
    expect(status).toBe(1);
    expect(stderr).toMatch(/holds keys \(e\.g\. civic:accounts:admin\) that no benchmark made.*BENCH_REDIS_DB/);
    expect(await redis.exists("civic:accounts:admin")).toBe(1);
  });

  it("is refused when it holds another application's BullMQ queues", async () => {
    await redis.select(3);
    await redis.set("bull:invoices:meta", "{}");
    const { status, stderr } = claim(3);
    expect(status).toBe(1);
    expect(stderr).toMatch(/bull:invoices:meta/);
    expect(await redis.exists("bull:invoices:meta")).toBe(1);
  });
});
