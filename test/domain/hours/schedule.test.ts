import { describe, expect, it } from "vitest";
import { schedule, type Hours } from "../../../src/domain/hours/index.js";
import { lethbridgeHours } from "../../fixtures/hours/load.js";

const hours = lethbridgeHours();
const regular = [{ open: "08:00", close: "16:30" }];

describe("schedule", () => {
  describe("over Christmas 2026", () => {
    it("lists each day with its hours, and why any day is closed or changed", () => {
      expect(schedule(hours, "2026-12-20", 14)).toEqual([
        { date: "2026-12-20", weekday: "sunday", open: false, windows: [], reason: "weekend" },
        { date: "2026-12-21", weekday: "monday", open: true, windows: regular },
        { date: "2026-12-22", weekday: "tuesday", open: true, windows: regular },
        { date: "2026-12-23", weekday: "wednesday", open: true, windows: regular },
        {
          date: "2026-12-24",
          weekday: "thursday",
          open: true,
          windows: [{ open: "08:00", close: "12:00" }],
          reason: "Christmas Eve",
          change: "closes-early",
        },
        { date: "2026-12-25", weekday: "friday", open: false, windows: [], reason: "Christmas Day" },
        { date: "2026-12-26", weekday: "saturday", open: false, windows: [], reason: "weekend" },
        { date: "2026-12-27", weekday: "sunday", open: false, windows: [], reason: "weekend" },
        { date: "2026-12-28", weekday: "monday", open: false, windows: [], reason: "Boxing Day, observed" },
        { date: "2026-12-29", weekday: "tuesday", open: true, windows: regular },
        { date: "2026-12-30", weekday: "wednesday", open: true, windows: regular },
        { date: "2026-12-31", weekday: "thursday", open: true, windows: regular },
        { date: "2027-01-01", weekday: "friday", open: false, windows: [], reason: "New Year's Day" },
        { date: "2027-01-02", weekday: "saturday", open: false, windows: [], reason: "weekend" },
      ]);
    });
  });

  describe("with dated closures", () => {
    it("closes a whole day, giving the closure's reason", () => {
      expect(schedule(hours, "2027-01-15", 1)).toEqual([
        { date: "2027-01-15", weekday: "friday", open: false, windows: [], reason: "staff training", change: "closed-all-day" },
      ]);
    });

    it("opens a day that is normally closed, in the closure's window (the older open/close spelling)", () => {
      expect(schedule(hours, "2027-01-16", 1)).toEqual([
        {
          date: "2027-01-16",
          weekday: "saturday",
          open: true,
          windows: [{ open: "10:00", close: "14:00" }],
          reason: "snow clearing calls",
          change: "changed-hours",
        },
      ]);
    });

    it("opens late, keeping the usual closing time", () => {
      expect(schedule(hours, "2027-02-10", 1)[0]).toMatchObject({ windows: [{ open: "10:00", close: "16:30" }], change: "opens-late" });
    });
  });

  describe("with a dated entry written the way supervisors say it", () => {
    const lunchBreak = [
      { days: ["monday" as const], open: "08:00", close: "12:00" },
      { days: ["monday" as const], open: "13:00", close: "16:30" },
    ];
    /** Monday 2026-12-07's hours and how they changed, with one dated entry and the weekly hours given. */
    const monday = (entry: Record<string, string>, weekly: Hours["weekly"] = hours.weekly) => {
      const [day] = schedule({ ...hours, weekly, closures: [{ date: "2026-12-07", reason: "a reason", ...entry }] }, "2026-12-07", 1);
      return { windows: day!.windows, change: day!.change };
    };

    it("closes: earlier than usual, ends the day then", () => {
      expect(monday({ closes: "12:00" })).toEqual({ windows: [{ open: "08:00", close: "12:00" }], change: "closes-early" });
    });

    it("closes: later than usual, keeps the line open till then", () => {
      expect(monday({ closes: "20:00" })).toEqual({ windows: [{ open: "08:00", close: "20:00" }], change: "closes-late" });
    });

    it("closes: during a lunch break, ends the day at the break", () => {
      expect(monday({ closes: "12:30" }, lunchBreak)).toEqual({ windows: [{ open: "08:00", close: "12:00" }], change: "closes-early" });
    });

    it("closes: in the afternoon of a day with a lunch break, keeps the break", () => {
      expect(monday({ closes: "15:00" }, lunchBreak).windows).toEqual([
        { open: "08:00", close: "12:00" },
        { open: "13:00", close: "15:00" },
      ]);
    });

    it("opens: later than usual, starts the day then", () => {
      expect(monday({ opens: "10:00" })).toEqual({ windows: [{ open: "10:00", close: "16:30" }], change: "opens-late" });
    });

    it("opens: earlier than usual, starts the day then", () => {
      expect(monday({ opens: "07:00" })).toEqual({ windows: [{ open: "07:00", close: "16:30" }], change: "opens-early" });
    });

    it("opens: during a lunch break, starts the day after it", () => {
      expect(monday({ opens: "12:30" }, lunchBreak).windows).toEqual([{ open: "13:00", close: "16:30" }]);
    });

    it("opens and closes: exactly those hours, whatever the usual ones", () => {
      expect(monday({ opens: "10:00", closes: "14:00" }, lunchBreak)).toEqual({ windows: [{ open: "10:00", close: "14:00" }], change: "changed-hours" });
    });

    it("no times: closed all day", () => {
      expect(monday({})).toEqual({ windows: [], change: "closed-all-day" });
    });
  });

  describe("with more than one window a day", () => {
    it("lists them earliest first", () => {
      const lunchBreak: Hours = {
        ...hours,
        weekly: [
          { days: ["monday"], open: "13:00", close: "16:30" },
          { days: ["monday"], open: "08:00", close: "12:00" },
        ],
      };
      expect(schedule(lunchBreak, "2026-12-07", 1)[0]?.windows).toEqual([
        { open: "08:00", close: "12:00" },
        { open: "13:00", close: "16:30" },
      ]);
    });
  });

  describe("across a change of clocks", () => {
    it("keeps the same local hours on the day of the change and after it", () => {
      const days = schedule(hours, "2027-03-12", 4);
      expect(days.map((day) => [day.date, day.open, day.windows])).toEqual([
        ["2027-03-12", true, regular],
        ["2027-03-13", false, []],
        ["2027-03-14", false, []],
        ["2027-03-15", true, regular],
      ]);
    });
  });

  describe("across a year end", () => {
    it("continues into the next year's holidays", () => {
      const days = schedule(hours, "2027-12-24", 11); // to Monday 2028-01-03
      expect(days.filter((day) => !day.open && day.reason !== "weekend").map((day) => [day.date, day.reason])).toEqual([
        ["2027-12-27", "Christmas Day, observed"],
        ["2027-12-28", "Boxing Day, observed"],
        ["2028-01-03", "New Year's Day, observed"],
      ]);
    });
  });

  it("covers a whole leap year", () => {
    const days = schedule(hours, "2028-01-01", 366);
    expect(days).toHaveLength(366);
    expect(days.at(-1)?.date).toBe("2028-12-31");
  });

  it("for zero days, is empty", () => {
    expect(schedule(hours, "2027-01-01", 0)).toEqual([]);
  });

  it("refuses a start that is not a date", () => {
    expect(() => schedule(hours, "2027-02-30", 1)).toThrow(RangeError);
    expect(() => schedule(hours, "tomorrow", 1)).toThrow(/yyyy-MM-dd/);
  });

  it("refuses a number of days that is not a whole number", () => {
    expect(() => schedule(hours, "2027-01-01", -1)).toThrow(RangeError);
    expect(() => schedule(hours, "2027-01-01", 1.5)).toThrow(RangeError);
  });
});
