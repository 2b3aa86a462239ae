/**
 * What a report is asked for, and how its period is cut: whole days in the City's zone, `to`
 * included, weeks from Monday, the first and last intervals cut to the period, and days the
 * clocks change 23 or 25 hours long.
 */
import { describe, expect, it } from "vitest";
import { defaultInterval, hourSlots, MAX_REPORT_DAYS, parseReportRequest, ReportRequestError, reportPeriod } from "../../../src/domain/reports/index.js";

const ZONE = "America/Edmonton";

describe("parseReportRequest", () => {
  describe("a good request", () => {
    it("keeps the dates and the interval asked for", () => {
      expect(parseReportRequest({ from: "2026-12-01", to: "2026-12-31", by: "week" })).toEqual({ from: "2026-12-01", to: "2026-12-31", by: "week" });
    });

    it("takes a single day (from = to)", () => {
      expect(parseReportRequest({ from: "2026-12-08", to: "2026-12-08" })).toEqual({ from: "2026-12-08", to: "2026-12-08", by: "day" });
    });

    it("cuts a month or less by day, a quarter by week and longer by month when no interval is asked for", () => {
      expect(parseReportRequest({ from: "2026-12-01", to: "2026-12-31" }).by).toBe("day");
      expect(parseReportRequest({ from: "2026-10-01", to: "2026-12-31" }).by).toBe("week");
      expect(parseReportRequest({ from: "2026-01-01", to: "2026-12-31" }).by).toBe("month");
      expect([31, 32, 92, 93].map(defaultInterval)).toEqual(["day", "week", "week", "month"]);
    });

    it("takes an empty interval as none asked for (an empty form field)", () => {
      expect(parseReportRequest({ from: "2026-12-01", to: "2026-12-02", by: "" }).by).toBe("day");
    });
  });

  describe("a bad request", () => {
    const problem = (input: Record<string, unknown>, prefix = "") => {
      try {
        parseReportRequest(input, prefix);
      } catch (error) {
        expect(error).toBeInstanceOf(ReportRequestError);
        expect((error as Error).name).toBe("ReportRequestError");
        return (error as Error).message;
      }
      throw new Error("expected a ReportRequestError");
    };

    it("names a missing date and shows how to write one", () => {
      expect(problem({ to: "2026-12-31" })).toBe("from is required: a date written yyyy-MM-dd, e.g. 2026-12-01");
    });

    it("refuses a date that is not one, in the command line's words with a prefix", () => {
      expect(problem({ from: "2026-02-30", to: "2026-12-31" }, "--")).toBe('--from "2026-02-30" is not a date: write it as yyyy-MM-dd, e.g. 2026-12-01');
      expect(problem({ from: "1/12/2026", to: "2026-12-31" })).toMatch(/^from "1\/12\/2026" is not a date/);
    });

    it("refuses a date given twice (a repeated query parameter)", () => {
      expect(problem({ from: ["2026-12-01", "2026-12-02"], to: "2026-12-31" })).toBe("from must be a date written yyyy-MM-dd");
    });

    it("names every problem at once", () => {
      expect(problem({ from: "x", to: "y", by: "year" })).toBe(
        'from "x" is not a date: write it as yyyy-MM-dd, e.g. 2026-12-01; to "y" is not a date: write it as yyyy-MM-dd, e.g. 2026-12-01; by "year" must be day, week or month',
      );
    });

    it("refuses a last day before the first", () => {
      expect(problem({ from: "2026-12-31", to: "2026-12-01" })).toBe("to (2026-12-01) is before from (2026-12-31): the period runs from the first day to the last, both included");
    });

    it("refuses a period the records cannot be asked about (the year 0, past 9998)", () => {
      expect(problem({ from: "0000-01-01", to: "2026-01-02" })).toBe("from (0000-01-01) is out of range: a report covers days from 1900 to 9998");
      expect(problem({ from: "2026-12-30", to: "9999-12-31" })).toBe("to (9999-12-31) is out of range: a report covers days from 1900 to 9998");
      expect(parseReportRequest({ from: "9998-12-01", to: "9998-12-31" }).to).toBe("9998-12-31");
    });

    it(`refuses a period longer than ${MAX_REPORT_DAYS} days`, () => {
      expect(parseReportRequest({ from: "2024-01-01", to: "2026-12-31" }).by).toBe("month");
      expect(problem({ from: "2024-01-01", to: "2027-01-01" })).toBe("the period is 1097 days long; a report covers at most 1096 days (three years)");
    });
  });
});

