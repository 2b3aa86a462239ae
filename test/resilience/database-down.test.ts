import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RedisOverrideStore } from "../../src/adapters/redis/override-store.js";
import { testDatabase, type TestDatabase } from "../helpers/database.js";
import { Outage } from "../helpers/outage.js";
import { ProductionLine, reportWatermain } from "../helpers/production-line.js";
import { RedisServer } from "../helpers/redis-server.js";

// The records database goes away in the middle of a storm (its server restarted, the network to
// it cut): the web role and the worker, started as production starts them, reach PostgreSQL
// through a proxy the test cuts. Callers and crews must not notice; the records catch up once it
// is back, each written once.

const PLACES = ["402 Mayor Magrath Drive South", "18 Scenic Drive North", "900 University Drive West"];

let redis: RedisServer;
let admin: Redis;
let records: TestDatabase;
let outage: Outage;
let line: ProductionLine;
const references: string[] = [];
const heard: string[] = [];

const count = async (table: string) => (await records.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

beforeAll(async () => {
  redis = await RedisServer.start();
  admin = new Redis(redis.url, { maxRetriesPerRequest: null });
  // Every caller reaches the trouble line, whatever the time of day the test runs at.
  await new RedisOverrideStore(admin).set({ mode: "closed" });
  records = await testDatabase("postgres", { migrated: false });
  const url = new URL(records.url!);
  outage = new Outage({ host: url.hostname, port: Number(url.port || 5432) });
  await outage.up();
  url.port = String(outage.port);
  line = await ProductionLine.start({ REDIS_URL: redis.url, DATABASE_URL: url.toString() });

  await outage.down();
  for (const place of PLACES) {
    const caller = line.caller();
    const reference = await reportWatermain(caller, place);
    references.push(reference);
    heard.push(reference);
    await caller.hangUp();
  }
}, 60_000);

afterAll(async () => {
  admin?.disconnect();
  await line?.stop();
  await outage?.down();
  await records?.close();
  await redis?.remove();
});

describe("when the records database is down in the middle of a storm", { timeout: 60_000 }, () => {
  it("takes every caller's report and gives them a reference, as always", () => {
    expect(heard).toHaveLength(PLACES.length);
    for (const reference of heard) expect(reference).toMatch(/^\d{6}$/);
  });

  it("pages the crew for every report", async () => {
    for (const reference of references) await line.paged(reference);
  });

  it("writes nothing meanwhile, and writes every call and request once when it is back", async () => {
    // Read past the cut: nothing reached the database while the line could not.
    expect(await count("calls")).toBe(0);
    expect(await count("service_requests")).toBe(0);
    await outage.up();
    await vi.waitFor(async () => expect(await count("calls")).toBe(PLACES.length), { timeout: 30_000, interval: 200 });
    await vi.waitFor(async () => expect(await count("service_requests")).toBe(PLACES.length), { timeout: 30_000, interval: 200 });
    // A moment more: nothing comes a second time.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await count("calls")).toBe(PLACES.length);
    expect(await count("service_requests")).toBe(PLACES.length);
    const kept = await records.database.query<{ reference: string }>("SELECT reference FROM service_requests ORDER BY reference");
    expect(kept.map((row) => row.reference)).toEqual([...references].sort());
  });
});
