/**
 * Closing a request by hand: once, whoever presses Close first, with their note kept; a second
 * close is told who did it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import { closeRequest } from "../../src/records/close-request.js";
import { DATABASE_KINDS, testDatabase, type TestDatabase } from "../helpers/database.js";
import { voicemailRequest } from "../helpers/records.js";

describe.each(DATABASE_KINDS)("closeRequest on %s", (kind) => {
  let db: TestDatabase;
  let store: PostgresRecordStore;
  beforeAll(async () => {
    db = await testDatabase(kind);
    store = new PostgresRecordStore(db.database);
  }, 60_000);
  afterAll(() => db?.close());

  it("closes an open request, keeping who did it and their note", async () => {
    await store.addRequest(voicemailRequest({ reference: "6001" }));
    const outcome = await closeRequest(store, "6001", { by: "dana", at: "2026-12-03T16:00:00.000Z", note: "Called back" });
    expect(outcome).toMatchObject({ outcome: "closed", request: { status: "closed", closedAt: "2026-12-03T16:00:00.000Z" } });
    expect((await store.request("6001"))!.notes).toEqual([{ at: "2026-12-03T16:00:00.000Z", author: "dana", kind: "closed", text: "Called back" }]);
  });

  it("tells a second close who closed it, and changes nothing", async () => {
    const outcome = await closeRequest(store, "6001", { by: "sam", at: "2026-12-03T17:00:00.000Z", note: "Me too" });
    expect(outcome).toEqual({ outcome: "closed-already", request: expect.objectContaining({ closedAt: "2026-12-03T16:00:00.000Z" }), by: "dana", at: "2026-12-03T16:00:00.000Z", note: "Called back" });
    expect((await store.request("6001"))!.notes).toHaveLength(1);
  });

  it("closes once when two people press Close at the same moment", async () => {
    await store.addRequest(voicemailRequest({ reference: "6002" }));
    const outcomes = await Promise.all([
      closeRequest(store, "6002", { by: "dana", at: "2026-12-03T16:00:00.000Z", note: "Called back" }),
      closeRequest(store, "6002", { by: "sam", at: "2026-12-03T16:00:01.000Z", note: "Called back too" }),
    ]);
    expect(outcomes.map((outcome) => outcome.outcome).sort()).toEqual(["closed", "closed-already"]);
    expect((await store.request("6002"))!.notes).toHaveLength(1);
  });

  it("says there is no such request", async () => {
    expect(await closeRequest(store, "404", { by: "dana", at: "2026-12-03T16:00:00.000Z", note: "?" })).toEqual({ outcome: "missing" });
  });
});
