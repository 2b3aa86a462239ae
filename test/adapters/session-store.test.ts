/**
 * Sessions in the real Redis, so that any web instance serves any supervisor: they lapse after a
 * while unused (each use restarts the count), and at their absolute limit however much they are
 * used. Short limits stand in for the real 30 minutes and 12 hours.
 */
import { createHash, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSessionStore } from "../../src/adapters/redis/session-store.js";
import type { Session } from "../../src/domain/ports.js";
import { REDIS_URL } from "../helpers/line.js";

const prefix = `test-${randomBytes(4).toString("hex")}:`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

function newSession(username = "dana", createdAt = new Date()): Session {
  return { id: randomBytes(32).toString("base64url"), username, csrfToken: randomBytes(32).toString("base64url"), createdAt: createdAt.toISOString() };
}

describe("a session just made", () => {
  it("is found by its id, with its user and CSRF token", async () => {
    const store = new RedisSessionStore(redis, { prefix });
    const session = newSession();
    await store.create(session);
    expect(await store.touch(session.id)).toEqual(session);
  });

  it("is not found by any other id", async () => {
    const store = new RedisSessionStore(redis, { prefix });
    expect(await store.touch(randomBytes(32).toString("base64url"))).toBeNull();
  });
});

describe("a session left unused", () => {
  it("lapses after the idle time", async () => {
    const store = new RedisSessionStore(redis, { prefix, idleMs: 300 });
    const session = newSession();
    await store.create(session);
    await sleep(450);
    expect(await store.touch(session.id)).toBeNull();
  });
});

describe("a session in use", () => {
  it("outlives the idle time, each use restarting it", async () => {
    const store = new RedisSessionStore(redis, { prefix, idleMs: 400 });
    const session = newSession();
    await store.create(session);
    for (let use = 0; use < 4; use++) {
      await sleep(200);
      expect(await store.touch(session.id)).not.toBeNull();
    }
  });

  it("lapses at its absolute limit all the same", async () => {
    let now = new Date("2026-12-02T08:00:00.000Z");
    const store = new RedisSessionStore(redis, { prefix, idleMs: 60_000, absoluteMs: 12 * 60 * 60 * 1000, now: () => now });
    const session = newSession("dana", now);
    await store.create(session);
    now = new Date("2026-12-02T19:59:59.000Z");
    expect(await store.touch(session.id)).not.toBeNull();
    now = new Date("2026-12-02T20:00:00.000Z");
    expect(await store.touch(session.id)).toBeNull();
  });

  it("is never kept in Redis past its absolute limit, even by a touch just before it", async () => {
    let now = new Date();
    const store = new RedisSessionStore(redis, { prefix, idleMs: 60_000, absoluteMs: 1_000, now: () => now });
    const session = newSession("dana", now);
    await store.create(session);
    now = new Date(now.getTime() + 800);
    await store.touch(session.id);
    expect(await redis.pttl(`${prefix}session:${sha256(session.id)}`)).toBeLessThanOrEqual(200);
  });
});

describe("signing out", () => {
  it("ends the session", async () => {
    const store = new RedisSessionStore(redis, { prefix });
    const session = newSession();
    await store.create(session);
    await store.delete(session.id);
    expect(await store.touch(session.id)).toBeNull();
  });

  it("of a session already gone is no error", async () => {
    const store = new RedisSessionStore(redis, { prefix });
    await expect(store.delete(randomBytes(32).toString("base64url"))).resolves.toBeUndefined();
  });
});

describe("ending every session of a person", () => {
  it("ends theirs, says how many, and leaves others' alone", async () => {
    const store = new RedisSessionStore(redis, { prefix });
    const [laptop, phone, other] = [newSession("erin"), newSession("erin"), newSession("fay")];
    for (const session of [laptop, phone, other]) await store.create(session);
    expect(await store.deleteFor("erin")).toBe(2);
    expect(await store.touch(laptop.id)).toBeNull();
    expect(await store.touch(phone.id)).toBeNull();
    expect(await store.touch(other.id)).not.toBeNull();
  });

  it("is nothing for someone with no session", async () => {
    expect(await new RedisSessionStore(redis, { prefix }).deleteFor("nobody")).toBe(0);
  });
});

// A raw look at the keys, on purpose: what a copy of Redis would give away.
describe("what Redis holds", () => {
  it("is a hash of the session id, never the id", async () => {
    const store = new RedisSessionStore(redis, { prefix });
    const session = newSession("gus");
    await store.create(session);
    const keys = await redis.keys(`${prefix}session:*`);
    expect(keys).toContain(`${prefix}session:${sha256(session.id)}`);
    expect(keys.join(" ")).not.toContain(session.id);
  });
});

describe("limits that are not positive whole milliseconds", () => {
  it("are refused when the store is made", () => {
    expect(() => new RedisSessionStore(redis, { idleMs: 0 })).toThrow("RedisSessionStore: idleMs must be a positive whole number of milliseconds, got 0");
  });
});

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
