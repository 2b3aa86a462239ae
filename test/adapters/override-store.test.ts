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
    await store.set({ mode: "open", until: "2026-12-02T16:30:00-07:00" });
    await store.clear();
    expect(await store.get()).toBeNull();
  });

  describe("an override that opens the line", () => {
    it("is stored with its end", async () => {
      await store.set({ mode: "open", until: "2026-12-02T16:30:00-07:00" });
      expect(await store.get()).toEqual({ mode: "open", until: "2026-12-02T16:30:00-07:00" });
    });

    it("is refused without an end, and nothing is stored", async () => {
      await store.set({ mode: "closed", message: "Storm." });
      await expect(store.set({ mode: "open", message: "Flood line open." })).rejects.toThrow(/opens the line needs an end/);
      expect(await store.get()).toEqual({ mode: "closed", message: "Storm." });
    });

    it("written without an end by other means, is still read back, for activeOverride to set aside", async () => {
      await redis.set(`${PREFIX}override`, JSON.stringify({ mode: "open", message: "Flood line open." }));
      expect(await store.get()).toEqual({ mode: "open", message: "Flood line open." });
    });
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

  describe("what a process last read", () => {
    it("is nothing before its first read or write", () => {
      expect(new RedisOverrideStore(redis, PREFIX).lastRead()).toBeUndefined();
    });

    it("is the override and the JSON it was read from, that version telling one value from another", async () => {
      const reader = new RedisOverrideStore(redis, PREFIX);
      await store.set({ message: "Storm." });
      const override = await reader.get();
      expect(reader.lastRead()).toEqual({ override, version: JSON.stringify({ message: "Storm." }) });
      await store.clear();
      await reader.get();
      expect(reader.lastRead()).toEqual({ override: null, version: "" });
    });

    it("is what this process wrote, once it has", async () => {
      const writer = new RedisOverrideStore(redis, PREFIX);
      await writer.set({ mode: "closed", message: "Storm." });
      expect(writer.lastRead()).toEqual({ override: { mode: "closed", message: "Storm." }, version: await redis.get(`${PREFIX}override`) });
      await writer.clear();
      expect(writer.lastRead()).toEqual({ override: null, version: "" });
    });

    it("is not changed by what another instance writes until this one reads again", async () => {
      const reader = new RedisOverrideStore(redis, PREFIX);
      await reader.get();
      await store.set({ message: "Storm." });
      expect(reader.lastRead()).toEqual({ override: null, version: "" });
    });

    it("is the same override object while the stored value stays the same, parsed once", async () => {
      await store.set({ mode: "closed", message: "Storm." });
      const first = await store.get();
      expect(await store.get()).toBe(first);
      await store.set({ mode: "closed", message: "Storm, still." });
      expect(await store.get()).not.toBe(first);
    });

    it("of a damaged value is no override, with the damaged text as its version", async () => {
      await redis.set(`${PREFIX}override`, "{not json");
      await store.get();
      expect(store.lastRead()).toEqual({ override: null, version: "{not json" });
    });
  });
});
