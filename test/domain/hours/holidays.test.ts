import { describe, expect, it } from "vitest";
import { easterSunday, holidaysInYear, type Holiday, type HolidayRule, type Hours } from "../../../src/domain/hours/index.js";
import { lethbridgeHours } from "../../fixtures/hours/load.js";

const hours = lethbridgeHours();

/** Hours with only the given holiday rules, to look at one rule at a time. */
const withRules = (...holidays: HolidayRule[]): Hours => ({ ...hours, holidays, closures: [] });

/** The closed date of one named holiday in a year, and its own date when that differs. */
function closedDay(year: number, name: string, rules: Hours = hours): Holiday | undefined {
  return holidaysInYear(rules, year).find((holiday) => holiday.name === name);
}

/*
 * The City's holidays, written out by hand and checked against an independent calendar
 * computation (python-dateutil's easter and relativedelta), not against this code.
 * An `actual` date marks a holiday that falls on a weekend and is observed on a weekday.
 */
const EXPECTED: Record<number, Holiday[]> = {
  2026: [
    { date: "2026-01-01", name: "New Year's Day" },
    { date: "2026-02-16", name: "Family Day" },
    { date: "2026-04-03", name: "Good Friday" },
    { date: "2026-05-18", name: "Victoria Day" },
    { date: "2026-07-01", name: "Canada Day" },
    { date: "2026-08-03", name: "Heritage Day" },
    { date: "2026-09-07", name: "Labour Day" },
    { date: "2026-09-30", name: "National Day for Truth and Reconciliation" },
    { date: "2026-10-12", name: "Thanksgiving" },
    { date: "2026-11-11", name: "Remembrance Day" },
    { date: "2026-12-25", name: "Christmas Day" },
    { date: "2026-12-28", name: "Boxing Day", actual: "2026-12-26" },
  ],
  2027: [
    { date: "2027-01-01", name: "New Year's Day" },
    { date: "2027-02-15", name: "Family Day" },
    { date: "2027-03-26", name: "Good Friday" },
    { date: "2027-05-24", name: "Victoria Day" },
    { date: "2027-07-01", name: "Canada Day" },
    { date: "2027-08-02", name: "Heritage Day" },
    { date: "2027-09-06", name: "Labour Day" },
    { date: "2027-09-30", name: "National Day for Truth and Reconciliation" },
    { date: "2027-10-11", name: "Thanksgiving" },
    { date: "2027-11-11", name: "Remembrance Day" },
    { date: "2027-12-27", name: "Christmas Day", actual: "2027-12-25" },
    { date: "2027-12-28", name: "Boxing Day", actual: "2027-12-26" },
  ],
  2028: [
    { date: "2028-01-03", name: "New Year's Day", actual: "2028-01-01" },
    { date: "2028-02-21", name: "Family Day" },
    { date: "2028-04-14", name: "Good Friday" },
    { date: "2028-05-22", name: "Victoria Day" },
    { date: "2028-07-03", name: "Canada Day", actual: "2028-07-01" },
    { date: "2028-08-07", name: "Heritage Day" },
    { date: "2028-09-04", name: "Labour Day" },
    { date: "2028-10-02", name: "National Day for Truth and Reconciliation", actual: "2028-09-30" },
    { date: "2028-10-09", name: "Thanksgiving" },
    { date: "2028-11-13", name: "Remembrance Day", actual: "2028-11-11" },
    { date: "2028-12-25", name: "Christmas Day" },
    { date: "2028-12-26", name: "Boxing Day" },
  ],
  2029: [
    { date: "2029-01-01", name: "New Year's Day" },
    { date: "2029-02-19", name: "Family Day" },
    { date: "2029-03-30", name: "Good Friday" },
    { date: "2029-05-21", name: "Victoria Day" },
    { date: "2029-07-02", name: "Canada Day", actual: "2029-07-01" },
    { date: "2029-08-06", name: "Heritage Day" },
    { date: "2029-09-03", name: "Labour Day" },
    { date: "2029-10-01", name: "National Day for Truth and Reconciliation", actual: "2029-09-30" },
    { date: "2029-10-08", name: "Thanksgiving" },
    { date: "2029-11-12", name: "Remembrance Day", actual: "2029-11-11" },
    { date: "2029-12-25", name: "Christmas Day" },
    { date: "2029-12-26", name: "Boxing Day" },
  ],
  2030: [
    { date: "2030-01-01", name: "New Year's Day" },
    { date: "2030-02-18", name: "Family Day" },
    { date: "2030-04-19", name: "Good Friday" },
    { date: "2030-05-20", name: "Victoria Day" },
    { date: "2030-07-01", name: "Canada Day" },
    { date: "2030-08-05", name: "Heritage Day" },
    { date: "2030-09-02", name: "Labour Day" },
    { date: "2030-09-30", name: "National Day for Truth and Reconciliation" },
    { date: "2030-10-14", name: "Thanksgiving" },
    { date: "2030-11-11", name: "Remembrance Day" },
    { date: "2030-12-25", name: "Christmas Day" },
    { date: "2030-12-26", name: "Boxing Day" },
  ],
};

