import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RedisOverrideStore } from "../../src/adapters/redis/override-store.js";

// Real Redis; every key this file writes is under its own prefix, removed after.
const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const PREFIX = `test:override-store:${randomBytes(4).toString("hex")}:`;

describe("RedisOverrideStore", () => {
  let redis: Redis;
  let store: RedisOverrideStore;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    store = new RedisOverrideStore(redis, PREFIX);
  });
  beforeEach(async () => {
    await store.clear();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it("reads back what was set, so every instance serves the same override", async () => {
    await store.set({ mode: "closed", message: "Due to the storm, crews are out across the city." });
    expect(await store.get()).toEqual({ mode: "closed", message: "Due to the storm, crews are out across the city." });
  });

  it("has none once cleared", async () => {
    await store.set({ mode: "open" });
    await store.clear();
    expect(await store.get()).toBeNull();
  });

  describe("when the stored value was damaged by hand", () => {
    it("ignores a value that is not JSON, rather than failing every call", async () => {
      await redis.set(`${PREFIX}override`, "{not json");
      expect(await store.get()).toBeNull();
    });

    it("ignores JSON that is not an override", async () => {
      await redis.set(`${PREFIX}override`, JSON.stringify({ mode: "sideways" }));
      expect(await store.get()).toBeNull();
    });
  });
});