describe("reportPeriod", () => {
  describe("by day", () => {
    it("runs from midnight on the first day to midnight after the last, in the City's zone", () => {
      const period = reportPeriod({ from: "2026-12-01", to: "2026-12-03", by: "day" }, ZONE);
      expect(period.start.toISO()).toBe("2026-12-01T00:00:00.000-07:00");
      expect(period.end.toISO()).toBe("2026-12-04T00:00:00.000-07:00");
      expect(period.intervals.map((interval) => [interval.from, interval.to])).toEqual([
        ["2026-12-01", "2026-12-01"],
        ["2026-12-02", "2026-12-02"],
        ["2026-12-03", "2026-12-03"],
      ]);
    });

    it("gives the day the clocks go back 25 hours (1 November 2026)", () => {
      const [day] = reportPeriod({ from: "2026-11-01", to: "2026-11-01", by: "day" }, ZONE).intervals;
      expect(day!.start.toISO()).toBe("2026-11-01T00:00:00.000-06:00");
      expect(day!.end.toISO()).toBe("2026-11-02T00:00:00.000-07:00");
      expect(day!.end.diff(day!.start, "hours").hours).toBe(25);
    });

    it("gives the day the clocks go forward 23 hours (8 March 2026)", () => {
      const [day] = reportPeriod({ from: "2026-03-08", to: "2026-03-08", by: "day" }, ZONE).intervals;
      expect(day!.end.diff(day!.start, "hours").hours).toBe(23);
    });
  });

  describe("by week", () => {
    it("starts weeks on Monday and cuts the first and last to the period", () => {
      // 2026-12-03 is a Thursday; 2026-12-15 a Tuesday.
      const period = reportPeriod({ from: "2026-12-03", to: "2026-12-15", by: "week" }, ZONE);
      expect(period.intervals.map((interval) => [interval.from, interval.to])).toEqual([
        ["2026-12-03", "2026-12-06"],
        ["2026-12-07", "2026-12-13"],
        ["2026-12-14", "2026-12-15"],
      ]);
      expect(period.intervals[0]!.start.toISO()).toBe("2026-12-03T00:00:00.000-07:00");
      expect(period.intervals.at(-1)!.end.toISO()).toBe("2026-12-16T00:00:00.000-07:00");
    });
  });

  describe("by month", () => {
    it("gives whole months across the change of year, each from local midnight", () => {
      const period = reportPeriod({ from: "2026-10-15", to: "2027-01-31", by: "month" }, ZONE);
      expect(period.intervals.map((interval) => [interval.from, interval.to])).toEqual([
        ["2026-10-15", "2026-10-31"],
        ["2026-11-01", "2026-11-30"],
        ["2026-12-01", "2026-12-31"],
        ["2027-01-01", "2027-01-31"],
      ]);
      // November starts in summer time and ends in winter time.
      expect(period.intervals[1]!.start.toISO()).toBe("2026-11-01T00:00:00.000-06:00");
      expect(period.intervals[1]!.end.toISO()).toBe("2026-12-01T00:00:00.000-07:00");
    });
  });

  describe("the hours of the period", () => {
    const slot = (weekday: number, hour: number) => (weekday - 1) * 24 + hour;

    it("are 24 a day, Monday's first", () => {
      const slots = hourSlots(reportPeriod({ from: "2026-12-07", to: "2026-12-08", by: "day" }, ZONE));
      expect(slots).toHaveLength(48);
      expect([slots[0], slots[23], slots[24], slots[47]]).toEqual([slot(1, 0), slot(1, 23), slot(2, 0), slot(2, 23)]);
    });

    it("count local hour 1 twice the night the clocks go back", () => {
      const slots = hourSlots(reportPeriod({ from: "2026-11-01", to: "2026-11-01", by: "day" }, ZONE));
      expect(slots.slice(0, 4)).toEqual([slot(7, 0), slot(7, 1), slot(7, 1), slot(7, 2)]);
      expect(slots).toHaveLength(25);
      expect(slots.at(-1)).toBe(slot(7, 23));
    });

    it("skip local hour 2 the night the clocks go forward", () => {
      const slots = hourSlots(reportPeriod({ from: "2026-03-08", to: "2026-03-09", by: "day" }, ZONE));
      expect(slots.slice(0, 3)).toEqual([slot(7, 0), slot(7, 1), slot(7, 3)]);
      expect(slots).toHaveLength(23 + 24);
      expect(slots[23]).toBe(slot(1, 0));
    });
  });

  it("refuses a zone that does not exist", () => {
    expect(() => reportPeriod({ from: "2026-12-01", to: "2026-12-01", by: "day" }, "America/Lethbridge")).toThrow(ReportRequestError);
  });
});
