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

describe("the incidents not fixed yet", () => {
  const unresolved = new RedisIncidentStore(redis, `${prefix}unresolved:`);
  const fixer = { name: "Supervisor", phone: "+14035550199", supervisor: true, mayCloseUntaken: true };

  it("are found however many fixed ones are newer, newest first, as many as asked for", async () => {
    // Two not fixed yet (one open, one taken by a crew), then 150 opened and fixed since: more than
    // one page of the list.
    const opened = (n: number) => new Date(Date.parse("2026-12-04T00:00:00.000Z") + n * 60_000).toISOString();
    for (const n of [1, 2]) await unresolved.openOrJoin(urgentReport({ reference: String(600000 + n), location: `${n} Open Street`, receivedAt: opened(n) }), "", opened(n), 0);
    await unresolved.acknowledge("600002", { name: "Ana", phone: "+14035556001" }, opened(2));
    for (let n = 3; n <= 152; n++) {
      const reference = String(600000 + n);
      await unresolved.openOrJoin(urgentReport({ reference, location: `${n} Fixed Street`, receivedAt: opened(n) }), "", opened(n), 0);
      await unresolved.resolve(reference, fixer, opened(n));
    }
    expect((await unresolved.recent(5, { unresolved: true })).map((incident) => incident.reference)).toEqual(["600002", "600001"]);
    expect((await unresolved.recent(5, { unresolved: true })).map((incident) => incident.status)).toEqual(["acknowledged", "open"]);
    expect((await unresolved.recent(1, { unresolved: true })).map((incident) => incident.reference)).toEqual(["600002"]);
    expect((await unresolved.recent(3)).map((incident) => incident.reference)).toEqual(["600152", "600151", "600150"]);
  });

  it("are each listed once when incidents open as they are read (a storm, as the morning's list is asked for)", async () => {
    // A hundred incidents, the oldest open: the last of the first page read.
    const boundary = new RedisIncidentStore(redis, `${prefix}boundary:`);
    const opened = (n: number) => new Date(Date.parse("2026-12-04T00:00:00.000Z") + n * 60_000).toISOString();
    for (let n = 1; n <= 100; n++) {
      const reference = String(610000 + n);
      await boundary.openOrJoin(urgentReport({ reference, location: `${n} Boundary Street`, receivedAt: opened(n) }), "", opened(n), 0);
      if (n > 1) await boundary.resolve(reference, fixer, opened(n));
    }
    // The same Redis, but an incident opens just after the first page of the list is read,
    // pushing the open one into the second page too.
    let pagesRead = 0;
    const opening = new Proxy(redis, {
      get(target, name, receiver) {
        if (name !== "zrevrange") return Reflect.get(target, name, receiver);
        return async (...args: Parameters<typeof redis.zrevrange>) => {
          const references = await target.zrevrange(...args);
          if (++pagesRead === 1) await boundary.openOrJoin(urgentReport({ reference: "610101", location: "101 Boundary Street", receivedAt: opened(101) }), "", opened(101), 0);
          return references;
        };
      },
    });
    const listed = await new RedisIncidentStore(opening, `${prefix}boundary:`).recent(10, { unresolved: true });
    expect(pagesRead).toBe(2);
    expect(listed.map((incident) => incident.reference)).toEqual(["610001"]);
  });
});
