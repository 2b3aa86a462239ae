import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { hoursCalendar, type CalendarDay } from "../../../src/domain/hours/calendar-view.js";
import { parseHours, type EmergencyOverride } from "../../../src/domain/hours/index.js";
import { lethbridgeHours, local, utc, ZONE } from "../../fixtures/hours/load.js";

const hours = lethbridgeHours();
const regular = [{ open: "08:00", close: "16:30" }];

/** Sunday 20 December 2026, 09:00 in Lethbridge: the calendar's "now" unless a test says otherwise. */
const sunday = local("2026-12-20T09:00");

/** One day of a calendar, by date; fails the test when the calendar does not show it. */
function dayOf(calendar: CalendarDay[], date: string): CalendarDay {
  const day = calendar.find((candidate) => candidate.date === date);
  if (!day) throw new Error(`the calendar does not show ${date}`);
  return day;
}

describe("hoursCalendar", () => {
  describe("over the 60 days from Sunday 20 December 2026", () => {
    const calendar = hoursCalendar(hours, null, sunday);

    it("shows 60 days, one per local date, starting today", () => {
      expect(calendar).toHaveLength(60);
      expect(calendar[0]!.date).toBe("2026-12-20");
      expect(calendar.at(-1)!.date).toBe("2027-02-17");
    });

    it("shows an ordinary weekday open in its usual hours", () => {
      expect(dayOf(calendar, "2026-12-21")).toEqual({
        date: "2026-12-21",
        weekday: "monday",
        open: true,
        windows: regular,
        usual: regular,
        status: "open",
        why: "Open 8 a.m. to 4:30 p.m.",
      });
    });

    it("shows a Saturday as the weekend, closed on Saturdays", () => {
      expect(dayOf(calendar, "2026-12-26")).toMatchObject({ open: false, windows: [], usual: [], status: "weekend", why: "Closed on Saturdays" });
    });

    it("names the holiday on Christmas Day", () => {
      expect(dayOf(calendar, "2026-12-25")).toMatchObject({
        open: false,
        windows: [],
        usual: regular,
        status: "holiday",
        why: "Christmas Day",
        holiday: "Christmas Day",
      });
    });

    it("says a holiday that fell on the weekend is observed on the Monday", () => {
      expect(dayOf(calendar, "2026-12-28")).toMatchObject({ status: "holiday", why: "Boxing Day, observed", holiday: "Boxing Day" });
    });

    it("gives no closure on a day without a dated entry, so the page offers none to remove", () => {
      expect(dayOf(calendar, "2026-12-25").closure).toBeUndefined();
    });
  });

  describe("a closure on 24 December afternoon", () => {
    const day = dayOf(hoursCalendar(hours, null, sunday), "2026-12-24");

    it("shows the morning hours only, beside the usual ones", () => {
      expect(day).toMatchObject({ open: true, windows: [{ open: "08:00", close: "12:00" }], usual: regular });
    });

    it("is a shortened day that closes at noon, for its reason", () => {
      expect(day).toMatchObject({ status: "shortened", why: "Closes at 12 noon: Christmas Eve" });
    });

    it("carries the dated entry, so the page can offer to remove it", () => {
      expect(day.closure).toEqual({ date: "2026-12-24", reason: "Christmas Eve", closes: "12:00" });
    });
  });

  describe("dated entries in January and February 2027", () => {
    const calendar = hoursCalendar(hours, null, sunday);

    it("a day closed for staff training is a closure, closed all day", () => {
      expect(dayOf(calendar, "2027-01-15")).toMatchObject({
        open: false,
        windows: [],
        usual: regular,
        status: "closure",
        why: "Closed all day: staff training",
        closure: { date: "2027-01-15", reason: "staff training" },
      });
    });

    it("a Saturday opened for snow clearing calls is open, in the entry's hours", () => {
      expect(dayOf(calendar, "2027-01-16")).toMatchObject({
        open: true,
        windows: [{ open: "10:00", close: "14:00" }],
        usual: [],
        status: "open",
        why: "Open 10 a.m. to 2 p.m.: snow clearing calls",
        closure: { date: "2027-01-16" },
      });
    });

    it("a late opening for a staff meeting is a shortened day", () => {
      expect(dayOf(calendar, "2027-02-10")).toMatchObject({
        windows: [{ open: "10:00", close: "16:30" }],
        status: "shortened",
        why: "Opens at 10 a.m.: a staff meeting",
      });
    });
  });

  describe("with dated entries that change other things", () => {
    const withClosures = (closures: string) =>
      parseHours(
        `
zone: America/Edmonton
summary: Monday to Thursday
weekly:
  - { days: [monday, tuesday, wednesday, thursday], open: "08:00", close: "16:30" }
holidays:
  - { name: Christmas Day, kind: fixed, month: december, day: 25 }
closures: ${closures}
`,
        "hours.yaml",
      );

    it("a weekday the weekly hours leave closed is closed, not the weekend", () => {
      const calendar = hoursCalendar(withClosures("[]"), null, sunday, 14);
      expect(dayOf(calendar, "2026-12-25")).toMatchObject({ status: "holiday", why: "Christmas Day" });
      expect(dayOf(calendar, "2027-01-01")).toMatchObject({ open: false, status: "closed", why: "Closed on Fridays" });
    });

    it("a line kept open late is open, and says until when", () => {
      const calendar = hoursCalendar(withClosures('[{ date: 2026-12-22, reason: the storm, closes: "20:00" }]'), null, sunday, 7);
      expect(dayOf(calendar, "2026-12-22")).toMatchObject({
        windows: [{ open: "08:00", close: "20:00" }],
        status: "open",
        why: "Closes late, at 8 p.m.: the storm",
      });
    });

    it("a dated entry on a holiday wins, and the holiday is still named", () => {
      const hours = parseHours(
        `
zone: America/Edmonton
summary: every day
weekly: [{ days: [monday, tuesday, wednesday, thursday, friday], open: "08:00", close: "16:30" }]
holidays: [{ name: Christmas Day, kind: fixed, month: december, day: 25 }]
closures: [{ date: 2026-12-25, reason: storm calls, opens: "10:00", closes: "14:00" }]
`,
        "hours.yaml",
      );
      expect(dayOf(hoursCalendar(hours, null, sunday, 7), "2026-12-25")).toMatchObject({
        open: true,
        windows: [{ open: "10:00", close: "14:00" }],
        status: "shortened",
        why: "Open 10 a.m. to 2 p.m.: storm calls",
        holiday: "Christmas Day",
      });
    });
  });

  describe("which day is today", () => {
    it("is decided by the hours' zone, whatever zone now is given in", () => {
      // 05:00 UTC on the 21st is 22:00 on the 20th in Lethbridge.
      expect(hoursCalendar(hours, null, utc("2026-12-21T05:00:00Z"), 1)[0]!.date).toBe("2026-12-20");
    });

    it("includes today even after the line has closed", () => {
      expect(hoursCalendar(hours, null, local("2026-12-21T23:59"), 1)[0]).toMatchObject({ date: "2026-12-21", status: "open" });
    });
  });

  describe("an emergency closure for a storm, set on Sunday 20 December at 08:00, until Monday 10:00", () => {
    const storm: EmergencyOverride = {
      mode: "closed",
      message: "Because of the storm, only urgent reports are taken.",
      until: "2026-12-21T10:00:00-07:00",
      setAt: "2026-12-20T08:00:00-07:00",
    };
    const calendar = hoursCalendar(hours, storm, sunday, 7);

    it("marks today as an emergency, keeping why the day was closed anyway", () => {
      expect(calendar[0]).toMatchObject({ date: "2026-12-20", status: "emergency", open: false, why: "Closed by emergency; Closed on Sundays" });
    });

    it("takes Monday morning out of Monday's hours, until 10 a.m.", () => {
      expect(dayOf(calendar, "2026-12-21")).toMatchObject({
        open: true,
        windows: [{ open: "10:00", close: "16:30" }],
        usual: regular,
        status: "emergency",
        why: "Closed by emergency until 10 a.m.",
      });
    });

    it("says which part of Monday it covers, its message and its end", () => {
      const { emergency } = dayOf(calendar, "2026-12-21");
      expect(emergency).toMatchObject({ mode: "closed", message: storm.message, covers: { open: "00:00", close: "10:00" } });
      expect(emergency?.until?.toISO()).toBe("2026-12-21T10:00:00.000-07:00");
      expect(emergency?.until?.zoneName).toBe(ZONE);
    });

    it("covers today from when it was set to midnight", () => {
      expect(calendar[0]!.emergency?.covers).toEqual({ open: "08:00", close: "24:00" });
    });

    it("leaves Tuesday to the hours", () => {
      expect(dayOf(calendar, "2026-12-22")).toMatchObject({ status: "open", windows: regular });
      expect(dayOf(calendar, "2026-12-22").emergency).toBeUndefined();
    });
  });

  describe("an emergency closure set at 10:00 on a weekday, with no end", () => {
    const override: EmergencyOverride = { mode: "closed", setAt: "2026-12-21T10:00:00-07:00" };
    const calendar = hoursCalendar(hours, override, local("2026-12-21T11:00"), 60);

    it("leaves today the hours it was open before it was set", () => {
      expect(calendar[0]).toMatchObject({ date: "2026-12-21", open: true, windows: [{ open: "08:00", close: "10:00" }], status: "emergency" });
    });

    it("covers every day shown, since it lasts until it is cleared", () => {
      expect(calendar.every((day) => day.status === "emergency")).toBe(true);
      expect(calendar.slice(1).some((day) => day.open)).toBe(false);
      expect(calendar.at(-1)!.emergency).toEqual({ mode: "closed", covers: { open: "00:00", close: "24:00" } });
    });

    it("still says why a holiday would have been closed", () => {
      expect(dayOf(calendar, "2026-12-25").why).toBe("Closed by emergency; Christmas Day");
      expect(dayOf(calendar, "2026-12-25").holiday).toBe("Christmas Day");
    });
  });

  describe("an emergency closure set without a time, at 11:00 on a weekday", () => {
    it("counts from now, the earliest it is known to be in force", () => {
      const calendar = hoursCalendar(hours, { mode: "closed" }, local("2026-12-21T11:00"), 1);
      expect(calendar[0]!.windows).toEqual([{ open: "08:00", close: "11:00" }]);
    });
  });

  describe("an emergency message only, until 18:00 on Monday", () => {
    const override: EmergencyOverride = { message: "A watermain break downtown: expect low pressure.", until: "2026-12-21T18:00:00-07:00" };
    const calendar = hoursCalendar(hours, override, local("2026-12-21T09:00"), 3);

    it("leaves the hours as they are", () => {
      expect(calendar[0]).toMatchObject({ open: true, windows: regular });
    });

    it("marks the day as an emergency, with the message on until 6 p.m.", () => {
      expect(calendar[0]).toMatchObject({ status: "emergency", why: "Emergency message on until 6 p.m." });
      expect(calendar[0]!.emergency).toMatchObject({ mode: "message", message: override.message, covers: { open: "09:00", close: "18:00" } });
    });

    it("leaves the next day alone", () => {
      expect(calendar[1]).toMatchObject({ status: "open", why: "Open 8 a.m. to 4:30 p.m." });
    });
  });

  describe("the day menu kept on after hours until 20:00", () => {
    const override: EmergencyOverride = { mode: "open", until: "2026-12-21T20:00:00-07:00" };
    const calendar = hoursCalendar(hours, override, local("2026-12-21T15:00"), 2);

    it("adds the evening to the day's hours", () => {
      expect(calendar[0]).toMatchObject({ open: true, windows: [{ open: "08:00", close: "20:00" }], status: "emergency", why: "Kept open by emergency until 8 p.m." });
    });

    it("leaves the next day to the hours", () => {
      expect(calendar[1]).toMatchObject({ status: "open", windows: regular });
    });
  });

  describe("an override the line does not obey", () => {
    it("shows nothing for one that has expired", () => {
      const calendar = hoursCalendar(hours, { mode: "closed", until: "2026-12-20T08:00:00-07:00" }, sunday, 3);
      expect(calendar.some((day) => day.emergency !== undefined || day.status === "emergency")).toBe(false);
    });

    it("does not open the line for an open one without an end, but shows its message", () => {
      const calendar = hoursCalendar(hours, { mode: "open", message: "Storm line open." }, local("2026-12-21T15:00"), 1);
      expect(calendar[0]).toMatchObject({ windows: regular, status: "emergency", why: "Emergency message on" });
      expect(calendar[0]!.emergency?.mode).toBe("message");
    });

    it("shows nothing for an open one without an end or a message", () => {
      expect(hoursCalendar(hours, { mode: "open" }, local("2026-12-21T15:00"), 1)[0]!.status).toBe("open");
    });
  });

  describe("across the fall-back DST change on 1 November", () => {
    const override: EmergencyOverride = { mode: "closed", until: "2026-11-02T10:00:00-07:00", setAt: "2026-10-31T12:00:00-06:00" };
    const calendar = hoursCalendar(hours, override, local("2026-10-31T12:00"), 4);

    it("shows the 25-hour day once, between Saturday and Monday", () => {
      expect(calendar.map((day) => day.date)).toEqual(["2026-10-31", "2026-11-01", "2026-11-02", "2026-11-03"]);
    });

    it("covers the whole of 1 November", () => {
      expect(dayOf(calendar, "2026-11-01").emergency?.covers).toEqual({ open: "00:00", close: "24:00" });
    });

    it("ends at 10:00 MST on Monday, giving Monday 10:00 to 16:30", () => {
      expect(dayOf(calendar, "2026-11-02")).toMatchObject({ windows: [{ open: "10:00", close: "16:30" }], why: "Closed by emergency until 10 a.m." });
    });
  });

  describe("across the spring-forward DST change on 14 March 2027", () => {
    const override: EmergencyOverride = { mode: "open", until: "2027-03-14T03:30:00-06:00", setAt: "2027-03-13T20:00:00-07:00" };
    const calendar = hoursCalendar(hours, override, local("2027-03-13T20:00"), 3);

    it("keeps Saturday open from when it was set to midnight", () => {
      expect(calendar[0]).toMatchObject({ date: "2027-03-13", windows: [{ open: "20:00", close: "24:00" }], why: "Kept open by emergency; Closed on Saturdays" });
    });

    it("keeps the short Sunday open until 03:30 MDT", () => {
      expect(calendar[1]).toMatchObject({ date: "2027-03-14", windows: [{ open: "00:00", close: "03:30" }], why: "Kept open by emergency until 3:30 a.m.; Closed on Sundays" });
    });
  });

  describe("refuses", () => {
    it("an invalid now", () => {
      expect(() => hoursCalendar(hours, null, DateTime.invalid("broken clock"))).toThrow(RangeError);
    });

    it("a number of days that is not a whole number", () => {
      expect(() => hoursCalendar(hours, null, sunday, 1.5)).toThrow(/days must be a whole number/);
    });
  });
});
