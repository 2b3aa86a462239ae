import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisSettingsToFix } from "../../src/adapters/redis/settings-check.js";
import { RedisServer } from "../helpers/redis-server.js";

// The worker says at start, in production, when its Redis would lose what the line keeps.
describe("the Redis settings the production checklist asks for", { timeout: 30_000 }, () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await RedisServer.start({ appendOnly: true });
    redis = new Redis(server.url);
  });

  afterAll(async () => {
    redis.disconnect();
    await server.remove();
  });

  it("finds nothing to fix on a Redis with AOF and noeviction", async () => {
    await redis.config("SET", "maxmemory-policy", "noeviction");
    expect(await redisSettingsToFix(redis)).toEqual([]);
  });

  it("names each setting that would lose calls or pages, and what to set", async () => {
    await redis.config("SET", "appendonly", "no");
    await redis.config("SET", "maxmemory-policy", "allkeys-lru");
    expect(await redisSettingsToFix(redis)).toEqual([
      "appendonly is no: calls in progress and queued pages are lost when Redis restarts (set appendonly yes)",
      "maxmemory-policy is allkeys-lru: Redis may drop calls and queued pages when its memory is full (set noeviction)",
    ]);
  });

  it("claims nothing when Redis will not say (a managed Redis refusing CONFIG)", async () => {
    await redis.acl("SETUSER", "limited", "on", ">limited-pass", "~*", "+@all", "-config");
    const limited = new Redis(server.url, { username: "limited", password: "limited-pass" });
    try {
      expect(await redisSettingsToFix(limited)).toEqual([]);
    } finally {
      limited.disconnect();
    }
  });
});
