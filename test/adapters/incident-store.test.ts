/**
 * The incidents kept in Redis: each is kept a year (its keys expire), and the list of them, which
 * `npm run oncall -- incidents` and the storm read, forgets those the year has taken rather than
 * grow by one an incident for as long as the line runs.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebConnection, waitUntilReady } from "../../src/adapters/redis/connections.js";
import { RedisIncidentStore } from "../../src/adapters/redis/incident-store.js";
import { REDIS_URL } from "../helpers/line.js";
import { urgentReport } from "../helpers/records.js";

const prefix = `test-${randomBytes(4).toString("hex")}:`;
const redis = createWebConnection(REDIS_URL);
const store = new RedisIncidentStore(redis, prefix);

beforeAll(() => waitUntilReady(redis));
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe("the list of incidents in Redis", () => {
  it("forgets an incident opened more than a year before the newest, as its keys are", async () => {
    const lastWinter = "2025-11-20T09:00:00.000Z";
    const now = "2026-12-04T09:00:00.000Z";
    await store.openOrJoin(urgentReport({ reference: "500001", receivedAt: lastWinter }), "", lastWinter, 0);
    await store.openOrJoin(urgentReport({ reference: "500002", receivedAt: "2026-01-10T09:00:00.000Z" }), "", "2026-01-10T09:00:00.000Z", 0);
    expect(await redis.zrange(`${prefix}incidents`, 0, -1)).toEqual(["500001", "500002"]);
    await store.openOrJoin(urgentReport({ reference: "500003", receivedAt: now }), "", now, 0);
    // 500001 is more than 366 days older than 500003; 500002 is not.
    expect(await redis.zrange(`${prefix}incidents`, 0, -1)).toEqual(["500002", "500003"]);
    expect((await store.recent(10)).map((incident) => incident.reference)).toEqual(["500003", "500002"]);
  });
});
