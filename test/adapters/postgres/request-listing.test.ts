/**
 * Listing service requests by several services or statuses at once, as Open311's `status=open`
 * (open and acknowledged) and `service_code=a,b` ask: one query, in the records' order, against
 * the real PostgreSQL and PGlite.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresRecordStore } from "../../../src/adapters/postgres/record-store.js";
import type { ServiceRequest } from "../../../src/domain/records.js";
import { DATABASE_KINDS, testDatabase, type TestDatabase } from "../../helpers/database.js";
import { onlineRequest } from "../../helpers/records.js";

/** A request from the web form, in that status since `requestedAt`. */
const request = (reference: string, service: string, status: ServiceRequest["status"], requestedAt: string): ServiceRequest =>
  onlineRequest({ reference, service, status, requestedAt, closedAt: status === "closed" ? requestedAt : null, place: "910 4 Ave S" });

describe.each(DATABASE_KINDS)("listing requests on %s", (kind) => {
  let db: TestDatabase;
  let store: PostgresRecordStore;
  const references = (list: ServiceRequest[]) => list.map((entry) => entry.reference);

  beforeAll(async () => {
    db = await testDatabase(kind);
    store = new PostgresRecordStore(db.database);
    for (const entry of [
      request("400001", "water", "open", "2026-12-01T15:00:00.000Z"),
      request("400002", "power", "acknowledged", "2026-12-02T15:00:00.000Z"),
      request("400003", "roads", "closed", "2026-12-03T15:00:00.000Z"),
      request("400004", "water", "acknowledged", "2026-12-04T15:00:00.000Z"),
      // Two at the same moment: the reference breaks the tie.
      request("400005", "callback", "open", "2026-12-05T15:00:00.000Z"),
      request("400006", "water", "closed", "2026-12-05T15:00:00.000Z"),
    ]) {
      await store.addRequest(entry);
    }
  }, 60_000);
  afterAll(() => db.close());

  describe("by several statuses", () => {
    it("gives the requests of any of them, newest first", async () => {
      expect(references(await store.requests({ status: ["open", "acknowledged"] }))).toEqual(["400005", "400004", "400002", "400001"]);
    });

    it("pages through them in that order", async () => {
      const pages = [];
      for (let offset = 0; offset < 6; offset += 2) pages.push(references(await store.requests({ status: ["open", "acknowledged"], limit: 2, offset })));
      expect(pages).toEqual([["400005", "400004"], ["400002", "400001"], []]);
    });
  });

  describe("by several services", () => {
    it("gives the requests of any of them, oldest first when asked", async () => {
      expect(references(await store.requests({ service: ["water", "roads"], order: "oldest" }))).toEqual(["400001", "400003", "400004", "400006"]);
    });

    it("together with several statuses", async () => {
      expect(references(await store.requests({ service: ["water", "power"], status: ["open", "acknowledged"] }))).toEqual(["400004", "400002", "400001"]);
    });
  });

  it("by one service and one status, as before", async () => {
    expect(references(await store.requests({ service: "water", status: "closed" }))).toEqual(["400006"]);
  });

  it("by an empty list, matches none", async () => {
    expect(await store.requests({ status: [] })).toEqual([]);
    expect(await store.requests({ service: [] })).toEqual([]);
  });

  it("by a service no request has, matches none, whatever it holds", async () => {
    expect(await store.requests({ service: ["water'); DROP TABLE service_requests; --"] })).toEqual([]);
    expect(await store.requests({ service: ["{water}", "a,b"] })).toEqual([]);
    expect((await store.requests({})).length).toBe(6);
  });
});
