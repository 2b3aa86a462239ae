/**
 * Failed sign-ins counted in the real Redis through rate-limiter-flexible: a few are free, then
 * each makes the next attempt wait twice as long, up to a cap; a success forgets the failures of
 * that account from that address, but not of the address. Small limits stand in for the real ones.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSignInLimiter } from "../../src/adapters/redis/sign-in-limiter.js";
import { REDIS_URL } from "../helpers/line.js";

const prefix = `test-${randomBytes(4).toString("hex")}:`;
let redis: Redis;
let limiter: RedisSignInLimiter;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  limiter = new RedisSignInLimiter(redis, {
    prefix,
    limits: {
      perAccountAndAddress: { freeFailures: 2, firstDelaySeconds: 1, maxDelaySeconds: 4, windowSeconds: 60 },
      perAddress: { freeFailures: 8, firstDelaySeconds: 1, maxDelaySeconds: 8, windowSeconds: 60 },
    },
  });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe("failed sign-ins as one account from one address", () => {
  const address = "203.0.113.1";

  it("cost nothing for the free ones", async () => {
    expect([await limiter.failed("dana", address), await limiter.failed("dana", address)]).toEqual([0, 0]);
    expect(await limiter.waitFor("dana", address)).toBe(0);
  });

  it("then make the next attempt wait, twice as long each time, up to the cap", async () => {
    const waits = [];
    for (let failure = 3; failure <= 6; failure++) waits.push(await limiter.failed("dana", address));
    expect(waits).toEqual([1000, 2000, 4000, 4000]);
  });

  it("say how long is left to wait", async () => {
    const wait = await limiter.waitFor("dana", address);
    expect(wait).toBeGreaterThan(3000);
    expect(wait).toBeLessThanOrEqual(4000);
  });

  it("do not hold up the same account from another address", async () => {
    expect(await limiter.waitFor("dana", "198.51.100.7")).toBe(0);
  });

  it("do not hold up another account from the same address", async () => {
    expect(await limiter.waitFor("erin", address)).toBe(0);
  });

  it("are forgotten once a sign-in succeeds", async () => {
    await limiter.succeeded("dana", address);
    expect(await limiter.waitFor("dana", address)).toBe(0);
    expect([await limiter.failed("dana", address), await limiter.failed("dana", address)]).toEqual([0, 0]);
  });
});

describe("a wait", () => {
  it("ends by itself", async () => {
    const address = "203.0.113.2";
    for (let failure = 1; failure <= 3; failure++) await limiter.failed("fay", address);
    expect(await limiter.waitFor("fay", address)).toBeGreaterThan(0);
    await sleep(1100);
    expect(await limiter.waitFor("fay", address)).toBe(0);
  });

  it("grows from where the failures left off, not from the start", async () => {
    const address = "203.0.113.3";
    for (let failure = 1; failure <= 3; failure++) await limiter.failed("gus", address);
    await sleep(1100);
    expect(await limiter.failed("gus", address)).toBe(2000);
  });
});

describe("failed sign-ins from one address, whatever the account", () => {
  const address = "203.0.113.4";

  it("make every account from it wait once past the address's free failures", async () => {
    const names = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"];
    for (const name of names) expect(await limiter.failed(name, address)).toBe(0);
    expect(await limiter.failed("a9", address)).toBe(1000);
    expect(await limiter.waitFor("someone-else", address)).toBeGreaterThan(0);
  });

  it("are not forgotten when one of those accounts then signs in", async () => {
    await limiter.succeeded("a1", address);
    expect(await limiter.waitFor("a1", address)).toBeGreaterThan(0);
  });
});

describe("a name typed with spaces and symbols", () => {
  it("is counted apart from the address it came from", async () => {
    expect(await limiter.failed("x 203.0.113.9", "203.0.113.5")).toBe(0);
    expect(await limiter.waitFor("x", "203.0.113.9 203.0.113.5")).toBe(0);
  });
});
