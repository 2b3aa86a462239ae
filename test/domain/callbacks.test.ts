/**
 * The callback worklist's promise: a voicemail is called back by the close of the first business
 * day that begins after it was left, by the City's hours (Monday to Friday, 08:00 to 16:30, and
 * its holidays).
 */
import { describe, expect, it } from "vitest";
import { callbackDueBy, callbackWorklist } from "../../src/domain/callbacks.js";
import { overdueCutoff } from "../../src/domain/reports/callbacks.js";
import type { ServiceRequest } from "../../src/domain/records.js";
import { lethbridgeHours, local } from "../fixtures/hours/load.js";
import { instant, voicemailRequest } from "../helpers/records.js";

const hours = lethbridgeHours();
const due = (left: string) => callbackDueBy(hours, local(left))?.toFormat("ccc yyyy-LL-dd HH:mm");

/** A voicemail left at a Lethbridge time. */
const request = (reference: string, requestedAt: string, changes: Partial<ServiceRequest> = {}): ServiceRequest => voicemailRequest({ reference, requestedAt: instant(requestedAt), ...changes });

describe("callbackDueBy", () => {
  describe("a voicemail left during business hours", () => {
    it("is due by the next business day's close", () => {
      expect(due("2026-12-02T10:00")).toBe("Thu 2026-12-03 16:30");
    });
  });

  describe("a voicemail left before the line opens", () => {
    it("is due by that same day's close", () => {
      expect(due("2026-12-02T07:59")).toBe("Wed 2026-12-02 16:30");
    });

    it("is due by the next day's close when left at the opening minute itself", () => {
      expect(due("2026-12-02T08:00")).toBe("Thu 2026-12-03 16:30");
    });
  });

  describe("a voicemail left on Friday evening or over the weekend", () => {
    it("is due by Monday's close", () => {
      expect(due("2026-12-04T17:00")).toBe("Mon 2026-12-07 16:30");
      expect(due("2026-12-05T11:00")).toBe("Mon 2026-12-07 16:30");
      expect(due("2026-12-06T23:59")).toBe("Mon 2026-12-07 16:30");
    });
  });

  describe("over Christmas", () => {
    it("skips the holidays: one left on Christmas Eve afternoon is due after the holidays", () => {
      // Friday 25 December and the observed Boxing Day (Monday 28) are closed.
      expect(due("2026-12-24T14:00")).toBe("Tue 2026-12-29 16:30");
    });
  });
});

describe("callbackWorklist", () => {
  const now = local("2026-12-07T09:00");
  const list = callbackWorklist(
    [
      request("VM-3", "2026-12-04T17:00"),
      request("VM-1", "2026-12-02T10:00"),
      request("VM-2", "2026-12-03T12:00", { status: "closed", closedAt: local("2026-12-03T13:00").toISO() }),
      request("UR-9", "2026-12-01T12:00", { service: "water" }),
    ],
    hours,
    now,
  );

  it("holds only the callbacks not closed, oldest first", () => {
    expect(list.map((item) => item.request.reference)).toEqual(["VM-1", "VM-3"]);
  });

  it("flags the one past its due time, and not the one due later today", () => {
    expect(list.map((item) => item.overdue)).toEqual([true, false]);
  });
});

describe("the worklist and the reports", () => {
  it("flag the same callbacks overdue, at any moment of a fortnight over Christmas", () => {
    const left = ["2026-12-18T16:00", "2026-12-21T07:00", "2026-12-21T12:00", "2026-12-23T17:00", "2026-12-24T14:00", "2026-12-26T10:00", "2026-12-29T09:00"].map(local);
    for (let now = local("2026-12-18T00:00"); now < local("2027-01-01T00:00"); now = now.plus({ minutes: 30 })) {
      const cutoff = overdueCutoff(hours, now);
      for (const at of left.filter((time) => time <= now)) {
        const dueBy = callbackDueBy(hours, at);
        expect(dueBy !== null && now > dueBy, `left ${at.toISO()}, now ${now.toISO()}`).toBe(cutoff !== null && at < cutoff);
      }
    }
  });
});
