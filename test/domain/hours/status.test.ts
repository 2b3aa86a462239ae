import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { hoursOutlook, lineStatus, type EmergencyOverride, type Hours, type LineStatus } from "../../../src/domain/hours/index.js";
import { lethbridgeHours, local, utc, ZONE } from "../../fixtures/hours/load.js";

const hours = lethbridgeHours();

/** The status at a local wall-clock time in Lethbridge. */
const statusAt = (isoLocal: string, override?: EmergencyOverride | null) => lineStatus(hours, local(isoLocal), override);

describe("lineStatus", () => {
  describe("on a weekday (Wednesday 2026-12-02, open 08:00 to 16:30)", () => {
    it.each([
      ["07:59:59", false],
      ["08:00:00", true],
      ["12:00:00", true],
      ["16:29:59", true],
      ["16:30:00", false],
    ])("at %s the line is open: %s", (time, open) => {
      const status = statusAt(`2026-12-02T${time}`);
      expect(status.open).toBe(open);
      expect(status.branch).toBe(open ? "open" : "closed");
    });

    it("counts the last millisecond before 16:30 as open", () => {
      expect(statusAt("2026-12-02T16:29:59.999").open).toBe(true);
    });

    it("while open, says it closes at 16:30 that day, in the hours' zone", () => {
      const status = statusAt("2026-12-02T10:15");
      expect(status).toMatchObject({ branch: "open", open: true, reason: "open" });
      expect(status.closesAt?.toISO()).toBe("2026-12-02T16:30:00.000-07:00");
      expect(status.closesAt?.zoneName).toBe(ZONE);
      expect(status.opensAt).toBeUndefined();
    });

    it("before 08:00, is after hours and opens at 08:00 the same morning", () => {
      const status = statusAt("2026-12-02T07:59:59");
      expect(status).toMatchObject({ branch: "closed", open: false, reason: "after hours" });
      expect(status.opensAt?.toISO()).toBe("2026-12-02T08:00:00.000-07:00");
      expect(status.closesAt).toBeUndefined();
    });

    it("from 16:30, is after hours and opens at 08:00 the next morning", () => {
      const status = statusAt("2026-12-02T16:30");
      expect(status.reason).toBe("after hours");
      expect(status.opensAt?.toISO()).toBe("2026-12-03T08:00:00.000-07:00");
    });

    it("takes the moment in any zone and judges it by Lethbridge's clock", () => {
      // 15:00 UTC is 08:00 MST.
      expect(lineStatus(hours, utc("2026-12-02T15:00:00Z")).open).toBe(true);
      expect(lineStatus(hours, utc("2026-12-02T14:59:59Z")).open).toBe(false);
      expect(lineStatus(hours, DateTime.fromISO("2026-12-02T10:00:00", { zone: "America/Toronto" })).open).toBe(true);
    });
  });

  describe("on a weekend", () => {
    it("is closed all Saturday, with the reason weekend", () => {
      for (const time of ["00:00", "08:00", "12:00", "16:29"]) {
        expect(statusAt(`2026-12-05T${time}`)).toMatchObject({ branch: "closed", open: false, reason: "weekend" });
      }
    });

    it("is closed on Sunday, and opens Monday at 08:00", () => {
      const status = statusAt("2026-12-06T11:00");
      expect(status.reason).toBe("weekend");
      expect(status.opensAt?.toISO()).toBe("2026-12-07T08:00:00.000-07:00");
    });

    it("on Friday evening, opens Monday at 08:00", () => {
      expect(statusAt("2026-12-04T17:00").opensAt?.toISO()).toBe("2026-12-07T08:00:00.000-07:00");
    });
  });

  describe("on and around a holiday", () => {
    it("on Christmas Day, takes the holiday branch and names the holiday", () => {
      const status = statusAt("2026-12-25T10:00");
      expect(status).toMatchObject({ branch: "holiday", open: false, reason: "Christmas Day", holiday: "Christmas Day" });
    });

    it("on the weekday a weekend holiday is observed (Boxing Day, Monday 2026-12-28), takes the holiday branch", () => {
      expect(statusAt("2026-12-28T10:00")).toMatchObject({ branch: "holiday", reason: "Boxing Day", holiday: "Boxing Day" });
    });

    it("on the weekend date of an observed holiday (Saturday 2026-12-26), is simply the weekend", () => {
      expect(statusAt("2026-12-26T10:00")).toMatchObject({ branch: "closed", reason: "weekend" });
      expect(statusAt("2026-12-26T10:00").holiday).toBeUndefined();
    });

    it("on the evening before a holiday, opens the day after it", () => {
      // National Day for Truth and Reconciliation: Wednesday 2026-09-30.
      const status = statusAt("2026-09-29T16:30");
      expect(status.reason).toBe("after hours");
      expect(status.opensAt?.toISO()).toBe("2026-10-01T08:00:00.000-06:00");
    });

    it("on the holiday itself, opens the next working day", () => {
      expect(statusAt("2026-09-30T09:00").opensAt?.toISO()).toBe("2026-10-01T08:00:00.000-06:00");
    });

    it("skips a long weekend: Good Friday 2027 (March 26) opens Monday March 29", () => {
      expect(statusAt("2027-03-25T18:00").opensAt?.toISO()).toBe("2027-03-29T08:00:00.000-06:00");
    });

    it("on the Friday before Christmas 2027, skips both observed days and opens Wednesday 2027-12-29", () => {
      expect(statusAt("2027-12-24T16:30").opensAt?.toISO()).toBe("2027-12-29T08:00:00.000-07:00");
    });
  });

  describe("with a dated closure", () => {
    describe("that closes the whole day (staff training, Friday 2027-01-15)", () => {
      it("is closed during the usual hours, with the closure's reason", () => {
        expect(statusAt("2027-01-15T10:00")).toMatchObject({ branch: "closed", open: false, reason: "closure: staff training" });
      });

      it("opens again on the next day with hours (a Saturday with changed hours, 2027-01-16, 10:00)", () => {
        expect(statusAt("2027-01-15T10:00").opensAt?.toISO()).toBe("2027-01-16T10:00:00.000-07:00");
      });

      it("the evening before, opens after the closure", () => {
        expect(statusAt("2027-01-14T17:00").opensAt?.toISO()).toBe("2027-01-16T10:00:00.000-07:00");
      });
    });

    describe("that shortens the day (Christmas Eve 2026, 08:00 to 12:00)", () => {
      it("is open in the morning, and says it closes at noon", () => {
        const status = statusAt("2026-12-24T11:59:59");
        expect(status.open).toBe(true);
        expect(status.closesAt?.toISO()).toBe("2026-12-24T12:00:00.000-07:00");
      });

      it("is closed from noon, with the closure's reason, and opens after Christmas and the observed Boxing Day", () => {
        const status = statusAt("2026-12-24T12:00");
        expect(status).toMatchObject({ branch: "closed", open: false, reason: "closure: Christmas Eve" });
        expect(status.opensAt?.toISO()).toBe("2026-12-29T08:00:00.000-07:00");
      });

      it("before it opens, is just after hours", () => {
        const status = statusAt("2026-12-24T07:00");
        expect(status.reason).toBe("after hours");
        expect(status.opensAt?.toISO()).toBe("2026-12-24T08:00:00.000-07:00");
      });

      it("after the usual closing time too, is just after hours", () => {
        expect(statusAt("2026-12-24T17:00").reason).toBe("after hours");
      });
    });

    describe("that opens a day that is normally closed (Saturday 2027-01-16, 10:00 to 14:00)", () => {
      it("is open in its window", () => {
        expect(statusAt("2027-01-16T10:00").open).toBe(true);
        expect(statusAt("2027-01-16T13:59:59").closesAt?.toISO()).toBe("2027-01-16T14:00:00.000-07:00");
      });

      it("is closed outside it, for the weekend", () => {
        expect(statusAt("2027-01-16T14:00")).toMatchObject({ open: false, reason: "weekend" });
      });
    });

    it("wins over a holiday: a closure dated on Christmas Day with hours opens the line", () => {
      const openOnChristmas: Hours = { ...hours, closures: [{ date: "2026-12-25", reason: "storm line", open: "09:00", close: "11:00" }] };
      expect(lineStatus(openOnChristmas, local("2026-12-25T10:00")).open).toBe(true);
      expect(lineStatus(openOnChristmas, local("2026-12-25T12:00"))).toMatchObject({ branch: "holiday", holiday: "Christmas Day" });
    });
  });

  describe("across the fall-back change (Sunday 2026-11-01: 01:00 to 02:00 happens twice)", () => {
    it("maps UTC instants to Lethbridge's clock on both sides of the change", () => {
      expect(utc("2026-11-01T07:30:00Z").setZone(ZONE).toFormat("yyyy-MM-dd HH:mm ZZ")).toBe("2026-11-01 01:30 -06:00");
      expect(utc("2026-11-01T08:30:00Z").setZone(ZONE).toFormat("yyyy-MM-dd HH:mm ZZ")).toBe("2026-11-01 01:30 -07:00");
    });

    it("opens at 08:00 MDT (14:00 UTC) on the Friday before", () => {
      expect(lineStatus(hours, utc("2026-10-30T13:59:59Z")).open).toBe(false);
      expect(lineStatus(hours, utc("2026-10-30T14:00:00Z")).open).toBe(true);
    });

    it("opens at 08:00 MST (15:00 UTC) on the Monday after", () => {
      expect(lineStatus(hours, utc("2026-11-02T14:59:59Z")).open).toBe(false);
      expect(lineStatus(hours, utc("2026-11-02T15:00:00Z")).open).toBe(true);
      expect(statusAt("2026-11-02T08:00").open).toBe(true);
    });

    it("on Friday evening, opens Monday at 08:00 MST, 64 hours later (the night has an extra hour)", () => {
      const now = local("2026-10-30T17:00");
      const { opensAt } = lineStatus(hours, now);
      expect(opensAt?.toISO()).toBe("2026-11-02T08:00:00.000-07:00");
      expect(opensAt?.toUTC().toISO()).toBe("2026-11-02T15:00:00.000Z");
      expect(opensAt?.diff(now, "hours").hours).toBe(64);
    });

    it("in both passes of 01:30, is the weekend and opens Monday at 08:00 MST", () => {
      for (const instant of ["2026-11-01T07:30:00Z", "2026-11-01T08:30:00Z"]) {
        const status = lineStatus(hours, utc(instant));
        expect(status.reason).toBe("weekend");
        expect(status.opensAt?.toUTC().toISO()).toBe("2026-11-02T15:00:00.000Z");
      }
    });

    it("keeps a window that spans the repeated hour open for its whole real length", () => {
      const sundayNights: Hours = { ...hours, weekly: [{ days: ["sunday"], open: "00:00", close: "04:00" }], closures: [] };
      const secondPass = lineStatus(sundayNights, utc("2026-11-01T08:30:00Z"));
      expect(secondPass.open).toBe(true);
      expect(secondPass.closesAt?.toISO()).toBe("2026-11-01T04:00:00.000-07:00");
      expect(secondPass.closesAt?.diff(local("2026-11-01T00:00"), "hours").hours).toBe(5);
    });
  });

  describe("across the spring-forward change (Sunday 2027-03-14: 02:00 does not exist)", () => {
    it("maps UTC instants to Lethbridge's clock on both sides of the change", () => {
      expect(utc("2027-03-14T08:59:59Z").setZone(ZONE).toFormat("yyyy-MM-dd HH:mm:ss ZZ")).toBe("2027-03-14 01:59:59 -07:00");
      expect(utc("2027-03-14T09:00:00Z").setZone(ZONE).toFormat("yyyy-MM-dd HH:mm:ss ZZ")).toBe("2027-03-14 03:00:00 -06:00");
    });

    it("opens at 08:00 MST (15:00 UTC) on the Friday before", () => {
      expect(lineStatus(hours, utc("2027-03-12T14:59:59Z")).open).toBe(false);
      expect(lineStatus(hours, utc("2027-03-12T15:00:00Z")).open).toBe(true);
    });

    it("opens at 08:00 MDT (14:00 UTC) on the Monday after", () => {
      expect(lineStatus(hours, utc("2027-03-15T13:59:59Z")).open).toBe(false);
      expect(lineStatus(hours, utc("2027-03-15T14:00:00Z")).open).toBe(true);
      expect(statusAt("2027-03-15T08:00").open).toBe(true);
      expect(statusAt("2027-03-15T08:00").closesAt?.toISO()).toBe("2027-03-15T16:30:00.000-06:00");
    });

    it("on Friday evening, opens Monday at 08:00 MDT, 62 hours later (the night loses an hour)", () => {
      const now = local("2027-03-12T17:00");
      const { opensAt } = lineStatus(hours, now);
      expect(opensAt?.toISO()).toBe("2027-03-15T08:00:00.000-06:00");
      expect(opensAt?.diff(now, "hours").hours).toBe(62);
    });

    it("keeps a window that spans the missing hour open for its real length", () => {
      const sundayNights: Hours = { ...hours, weekly: [{ days: ["sunday"], open: "00:00", close: "04:00" }], closures: [] };
      const status = lineStatus(sundayNights, utc("2027-03-14T09:30:00Z"));
      expect(status.open).toBe(true);
      expect(status.closesAt?.toISO()).toBe("2027-03-14T04:00:00.000-06:00");
      expect(status.closesAt?.diff(local("2027-03-14T00:00"), "hours").hours).toBe(3);
    });
  });

  describe("with an emergency override", () => {
    it("closed by a supervisor, takes the emergency branch even in business hours", () => {
      const status = statusAt("2026-12-02T10:00", { mode: "closed", message: "A watermain break downtown." });
      expect(status).toMatchObject({ branch: "emergency", open: false, reason: "closed by supervisor" });
      expect(status.closesAt).toBeUndefined();
    });

    it("closed with no end, does not guess when the line opens", () => {
      expect(statusAt("2026-12-02T10:00", { mode: "closed" }).opensAt).toBeUndefined();
    });

    it("closed until 12:00, says the line opens at 12:00 when that is in business hours", () => {
      const status = statusAt("2026-12-02T10:00", { mode: "closed", until: "2026-12-02T12:00:00-07:00" });
      expect(status.opensAt?.toISO()).toBe("2026-12-02T12:00:00.000-07:00");
    });

    it("closed until the evening, says the line opens at the next scheduled opening after that", () => {
      const status = statusAt("2026-12-02T10:00", { mode: "closed", until: "2026-12-03T01:00:00Z" });
      expect(status.opensAt?.toISO()).toBe("2026-12-03T08:00:00.000-07:00");
    });

    it("opened by a supervisor until the morning, takes the open branch at 2 a.m.", () => {
      const status = statusAt("2026-12-02T02:00", { mode: "open", message: "Flood line open all night.", until: "2026-12-02T08:00:00-07:00" });
      expect(status).toMatchObject({ branch: "open", open: true, reason: "opened by supervisor" });
    });

    describe("opened with no end (written by hand, or by software that did not check)", () => {
      const openForGood: EmergencyOverride = { mode: "open", message: "Flood line open all night." };

      it("does not open the line after hours: the trouble line stays on", () => {
        expect(statusAt("2026-12-02T02:00", openForGood)).toMatchObject({ branch: "closed", open: false, reason: "after hours" });
      });

      it("leaves the line open in business hours, as scheduled", () => {
        expect(statusAt("2026-12-02T10:00", openForGood)).toMatchObject({ branch: "open", reason: "open" });
      });
    });

    it("opened until 06:00, says the line closes at 06:00", () => {
      const status = statusAt("2026-12-02T02:00", { mode: "open", until: "2026-12-02T06:00:00-07:00" });
      expect(status.closesAt?.toISO()).toBe("2026-12-02T06:00:00.000-07:00");
    });

    it("opened until 09:00, says the line closes at the end of that day's hours", () => {
      const status = statusAt("2026-12-02T02:00", { mode: "open", until: "2026-12-02T09:00:00-07:00" });
      expect(status.closesAt?.toISO()).toBe("2026-12-02T16:30:00.000-07:00");
    });

    it("is ignored once its until has passed", () => {
      const expired: EmergencyOverride = { mode: "closed", until: "2026-12-02T09:00:00-07:00" };
      expect(statusAt("2026-12-02T09:00", expired)).toMatchObject({ branch: "open", reason: "open" });
      expect(statusAt("2026-12-02T08:59:59", expired).branch).toBe("emergency");
    });

    it("with only a message, leaves the schedule to decide", () => {
      expect(statusAt("2026-12-02T02:00", { message: "Expect delays." })).toMatchObject({ branch: "closed", reason: "after hours" });
      expect(statusAt("2026-12-25T10:00", { message: "Expect delays." }).branch).toBe("holiday");
    });

    it("null or undefined means no override", () => {
      expect(statusAt("2026-12-02T10:00", null).branch).toBe("open");
      expect(statusAt("2026-12-02T10:00", undefined).branch).toBe("open");
    });
  });

  describe("saying why the line is closed, for callers", () => {
    it("on a holiday, names it", () => {
      expect(statusAt("2026-12-25T20:00").why).toEqual({ kind: "holiday", names: ["Christmas Day"] });
    });

    it("on the weekday a holiday is observed, names it", () => {
      expect(statusAt("2026-12-28T03:00").why).toEqual({ kind: "holiday", names: ["Boxing Day"] });
    });

    it("on a day closed all day, gives the closure's reason", () => {
      expect(statusAt("2027-01-15T10:00").why).toEqual({ kind: "closure", reason: "staff training", when: "all-day", windows: [] });
    });

    it("after a shortened day closed (Christmas Eve at 13:00), says when it closed", () => {
      expect(statusAt("2026-12-24T13:00").why).toEqual({
        kind: "closure",
        reason: "Christmas Eve",
        when: "closed-earlier",
        windows: [{ open: "08:00", close: "12:00" }],
      });
    });

    it("before a late opening (2027-02-10 opens at 10:00), says when it opens", () => {
      expect(statusAt("2027-02-10T09:00").why).toEqual({
        kind: "closure",
        reason: "a staff meeting",
        when: "opens-later",
        windows: [{ open: "10:00", close: "16:30" }],
      });
    });

    it("when a supervisor has closed the line, says so", () => {
      expect(statusAt("2026-12-02T10:00", { mode: "closed" }).why).toEqual({ kind: "emergency" });
    });

    it.each([
      ["an ordinary evening", "2026-12-02T20:00"],
      ["an ordinary early morning", "2026-12-02T07:00"],
      ["a weekend", "2026-12-05T10:00"],
      ["the evening of a shortened day, after its usual closing time", "2026-12-24T17:00"],
      ["the early morning of a shortened day", "2026-12-24T07:00"],
      ["the weekend date of a holiday observed on a weekday", "2026-12-26T10:00"],
    ])("on %s, has nothing more to say", (_, time) => {
      expect(statusAt(time).why).toBeUndefined();
    });

    it("while open, has nothing to say", () => {
      expect(statusAt("2026-12-24T11:00").why).toBeUndefined();
    });
  });

  describe("with a late opening (Wednesday 2027-02-10, opens: 10:00)", () => {
    it("is closed at 09:59:59 and opens at 10:00", () => {
      expect(statusAt("2027-02-10T09:59:59").open).toBe(false);
      expect(statusAt("2027-02-10T09:59:59").opensAt?.toISO()).toBe("2027-02-10T10:00:00.000-07:00");
      expect(statusAt("2027-02-10T10:00").open).toBe(true);
    });

    it("closes at the usual time", () => {
      expect(statusAt("2027-02-10T10:00").closesAt?.toISO()).toBe("2027-02-10T16:30:00.000-07:00");
    });
  });

  describe("with the outlook for today worked out beforehand (as the webhook passes it)", () => {
    /** A status with its times as text, to compare two statuses whole. */
    const plain = (status: LineStatus) => ({ ...status, opensAt: status.opensAt?.toISO(), closesAt: status.closesAt?.toISO() });
    const outlookFor = (isoLocal: string, which: Hours = hours) => hoursOutlook(which, local(isoLocal).toISODate()!);

    it.each([
      ["a weekday morning", "2026-12-02T10:00", null],
      ["a weekday evening", "2026-12-02T20:00", null],
      ["just before opening", "2026-12-02T07:59:59", null],
      ["a weekend", "2026-12-05T10:00", null],
      ["Christmas Eve after its noon closing", "2026-12-24T13:00", null],
      ["Christmas Day", "2026-12-25T10:00", null],
      ["the Friday before the fall-back change", "2026-10-30T17:00", null],
      ["a closure all day", "2027-01-15T10:00", null],
      ["a late opening", "2027-02-10T09:00", null],
      ["an emergency closure until the evening", "2026-12-02T10:00", { mode: "closed", until: "2026-12-03T01:00:00Z" }],
      ["an override open until 09:00", "2026-12-02T02:00", { mode: "open", until: "2026-12-02T09:00:00-07:00" }],
    ] as const)("answers as it does without one, on %s", (_, time, override) => {
      const forced = override as EmergencyOverride | null;
      expect(plain(lineStatus(hours, local(time), forced, outlookFor(time)))).toEqual(plain(lineStatus(hours, local(time), forced)));
    });

    it("reads the outlook rather than planning the days again", () => {
      const emptied = { ...outlookFor("2026-12-02T10:00"), openings: [] };
      expect(lineStatus(hours, local("2026-12-02T10:00"), null, emptied).open).toBe(false);
    });

    it("ignores an outlook for another date", () => {
      const yesterdays = { ...outlookFor("2026-12-01T10:00"), openings: [] };
      expect(lineStatus(hours, local("2026-12-02T10:00"), null, yesterdays).open).toBe(true);
    });

    it("ignores an outlook for another version of the hours", () => {
      const closedToday: Hours = { ...hours, closures: [{ date: "2026-12-02", reason: "a flood" }] };
      expect(lineStatus(closedToday, local("2026-12-02T10:00"), null, outlookFor("2026-12-02T10:00")).open).toBe(false);
    });
  });

  describe("keeping nothing between calls", () => {
    it("answers from the hours it is given, even when the same document was asked about before", () => {
      const editable = structuredClone(hours);
      expect(lineStatus(editable, local("2026-12-02T10:00")).open).toBe(true);
      editable.closures.push({ date: "2026-12-02", reason: "a water main break at City Hall" });
      expect(lineStatus(editable, local("2026-12-02T10:00"))).toMatchObject({ open: false, reason: "closure: a water main break at City Hall" });
    });
  });

  describe("with hours that never open", () => {
    it("is closed and has no next opening to offer", () => {
      const never: Hours = { ...hours, weekly: [], closures: [] };
      const status = lineStatus(never, local("2026-12-02T10:00"));
      expect(status).toMatchObject({ branch: "closed", open: false, reason: "no regular hours" });
      expect(status.opensAt).toBeUndefined();
    });
  });

  describe("with hours that never close", () => {
    it("is open and does not invent a closing time", () => {
      const always: Hours = {
        ...hours,
        weekly: [{ days: ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"], open: "00:00", close: "24:00" }],
        holidays: [],
        closures: [],
      };
      const status = lineStatus(always, local("2026-12-02T03:00"));
      expect(status.open).toBe(true);
      expect(status.closesAt).toBeUndefined();
    });

    it("joins windows that meet at midnight into one opening", () => {
      const weekendsOnly: Hours = { ...hours, weekly: [{ days: ["saturday", "sunday"], open: "00:00", close: "24:00" }], holidays: [], closures: [] };
      expect(lineStatus(weekendsOnly, local("2026-12-05T12:00")).closesAt?.toISO()).toBe("2026-12-07T00:00:00.000-07:00");
    });
  });

  it("refuses an invalid moment", () => {
    expect(() => lineStatus(hours, DateTime.invalid("broken clock"))).toThrow(RangeError);
  });
});
