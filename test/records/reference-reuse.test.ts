import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import { keepReferencesAbove, nextReference, referenceCounterKey } from "../../src/adapters/redis/reference-counter.js";
import { loadFlowSet } from "../../src/adapters/files/flow-source.js";
import type { FlowSet } from "../../src/domain/definitions.js";
import { requestFromReport } from "../../src/domain/records.js";
import type { RecordWriter } from "../../src/records/record-writer.js";
import { testDatabase, type TestDatabase } from "../helpers/database.js";
import { at, REDIS_URL } from "../helpers/line.js";
import { recordWriter } from "../helpers/record-writer.js";
import { urgentReport } from "../helpers/records.js";

const NOW = at("2026-12-05T02:00");

describe("when Redis has lost the reference counter (a restart without persistence)", () => {
  const redis = new Redis(REDIS_URL);
  const prefix = `test-${randomBytes(4).toString("hex")}:`;
  let db: TestDatabase;
  let store: PostgresRecordStore;
  let flows: FlowSet;
  let raisedTo: number | undefined;
  let writer: RecordWriter;

  beforeAll(async () => {
    db = await testDatabase("pglite");
    store = new PostgresRecordStore(db.database);
    flows = await loadFlowSet("flows");
    writer = recordWriter({
      store,
      definitions: () => flows,
      clock: () => NOW,
      onReferenceReused: async (highest) => {
        raisedTo = highest;
        await keepReferencesAbove(redis, highest, prefix);
      },
    });
  }, 60_000);
  afterAll(async () => {
    await redis.del(referenceCounterKey(prefix));
    await redis.quit();
    await db.close();
  });

  /** Water reported now, by a new call. */
  const report = (reference: string) => urgentReport({ reference, category: "water", receivedAt: NOW.toISO()! });

  it("a worker starting raises the counter above the highest reference kept, never lowers it", async () => {
    await store.addRequest(requestFromReport(report("100417"), { incident: "100417", department: null, afterHours: true }));
    await keepReferencesAbove(redis, await store.highestReference(), prefix);
    expect(await nextReference(redis, prefix)).toBe("100418");
    await keepReferencesAbove(redis, 100_010, prefix);
    expect(await nextReference(redis, prefix)).toBe("100419");
  });

  it("a reference given again to another call's report is kept under another reference, and the counter raised", async () => {
    const again = report("100417");
    await writer.write({ type: "report-filed", report: again, incident: "100417" });
    const keptAs = `100417-${again.callSid.slice(-6)}`;
    expect((await store.request(keptAs))!.request).toMatchObject({ callSid: again.callSid, service: "water" });
    expect((await store.request("100417"))!.request.callSid).not.toBe(again.callSid);
    expect(raisedTo).toBe(100417);
  });

  it("a retried job of the same report is not taken for a reused reference", async () => {
    raisedTo = undefined;
    const first = report("100500");
    await writer.write({ type: "report-filed", report: first, incident: "100500" });
    await writer.write({ type: "report-filed", report: first, incident: "100500" });
    expect(raisedTo).toBeUndefined();
    expect(await store.requests({ incident: "100500" })).toHaveLength(1);
  });
});
