import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { DateTime } from "luxon";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createWebConnection, createWorkerConnection, waitUntilReady } from "../../src/adapters/redis/connections.js";
import { HEARTBEAT_TTL_MS, heartbeatKey, readHeartbeats, WorkerHeartbeat } from "../../src/adapters/redis/heartbeat.js";

const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const start = DateTime.fromISO("2026-12-05T02:00:00", { zone: "America/Edmonton" });

describe("the worker heartbeat", () => {
  let redis: Redis;
  let keyPrefix: string;
  let now: DateTime;
  const clock = () => now;
  const heartbeat = (workerId: string, options: { alive?: () => boolean; pager?: "twilio" | "console" } = {}) =>
    new WorkerHeartbeat({ redis, keyPrefix, workerId, clock, pager: options.pager ?? "twilio", ...(options.alive ? { alive: options.alive } : {}) });
  const read = (at: DateTime) => readHeartbeats(redis, at, { keyPrefix });

  beforeAll(async () => {
    redis = createWebConnection(REDIS_URL);
    await waitUntilReady(redis);
  });

  afterEach(async () => {
    await redis.del(heartbeatKey(keyPrefix));
  });

  afterAll(() => redis.disconnect());

  beforeEach(() => {
    // Each test its own key, so nothing another test or file writes is read here.
    keyPrefix = `test-heartbeat-${randomBytes(4).toString("hex")}:`;
    now = start;
  });

  describe("after a worker beat", () => {
    it("is read with its age, worked out from the time it wrote", async () => {
      await heartbeat("worker-a").beat();
      const beats = await read(start.plus({ seconds: 7 }));
      expect(beats).toEqual([expect.objectContaining({ workerId: "worker-a", ageMs: 7_000, pager: "twilio", at: start.toISO() })]);
    });

    it("says which pager the worker uses", async () => {
      await heartbeat("worker-a", { pager: "console" }).beat();
      expect((await read(start))[0]?.pager).toBe("console");
    });

    it("keeps the hash only as long as a beat counts, so a line whose workers all died has none", async () => {
      await heartbeat("worker-a").beat();
      const ttl = await redis.pttl(heartbeatKey(keyPrefix));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(HEARTBEAT_TTL_MS);
    });
  });

  describe("once a beat is older than the TTL", () => {
    it("is not counted: the worker is missing", async () => {
      await heartbeat("worker-a").beat();
      expect(await read(start.plus({ milliseconds: HEARTBEAT_TTL_MS + 1 }))).toEqual([]);
    });

    it("is forgotten by the next beat of another worker", async () => {
      await heartbeat("worker-a").beat();
      now = start.plus({ milliseconds: HEARTBEAT_TTL_MS + 1 });
      await heartbeat("worker-b").beat();
      expect(Object.keys(await redis.hgetall(heartbeatKey(keyPrefix)))).toEqual(["worker-b"]);
    });
  });

  describe("with two workers", () => {
    it("counts both, the youngest beat first", async () => {
      await heartbeat("worker-a").beat();
      now = start.plus({ seconds: 4 });
      await heartbeat("worker-b").beat();
      const beats = await read(start.plus({ seconds: 5 }));
      expect(beats.map((beat) => [beat.workerId, beat.ageMs])).toEqual([
        ["worker-b", 1_000],
        ["worker-a", 5_000],
      ]);
    });
  });

  describe("started and stopped as the worker process does", () => {
    it("beats as soon as it starts", async () => {
      const running = await heartbeat("worker-a").start();
      expect((await read(start)).map((beat) => beat.workerId)).toEqual(["worker-a"]);
      await running.stop();
    });

    it("removes its beat on a clean stop, so a stopped worker is not taken for a stuck one", async () => {
      const running = await heartbeat("worker-a").start();
      await heartbeat("worker-b").beat();
      await running.stop();
      expect((await read(start)).map((beat) => beat.workerId)).toEqual(["worker-b"]);
    });

    it("does not beat while the worker is not running", async () => {
      const stopped = await heartbeat("worker-a", { alive: () => false }).start();
      expect(await read(start)).toEqual([]);
      await stopped.stop();
    });
  });

  describe("while Redis does not answer", () => {
    // A worker's connection queues commands until Redis is back, for ever.
    let away: Redis;
    beforeEach(() => {
      away = createWorkerConnection("redis://127.0.0.1:1", { retryStrategy: () => 1_000 });
      away.on("error", () => {});
    });
    afterEach(() => away.disconnect());

    it("lets the worker start and stop all the same", async () => {
      const waiting = await new WorkerHeartbeat({ redis: away, keyPrefix, workerId: "worker-a", clock, pager: "twilio" }).start();
      await waiting.stop();
      // Reaching this line is the point: neither start nor stop waited for Redis.
      expect(away.status).not.toBe("ready");
    });
  });

  describe("with beats it cannot read", () => {
    it("skips what is not a heartbeat", async () => {
      await redis.hset(heartbeatKey(keyPrefix), "junk", "not json", "odd", JSON.stringify({ workerId: "odd" }));
      await heartbeat("worker-a").beat();
      expect((await read(start)).map((beat) => beat.workerId)).toEqual(["worker-a"]);
    });
  });
});
