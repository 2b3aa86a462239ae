import { randomBytes } from "node:crypto";
import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BullRecordKeeper, createRecordsQueue, startRecordsWorker } from "../../src/adapters/bullmq/record-queue.js";
import { PgDatabase } from "../../src/adapters/postgres/pg-database.js";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import { createWorkerConnection } from "../../src/adapters/redis/connections.js";
import { loadFlowSet } from "../../src/adapters/files/flow-source.js";
import { NO_DEPARTMENTS } from "../../src/domain/departments.js";
import type { CallRecord } from "../../src/domain/records.js";
import { createLogger } from "../../src/logger.js";
import { testDatabase, type TestDatabase } from "../helpers/database.js";
import { Outage } from "../helpers/outage.js";
import { at, REDIS_URL } from "../helpers/line.js";
import { recordWriter } from "../helpers/record-writer.js";
import { callRecord, voicemailCall } from "../helpers/records.js";

const NOW = at("2026-12-02T10:00");

/** The morning's `index`th call, two minutes long: answered by the IVR and queued to an agent in turn. */
const morningCall = (index: number): CallRecord =>
  callRecord({ startedAt: NOW.plus({ minutes: index }).toISO()!, durationSeconds: 120, outcome: index % 2 === 0 ? "answered-by-ivr" : "queued-to-agent" });

describe("the records database going down while calls go on", () => {
  let db: TestDatabase;
  let outage: Outage;
  let worker: Worker;
  let keeper: BullRecordKeeper;
  let workerDb: PgDatabase;
  const connection = createWorkerConnection(REDIS_URL);
  const redis = createWorkerConnection(REDIS_URL);

  beforeAll(async () => {
    db = await testDatabase("postgres");
    const url = new URL(db.url!);
    outage = new Outage({ host: url.hostname, port: Number(url.port || 5432) });
    await outage.up();
    url.port = String(outage.port);
    workerDb = new PgDatabase({ url: url.toString() });
    const flows = await loadFlowSet("flows");
    keeper = new BullRecordKeeper(createRecordsQueue(redis, { queueName: `records-outage-${randomBytes(4).toString("hex")}` }));
    const log = createLogger({ level: "silent" });
    worker = startRecordsWorker({
      connection,
      processor: recordWriter({ store: new PostgresRecordStore(workerDb), definitions: () => ({ departments: NO_DEPARTMENTS, hours: flows.hours }), clock: () => NOW, log }),
      log,
      queueName: keeper.queue.name,
      backoffMs: () => 100,
    });
  });
  afterAll(async () => {
    await worker?.close();
    await keeper?.queue.obliterate({ force: true });
    await keeper?.queue.close();
    await workerDb?.close();
    await outage?.down();
    await db?.close();
    connection.disconnect();
    redis.disconnect();
  });

  const count = async (table: string) => (await db.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

  it("keeps every record in Redis meanwhile, and writes each once when it is back", async () => {
    await outage.down();
    const calls = Array.from({ length: 20 }, (_, index) => morningCall(index));
    const voicemail = voicemailCall({ reference: "900001", startedAt: NOW.plus({ minutes: 21 }).toISO()!, durationSeconds: 120 });
    for (const call of [...calls, voicemail]) await keeper.keep({ type: "call-ended", call });
    // Twilio retries a status callback now and then: the same record handed over again.
    for (const call of calls.slice(0, 5)) await keeper.keep({ type: "call-ended", call });

    // Tried and refused while the database is down: nothing written, nothing dropped.
    await vi.waitFor(async () => expect((await keeper.queue.getJobCounts("delayed")).delayed).toBeGreaterThan(0), { timeout: 10_000 });
    expect(await count("calls")).toBe(0);
    expect((await keeper.queue.getJobCounts("failed")).failed).toBe(0);

    await outage.up();
    await vi.waitFor(async () => expect(await count("calls")).toBe(21), { timeout: 15_000, interval: 100 });
    await vi.waitFor(async () => expect(await count("service_requests")).toBe(1), { timeout: 15_000, interval: 100 });
    await vi.waitFor(async () => expect(await keeper.queue.getJobCounts("waiting", "active", "delayed", "failed")).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 }), {
      timeout: 15_000,
      interval: 100,
    });
    expect(await count("calls")).toBe(21);
  });
});
