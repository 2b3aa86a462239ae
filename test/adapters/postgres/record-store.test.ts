import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresRecordStore } from "../../../src/adapters/postgres/record-store.js";
import type { CallRecord, ServiceRequest } from "../../../src/domain/records.js";
import { DATABASE_KINDS, testDatabase, type TestDatabase } from "../../helpers/database.js";
import { callRecord, serviceRequest, voicemailRequest } from "../../helpers/records.js";

/** A call the IVR answered, through the greeting and the day menu, that started and ended at `endedAt`. */
const call = (callSid: string, endedAt: string): CallRecord => callRecord({ callSid, startedAt: endedAt, endedAt, outcome: "answered-by-ivr", path: ["greeting", "day-menu"] });

/** A voicemail left at 10:00 on Wednesday 2 December, on a call of its own. */
const request = (reference: string, fields: Partial<ServiceRequest> = {}): ServiceRequest => voicemailRequest({ reference, callSid: `CA${reference.padStart(32, "0")}`, ...fields });

describe.each(DATABASE_KINDS)("the records store on %s", (kind) => {
  let db: TestDatabase;
  let store: PostgresRecordStore;
  beforeAll(async () => {
    db = await testDatabase(kind);
    store = new PostgresRecordStore(db.database);
  }, 60_000);
  afterAll(() => db.close());

  describe("calls", () => {
    it("are kept once per CallSid", async () => {
      expect(await store.addCall(call("CA01", "2026-12-02T17:00:00.000Z"))).toBe(true);
      expect(await store.addCall({ ...call("CA01", "2026-12-02T17:00:00.000Z"), outcome: "abandoned" })).toBe(false);
      const rows = await db.database.query<{ outcome: string; path: string[] }>("SELECT outcome, path FROM calls WHERE call_sid = 'CA01'");
      expect(rows).toEqual([{ outcome: "answered-by-ivr", path: ["greeting", "day-menu"] }]);
    });

    it("past their retention are removed, and requests are not", async () => {
      await store.addCall(call("CA-old", "2024-01-01T00:00:00.000Z"));
      await store.addRequest(request("200001", { requestedAt: "2024-01-01T00:00:00.000Z", updatedAt: "2024-01-01T00:00:00.000Z" }));
      expect(await store.removeCallsEndedBefore("2025-01-01T00:00:00.000Z")).toBe(1);
      expect(await db.database.query("SELECT 1 FROM calls WHERE call_sid = 'CA-old'")).toEqual([]);
      expect(await store.request("200001")).not.toBeNull();
    });

    it("past their retention are removed in batches until none is left, and newer ones stay", async () => {
      for (let day = 1; day <= 7; day++) await store.addCall(call(`CA-batch-${day}`, `2024-02-0${day}T12:00:00.000Z`));
      await store.addCall(call("CA-recent", "2026-12-01T12:00:00.000Z"));
      expect(await store.removeCallsEndedBefore("2025-01-01T00:00:00.000Z", 3)).toBe(7);
      expect(await db.database.query("SELECT call_sid FROM calls WHERE call_sid LIKE 'CA-batch-%'")).toEqual([]);
      expect(await db.database.query("SELECT call_sid FROM calls WHERE call_sid = 'CA-recent'")).toEqual([{ call_sid: "CA-recent" }]);
    });
  });

  describe("service requests", () => {
    it("are kept once per reference, and once per call", async () => {
      expect(await store.addRequest(request("200002"))).toBe(true);
      expect(await store.addRequest(request("200002", { service: "water" }))).toBe(false);
      expect(await store.addRequest(request("200003", { callSid: request("200002").callSid }))).toBe(false);
      expect((await store.request("200002"))!.request.service).toBe("callback");
      expect(await store.request("200003")).toBeNull();
    });

    it("come back as they were kept", async () => {
      const online = request("200004", { channel: "online", lat: 49.6935, long: -112.8418, contactEmail: "pat@example.org", callSid: null, source: "open311:web-form" });
      await store.addRequest(online);
      expect((await store.request("200004"))!.request).toEqual(online);
    });

    it("are listed by service and status, oldest first for a worklist", async () => {
      await store.addRequest(request("200010", { requestedAt: "2026-12-03T16:00:00.000Z", updatedAt: "2026-12-03T16:00:00.000Z" }));
      await store.addRequest(request("200011", { requestedAt: "2026-12-03T15:00:00.000Z", updatedAt: "2026-12-03T15:00:00.000Z", service: "water" }));
      const open = await store.requests({ service: "callback", status: "open", from: "2026-12-02T00:00:00.000Z", order: "oldest" });
      expect(open.map((entry) => entry.reference)).toEqual(["200002", "200004", "200010"]);
    });
  });

  describe("a change of status", () => {
    it("closes with the time and a note of who did it, once however often it is sent", async () => {
      await store.addRequest(request("200020"));
      const change = { status: "closed" as const, at: "2026-12-03T18:00:00.000Z", by: "dana", note: "Called back, sorted.", key: "close-200020" };
      expect(await store.changeStatus("200020", change)).toMatchObject({ status: "closed", closedAt: "2026-12-03T18:00:00.000Z", updatedAt: "2026-12-03T18:00:00.000Z" });
      await store.changeStatus("200020", change);
      const { notes } = (await store.request("200020"))!;
      expect(notes).toEqual([{ at: "2026-12-03T18:00:00.000Z", author: "dana", kind: "closed", text: "Called back, sorted." }]);
    });

    it("reopening clears the closed time", async () => {
      await store.changeStatus("200020", { status: "open", at: "2026-12-03T19:00:00.000Z", by: "dana", note: "Caller rang again." });
      expect((await store.request("200020"))!.request).toMatchObject({ status: "open", closedAt: null });
    });

    it("that comes late never closes again what was reopened after it (the crew's fixed, handed over after a department reopened it)", async () => {
      await store.addRequest(request("200021"));
      await store.changeStatus("200021", { status: "closed", at: "2026-12-03T18:00:00.000Z", by: "Water Utility", note: "Closed by Water Utility." });
      await store.changeStatus("200021", { status: "open", at: "2026-12-03T18:05:00.000Z", by: "Water Utility", note: "Reopened: still leaking." });
      const late = { status: "closed" as const, at: "2026-12-03T18:00:01.000Z", by: "dana", note: "dana marked it fixed.", key: "200021-resolved", forwardOnly: true };
      await store.changeStatus("200021", late);
      const { request: kept, notes } = (await store.request("200021"))!;
      expect(kept).toMatchObject({ status: "open", closedAt: null });
      // What the crew said is kept all the same.
      expect(notes.map((note) => note.text)).toContain("dana marked it fixed.");
    });

    it("a word that changes no status is noted as an update, not as the status it left", async () => {
      await store.addRequest(request("200022"));
      await store.changeStatus("200022", { status: "open", at: "2026-12-03T18:00:00.000Z", by: "Water Utility", note: "Crew on site.", noteKind: "update", description: "Crew on site.", forwardOnly: true });
      const { request: kept, notes } = (await store.request("200022"))!;
      expect(kept.statusDescription).toBe("Crew on site.");
      expect(notes).toEqual([{ at: "2026-12-03T18:00:00.000Z", author: "Water Utility", kind: "update", text: "Crew on site." }]);
    });

    it("of an unknown request is null", async () => {
      expect(await store.changeStatus("999999", { status: "closed", at: "2026-12-03T18:00:00.000Z", by: "dana" })).toBeNull();
    });
  });

  describe("incidents", () => {
    it("keep the first acknowledgement and the furthest escalation", async () => {
      await store.openIncident({ reference: "300001", category: "power", openedAt: "2026-12-05T09:00:00.000Z" });
      await store.openIncident({ reference: "300001", category: "water", openedAt: "2026-12-05T10:00:00.000Z" });
      // Its report's request, which the incident's events wait for.
      await store.addRequest(serviceRequest({ reference: "300001", service: "power", incident: "300001", requestedAt: "2026-12-05T09:00:00.000Z" }));
      await store.incidentEvent("300001", { at: "2026-12-05T09:00:05.000Z", kind: "paged", step: 0, name: "Ana" });
      await store.incidentEvent("300001", { at: "2026-12-05T09:10:05.000Z", kind: "paged", step: 2, name: "Sam" });
      await store.incidentEvent("300001", { at: "2026-12-05T09:05:05.000Z", kind: "paged", step: 1, name: "Lee" });
      await store.incidentEvent("300001", { at: "2026-12-05T09:12:00.000Z", kind: "acknowledged", name: "Sam" });
      await store.incidentEvent("300001", { at: "2026-12-05T09:13:00.000Z", kind: "acknowledged", name: "Lee" });
      expect(await store.incident("300001")).toEqual({
        reference: "300001",
        category: "power",
        openedAt: "2026-12-05T09:00:00.000Z",
        acknowledgedAt: "2026-12-05T09:12:00.000Z",
        acknowledgedBy: "Sam",
        resolvedAt: null,
        resolvedBy: null,
        escalations: 2,
        alarm: false,
      });
    });
  });
});
