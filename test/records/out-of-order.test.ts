/**
 * Records reach the worker in any order: after a database outage each job comes back on its own
 * retry schedule, and four jobs are written at once. Whatever the order, the records end as the
 * incident did.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresRecordStore, RecordNotYetKeptError } from "../../src/adapters/postgres/record-store.js";
import { loadFlowSet } from "../../src/adapters/files/flow-source.js";
import type { FlowSet } from "../../src/domain/definitions.js";
import type { RecordEvent } from "../../src/domain/ports.js";
import type { RecordWriter } from "../../src/records/record-writer.js";
import { DATABASE_KINDS, testDatabase, type TestDatabase } from "../helpers/database.js";
import { at } from "../helpers/line.js";
import { recordWriter } from "../helpers/record-writer.js";
import { urgentReport } from "../helpers/records.js";

const NIGHT = at("2026-12-05T02:00");

describe.each(DATABASE_KINDS)("incident records out of order (%s)", (kind) => {
  let db: TestDatabase;
  let store: PostgresRecordStore;
  let writer: RecordWriter;
  let flows: FlowSet;

  beforeAll(async () => {
    db = await testDatabase(kind);
    store = new PostgresRecordStore(db.database);
    flows = await loadFlowSet("flows");
    writer = recordWriter({ store, definitions: () => flows, clock: () => NIGHT });
  }, 60_000);
  afterAll(() => db.close());

  /** Water reported `minutes` into the night, filed under `incident`: its own, or the one it joined. */
  const filed = (reference: string, incident = reference, minutes = 0): RecordEvent => ({
    type: "report-filed",
    incident,
    report: urgentReport({ reference, category: "water", receivedAt: NIGHT.plus({ minutes }).toISO()! }),
  });
  const event = (incident: string, kind: "acknowledged" | "resolved", minutes: number): RecordEvent => ({
    type: "incident-event",
    incident,
    event: { at: NIGHT.plus({ minutes }).toISO()!, kind, name: "Ana Lopez", phone: "+14035550111", channel: "sms" },
  });

  it("an acknowledgement written before its report waits for it (a retry), then takes it", async () => {
    await expect(writer.write(event("400001", "acknowledged", 3))).rejects.toThrow(RecordNotYetKeptError);
    await writer.write(filed("400001"));
    await writer.write(event("400001", "acknowledged", 3));
    expect((await store.request("400001"))!.request.status).toBe("acknowledged");
    expect((await store.incident("400001"))!.acknowledgedAt).toBe(NIGHT.plus({ minutes: 3 }).toUTC().toISO());
  });

  it("an event written while the incident is kept but its report's request is not (the report's job cut between the two) waits for the request", async () => {
    // The report's job opened the incident, then the database went before it kept the request.
    await store.openIncident({ reference: "400005", category: "water", openedAt: NIGHT.toISO()! });
    await expect(writer.write(event("400005", "acknowledged", 3))).rejects.toThrow(RecordNotYetKeptError);
    await expect(writer.write(event("400005", "resolved", 40))).rejects.toThrow(RecordNotYetKeptError);
    // The report's job, retried, keeps it; the events, retried, then take it to where the incident is.
    await writer.write(filed("400005"));
    await writer.write(event("400005", "acknowledged", 3));
    await writer.write(event("400005", "resolved", 40));
    expect((await store.request("400005"))!.request).toMatchObject({ status: "closed", closedAt: NIGHT.plus({ minutes: 40 }).toUTC().toISO() });
  });

  it("an acknowledgement written after the fix does not reopen the request", async () => {
    await writer.write(filed("400002"));
    await writer.write(event("400002", "resolved", 40));
    await writer.write(event("400002", "acknowledged", 3));
    const { request, notes } = (await store.request("400002"))!;
    expect(request).toMatchObject({ status: "closed", closedAt: NIGHT.plus({ minutes: 40 }).toUTC().toISO() });
    expect(notes.map((note) => note.kind)).toEqual(["acknowledged", "closed"]);
    expect(await store.incident("400002")).toMatchObject({ acknowledgedBy: "Ana Lopez", resolvedBy: "Ana Lopez" });
  });

  it("a report that joined the incident, written after the fix, is closed with it", async () => {
    await writer.write(filed("400003"));
    await writer.write(event("400003", "acknowledged", 3));
    await writer.write(event("400003", "resolved", 40));
    await writer.write(filed("400004", "400003", 10));
    expect((await store.request("400004"))!.request).toMatchObject({ status: "closed", incident: "400003" });
  });
});
