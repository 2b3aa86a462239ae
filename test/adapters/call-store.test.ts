import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisCallStore } from "../../src/adapters/redis/call-store.js";
import { CALL_TTL_SECONDS } from "../../src/adapters/redis/keys.js";
import { RedisOverrideStore } from "../../src/adapters/redis/override-store.js";
import type { CallState } from "../../src/domain/flow/call-state.js";

// Real Redis; every key this file writes is under its own prefix, removed after.
const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const PREFIX = `test:call-store:${randomBytes(4).toString("hex")}:`;

function answeredCall(step = 1): CallState {
  return {
    callSid: `CA${randomBytes(16).toString("hex")}`,
    flow: "main",
    state: "urgent-menu",
    entering: false,
    step,
    attempts: 0,
    confirming: false,
    vars: {},
    path: ["greeting", "urgent-menu"],
    caller: "+14035550123",
    startedAt: "2026-12-03T02:00:00.000-07:00",
    ended: false,
  };
}

describe("RedisCallStore", () => {
  let redis: Redis;
  let calls: RedisCallStore;
  let overrides: RedisOverrideStore;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    calls = new RedisCallStore(redis, PREFIX);
    overrides = new RedisOverrideStore(redis, PREFIX);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  describe("starting a new call in one round trip", () => {
    it("saves its first step, answer and all, while the call is unknown and the override as read", async () => {
      await overrides.clear();
      const call = answeredCall();
      expect(await calls.start(call, "<Response/>", "")).toBe(true);
      expect(await calls.load(call.callSid)).toEqual({ call, twiml: "<Response/>" });
      const ttl = await redis.ttl(`${PREFIX}call:${call.callSid}`);
      expect(ttl).toBeGreaterThan(CALL_TTL_SECONDS - 60);
    });

    it("saves nothing for a call already answered (Twilio asking again), which keeps its first answer", async () => {
      await overrides.clear();
      const call = answeredCall();
      await calls.start(call, "<Response><Say>first</Say></Response>", "");
      expect(await calls.start({ ...call, vars: { again: "yes" } }, "<Response><Say>second</Say></Response>", "")).toBe(false);
      expect(await calls.load(call.callSid)).toEqual({ call, twiml: "<Response><Say>first</Say></Response>" });
    });

    it("saves nothing when the override changed since it was read", async () => {
      await overrides.clear();
      await overrides.get();
      const before = overrides.lastRead()!.version;
      // Another instance: a supervisor's message set meanwhile.
      await new RedisOverrideStore(redis, PREFIX).set({ message: "Storm." });
      const call = answeredCall();
      expect(await calls.start(call, "<Response/>", before)).toBe(false);
      expect(await calls.load(call.callSid)).toBeNull();
      await overrides.get();
      expect(await calls.start(call, "<Response/>", overrides.lastRead()!.version)).toBe(true);
      await overrides.clear();
    });

    it("saves nothing when an override was cleared since it was read", async () => {
      await overrides.set({ message: "Storm." });
      await overrides.get();
      const read = overrides.lastRead()!.version;
      await overrides.clear();
      const call = answeredCall();
      expect(await calls.start(call, "<Response/>", read)).toBe(false);
    });
  });

  describe("saving a later step", () => {
    it("saves only over the step it was worked out from", async () => {
      await overrides.clear();
      const call = answeredCall();
      await calls.start(call, "<Response/>", "");
      const next = { ...call, step: 2, state: "urgent-location" };
      expect(await calls.save(next, 1, "<Response><Say>where</Say></Response>")).toBe(true);
      // A retry of step 1 racing it, worked out from the same stored step.
      expect(await calls.save({ ...next, state: "other" }, 1, "<Response/>")).toBe(false);
      expect((await calls.load(call.callSid))!.call.state).toBe("urgent-location");
    });
  });
});
