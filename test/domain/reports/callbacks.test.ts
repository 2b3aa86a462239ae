/**
 * When the report counts an open callback as overdue: the database compares each callback's time
 * with one instant, the opening of the last business day that has ended. That instant must flag
 * exactly the callbacks the worklist flags (`callbackDueBy`: due by the close of the first business
 * day that began after it was left). Lethbridge's hours: Monday to Friday, 08:00 to 16:30.
 */
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { callbackDueBy } from "../../../src/domain/callbacks.js";
import { overdueCutoff } from "../../../src/domain/reports/index.js";
import { lethbridgeHours, local } from "../../fixtures/hours/load.js";

const hours = lethbridgeHours();
const cutoff = (asOf: string) => overdueCutoff(hours, local(asOf))?.toFormat("ccc yyyy-LL-dd HH:mm");

describe("overdueCutoff", () => {
  describe("during a business day", () => {
    it("is the opening of the day before: on Tuesday at 10:00, what was left before Monday 08:00 is overdue", () => {
      expect(cutoff("2026-12-08T10:00")).toBe("Mon 2026-12-07 08:00");
    });
  });

  describe("after the close", () => {
    it("is that day's opening: on Tuesday at 17:00, what was left before Tuesday 08:00 is overdue", () => {
      expect(cutoff("2026-12-08T17:00")).toBe("Tue 2026-12-08 08:00");
    });

    it("at the very moment of the close, the day has not passed yet", () => {
      expect(cutoff("2026-12-08T16:30")).toBe("Mon 2026-12-07 08:00");
      expect(cutoff("2026-12-08T16:30:01")).toBe("Tue 2026-12-08 08:00");
    });
  });

  describe("over a weekend", () => {
    it("is Friday's opening all weekend and Monday until its close", () => {
      expect(cutoff("2026-12-12T12:00")).toBe("Fri 2026-12-11 08:00");
      expect(cutoff("2026-12-14T12:00")).toBe("Fri 2026-12-11 08:00");
    });
  });

  describe("over Christmas", () => {
    it("skips the holidays: at noon on Tuesday 29 December, the last business day that has ended is the half day of the 24th", () => {
      // Friday the 25th is Christmas; Boxing Day (Saturday) is observed on Monday the 28th.
      expect(cutoff("2026-12-29T12:00")).toBe("Thu 2026-12-24 08:00");
    });
  });

  it("is in the City's zone whatever zone the moment is given in", () => {
    expect(overdueCutoff(hours, DateTime.fromISO("2026-12-09T00:30:00Z"))?.toISO()).toBe("2026-12-08T08:00:00.000-07:00");
  });

  it("is null when the hours open on no day in the year before", () => {
    const closed = { ...hours, weekly: [], holidays: [], closures: [] };
    expect(overdueCutoff(closed, local("2026-12-08T12:00"))).toBeNull();
  });

  describe("agrees with the worklist's due time", () => {
    // Every half hour (and the minutes around the opening and the close) over two weeks around
    // Christmas, as the time a voicemail was left, against moments that matter: before the
    // opening, the opening, midday, the close, just after it.
    const lefts: { left: DateTime; due: DateTime | null }[] = [];
    for (let day = local("2026-12-17T00:00"); day < local("2026-12-31T00:00"); day = day.plus({ days: 1 })) {
      const times = [...Array.from({ length: 48 }, (_, half) => day.plus({ minutes: 30 * half })), day.set({ hour: 7, minute: 59 }), day.set({ hour: 16, minute: 29 })];
      for (const left of times) lefts.push({ left, due: callbackDueBy(hours, left) });
    }
    const asOfs = ["2026-12-21T07:59", "2026-12-22T08:00", "2026-12-23T12:00", "2026-12-24T16:30", "2026-12-24T16:31", "2026-12-29T09:00", "2026-12-31T18:00"];

    for (const asOf of asOfs) {
      it(`as of ${asOf}`, () => {
        const now = local(asOf);
        const before = overdueCutoff(hours, now);
        const disagreements = lefts
          .filter(({ left }) => left < now)
          .filter(({ left, due }) => {
            const worklist = due !== null && now > due;
            const report = before !== null && left < before;
            return worklist !== report;
          })
          .map(({ left }) => left.toISO());
        expect(disagreements).toEqual([]);
      });
    }
  });
});