describe("holidaysInYear", () => {
  describe("Lethbridge's holidays, 2026 to 2030", () => {
    it.each(Object.keys(EXPECTED).map(Number))("closes on exactly the City's holidays in %i, in date order", (year) => {
      expect(holidaysInYear(hours, year)).toEqual(EXPECTED[year]);
    });
  });

  /** Every year's date for one holiday, from the table above. */
  const datesOf = (name: string) => Object.values(EXPECTED).map((year) => year.find((holiday) => holiday.name === name)?.date);

  describe("a fixed date", () => {
    it("New Year's Day is January 1, observed on Monday 2028-01-03 when it falls on Saturday", () => {
      expect(datesOf("New Year's Day")).toEqual(["2026-01-01", "2027-01-01", "2028-01-03", "2029-01-01", "2030-01-01"]);
      expect(closedDay(2028, "New Year's Day")).toEqual({ date: "2028-01-03", name: "New Year's Day", actual: "2028-01-01" });
    });

    it("Canada Day moves from Saturday 2028-07-01 to Monday 2028-07-03, and from Sunday 2029-07-01 to Monday 2029-07-02", () => {
      expect(datesOf("Canada Day")).toEqual(["2026-07-01", "2027-07-01", "2028-07-03", "2029-07-02", "2030-07-01"]);
    });

    it("Remembrance Day moves from Saturday 2028-11-11 to Monday 2028-11-13, and from Sunday 2029-11-11 to 2029-11-12", () => {
      expect(datesOf("Remembrance Day")).toEqual(["2026-11-11", "2027-11-11", "2028-11-13", "2029-11-12", "2030-11-11"]);
    });

    it("National Day for Truth and Reconciliation moves from Saturday 2028-09-30 to Monday 2028-10-02", () => {
      expect(datesOf("National Day for Truth and Reconciliation")).toEqual([
        "2026-09-30",
        "2027-09-30",
        "2028-10-02",
        "2029-10-01",
        "2030-09-30",
      ]);
    });

    describe("observed on the following weekday", () => {
      it("sends Christmas on Saturday 2027 to Monday 2027-12-27", () => {
        expect(closedDay(2027, "Christmas Day")).toEqual({ date: "2027-12-27", name: "Christmas Day", actual: "2027-12-25" });
      });

      it("sends Boxing Day on Sunday 2027 past the Monday Christmas took, to Tuesday 2027-12-28", () => {
        expect(closedDay(2027, "Boxing Day")).toEqual({ date: "2027-12-28", name: "Boxing Day", actual: "2027-12-26" });
      });

      it("sends Boxing Day on Saturday 2026 to Monday 2026-12-28, Christmas being on Friday", () => {
        expect(closedDay(2026, "Boxing Day")).toEqual({ date: "2026-12-28", name: "Boxing Day", actual: "2026-12-26" });
      });

      it("does not move a date that falls on a weekday", () => {
        expect(closedDay(2029, "Christmas Day")).toEqual({ date: "2029-12-25", name: "Christmas Day" });
      });

      it("skips a weekday that another rule already closes", () => {
        // Family Day 2028 is Monday February 21; a fixed holiday on Saturday the 19th must go to Tuesday.
        const rules = withRules(
          { kind: "nth-weekday", name: "Family Day", nth: 3, weekday: "monday", month: "february" },
          { kind: "fixed", name: "Founders' Day", month: "february", day: 19, observed: "following-weekday" },
        );
        expect(closedDay(2028, "Founders' Day", rules)).toEqual({ date: "2028-02-22", name: "Founders' Day", actual: "2028-02-19" });
      });
    });

    describe("observed on the nearest weekday", () => {
      const canadaDay = withRules({ kind: "fixed", name: "Canada Day", month: "july", day: 1, observed: "nearest-weekday" });

      it("moves Saturday to the Friday before (2028-07-01 -> 2028-06-30)", () => {
        expect(closedDay(2028, "Canada Day", canadaDay)).toEqual({ date: "2028-06-30", name: "Canada Day", actual: "2028-07-01" });
      });

      it("moves Sunday to the Monday after (2029-07-01 -> 2029-07-02)", () => {
        expect(closedDay(2029, "Canada Day", canadaDay)).toEqual({ date: "2029-07-02", name: "Canada Day", actual: "2029-07-01" });
      });

      it("lists a holiday observed in the year before its own under that year (New Year's Day 2028 -> Friday 2027-12-31)", () => {
        const newYear = withRules({ kind: "fixed", name: "New Year's Day", month: "january", day: 1, observed: "nearest-weekday" });
        expect(holidaysInYear(newYear, 2027)).toEqual([
          { date: "2027-01-01", name: "New Year's Day" },
          { date: "2027-12-31", name: "New Year's Day", actual: "2028-01-01" },
        ]);
        expect(holidaysInYear(newYear, 2028)).toEqual([]);
      });
    });

    it("without an observed rule, stays on its weekend date", () => {
      const rules = withRules({ kind: "fixed", name: "Canada Day", month: "july", day: 1 });
      expect(closedDay(2028, "Canada Day", rules)).toEqual({ date: "2028-07-01", name: "Canada Day" });
    });
  });

  describe("the nth weekday of a month", () => {
    it("Family Day is the third Monday of February", () => {
      expect(datesOf("Family Day")).toEqual(["2026-02-16", "2027-02-15", "2028-02-21", "2029-02-19", "2030-02-18"]);
    });

    it("Heritage Day is the first Monday of August", () => {
      expect(datesOf("Heritage Day")).toEqual(["2026-08-03", "2027-08-02", "2028-08-07", "2029-08-06", "2030-08-05"]);
    });

    it("Labour Day is the first Monday of September", () => {
      expect(datesOf("Labour Day")).toEqual(["2026-09-07", "2027-09-06", "2028-09-04", "2029-09-03", "2030-09-02"]);
    });

    it("Thanksgiving is the second Monday of October", () => {
      expect(datesOf("Thanksgiving")).toEqual(["2026-10-12", "2027-10-11", "2028-10-09", "2029-10-08", "2030-10-14"]);
    });

    it("last finds the final one in the month (the last Monday of May 2026 is the 25th)", () => {
      const rules = withRules({ kind: "nth-weekday", name: "Last Monday", nth: "last", weekday: "monday", month: "may" });
      expect(closedDay(2026, "Last Monday", rules)?.date).toBe("2026-05-25");
      expect(closedDay(2027, "Last Monday", rules)?.date).toBe("2027-05-31");
    });
  });

  describe("relative to Easter", () => {
    it("Good Friday is two days before Easter Sunday", () => {
      expect(datesOf("Good Friday")).toEqual(["2026-04-03", "2027-03-26", "2028-04-14", "2029-03-30", "2030-04-19"]);
    });

    it("Easter Monday is the day after", () => {
      const rules = withRules({ kind: "easter", name: "Easter Monday", offset: 1 });
      expect(closedDay(2026, "Easter Monday", rules)?.date).toBe("2026-04-06");
    });
  });

  describe("a weekday before a date", () => {
    it("Victoria Day is the Monday before May 25", () => {
      expect(datesOf("Victoria Day")).toEqual(["2026-05-18", "2027-05-24", "2028-05-22", "2029-05-21", "2030-05-20"]);
    });

    it("is strictly before the date: with May 25 on a Monday (2026), it is the 18th", () => {
      expect(closedDay(2026, "Victoria Day")?.date).toBe("2026-05-18");
    });

    it("may fall on the day before: with May 24 on a Monday (2027), it is the 24th", () => {
      expect(closedDay(2027, "Victoria Day")?.date).toBe("2027-05-24");
    });
  });

  describe("a holiday with since", () => {
    it("is not a holiday in the years before", () => {
      expect(closedDay(2020, "National Day for Truth and Reconciliation")).toBeUndefined();
    });

    it("is a holiday from that year on", () => {
      expect(closedDay(2021, "National Day for Truth and Reconciliation")).toEqual({
        date: "2021-09-30",
        name: "National Day for Truth and Reconciliation",
      });
    });
  });

  it("with no rules, is empty", () => {
    expect(holidaysInYear(withRules(), 2027)).toEqual([]);
  });
});

describe("easterSunday", () => {
  it.each([
    [2026, "2026-04-05"],
    [2027, "2027-03-28"],
    [2028, "2028-04-16"],
    [2029, "2029-04-01"],
    [2030, "2030-04-21"],
    [2000, "2000-04-23"],
    [2008, "2008-03-23"],
    [2038, "2038-04-25"],
    [1818, "1818-03-22"],
    [2285, "2285-03-22"],
  ])("in %i is %s", (year, date) => {
    expect(easterSunday(year).toISODate()).toBe(date);
  });
});
