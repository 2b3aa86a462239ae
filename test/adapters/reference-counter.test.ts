/**
 * The line's one reference counter, against the real Redis: an online request's reference and an
 * urgent report's come from the same count, so no two requests share one.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BullReportQueue } from "../../src/adapters/bullmq/report-queue.js";
import { FIRST_REFERENCE, nextReference } from "../../src/adapters/redis/reference-counter.js";
import { newCallSid, REDIS_URL } from "../helpers/line.js";

const prefix = `test-${randomBytes(4).toString("hex")}:`;
let redis: Redis;
let reports: BullReportQueue;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  reports = new BullReportQueue({ redis, queueName: `references-${randomBytes(4).toString("hex")}`, keyPrefix: prefix });
});
afterAll(async () => {
  await reports.queue.obliterate({ force: true });
  await reports.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe("the reference counter", () => {
  it("starts past the first reference, six digits long", async () => {
    expect(await nextReference(redis, prefix)).toBe(String(FIRST_REFERENCE + 1));
  });

  it("counts on from the urgent reports' references, and they from its", async () => {
    const draft = { category: "water", location: "5th Avenue", callbackNumber: null, callSid: newCallSid(), receivedAt: "2026-12-05T02:00:00.000-07:00" };
    const urgent = Number(await reports.dispatch(draft));
    const online = Number(await nextReference(redis, prefix));
    const urgentAgain = Number(await reports.dispatch({ ...draft, callSid: newCallSid() }));
    expect([urgent, online, urgentAgain]).toEqual([FIRST_REFERENCE + 2, FIRST_REFERENCE + 3, FIRST_REFERENCE + 4]);
  });

  it("never gives the same reference twice, however many ask at once", async () => {
    const references = await Promise.all(Array.from({ length: 50 }, () => nextReference(redis, prefix)));
    expect(new Set(references).size).toBe(50);
  });
});
