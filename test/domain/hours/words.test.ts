import { describe, expect, it } from "vitest";
import { closedReasonInWords, dayInWords, lineStatus, schedule, timeInWords, type Hours } from "../../../src/domain/hours/index.js";
import { lethbridgeHours, local } from "../../fixtures/hours/load.js";

const hours = lethbridgeHours();

/** What a caller hears as {closedReason} at a local time in Lethbridge. */
const reasonAt = (isoLocal: string, which: Hours = hours) => closedReasonInWords(lineStatus(which, local(isoLocal)));

describe("timeInWords", () => {
  describe("as spoken", () => {
    it.each([
      ["08:00", "8 a.m."],
      ["16:30", "4:30 p.m."],
      ["12:00", "12 noon"],
      ["12:30", "12:30 p.m."],
      ["00:00", "12 midnight"],
      ["24:00", "12 midnight"],
      ["00:15", "12:15 a.m."],
      ["09:05", "9:05 a.m."],
    ])("%s is %j", (time, words) => {
      expect(timeInWords(time)).toBe(words);
    });
  });

  it("as written for supervisors, always with the minutes", () => {
    expect(timeInWords("08:00", "always")).toBe("8:00 a.m.");
    expect(timeInWords("12:00", "always")).toBe("12 noon");
  });
});

describe("closedReasonInWords, the {closedReason} a caller hears", () => {
  describe("says why the line is closed now", () => {
    it("on a holiday", () => {
      expect(reasonAt("2026-12-25T10:00")).toBe("City offices are closed today for Christmas Day.");
    });

    it("on the weekday a weekend holiday is observed", () => {
      expect(reasonAt("2026-12-28T19:00")).toBe("City offices are closed today for Boxing Day.");
    });

    it("on two holidays at once, naming both", () => {
      const twice: Hours = { ...hours, holidays: [...hours.holidays, { kind: "fixed", name: "Founders' Day", month: "december", day: 25 }] };
      expect(reasonAt("2026-12-25T10:00", twice)).toBe("City offices are closed today for Christmas Day and Founders' Day.");
    });

    it("on a day closed all day", () => {
      expect(reasonAt("2027-01-15T10:00")).toBe("City offices are closed today for staff training.");
    });

    it("on Christmas Eve at 13:00, after it closed early", () => {
      expect(reasonAt("2026-12-24T13:00")).toBe("City offices closed early today, at 12 noon, for Christmas Eve.");
    });

    it("before a late opening", () => {
      expect(reasonAt("2027-02-10T09:00")).toBe("City offices open late today, at 10 a.m., for a staff meeting.");
    });

    it("when a supervisor has closed the line", () => {
      expect(closedReasonInWords(lineStatus(hours, local("2026-12-02T10:00"), { mode: "closed" }))).toBe(
        "City offices are closed for now because of an emergency.",
      );
    });
  });

  describe("is empty, so the prompt that holds it reads on without it", () => {
    it.each([
      ["on an ordinary evening", "2026-12-02T20:00"],
      ["on a weekend", "2026-12-05T10:00"],
      ["on the evening of a shortened day, after its usual closing time", "2026-12-24T17:00"],
      ["before a shortened day opens", "2026-12-24T07:00"],
      ["while the line is open", "2026-12-02T10:00"],
    ])("%s", (_, time) => {
      expect(reasonAt(time)).toBe("");
    });
  });
});

describe("dayInWords, a day as `hours -- show` reads it back", () => {
  const day = (date: string) => schedule(hours, date, 1)[0]!;

  it.each([
    ["2026-12-21", "Mon 21 Dec: open 8:00 a.m. to 4:30 p.m."],
    ["2026-12-24", "Thu 24 Dec: open 8:00 a.m. to 12 noon (closes early: Christmas Eve)"],
    ["2026-12-25", "Fri 25 Dec: closed (Christmas Day)"],
    ["2026-12-28", "Mon 28 Dec: closed (Boxing Day, observed)"],
    ["2026-12-26", "Sat 26 Dec: closed (weekend)"],
    ["2027-01-15", "Fri 15 Jan: closed (staff training)"],
    ["2027-01-16", "Sat 16 Jan: open 10:00 a.m. to 2:00 p.m. (changed hours: snow clearing calls)"],
    ["2027-02-10", "Wed 10 Feb: open 10:00 a.m. to 4:30 p.m. (opens late: a staff meeting)"],
  ])("%s: %s", (date, words) => {
    expect(dayInWords(day(date))).toBe(words);
  });

  it("reads two windows with the break between them", () => {
    const lunchBreak: Hours = {
      ...hours,
      weekly: [
        { days: ["monday"], open: "08:00", close: "12:00" },
        { days: ["monday"], open: "13:00", close: "16:30" },
      ],
    };
    expect(dayInWords(schedule(lunchBreak, "2026-12-07", 1)[0]!)).toBe("Mon 7 Dec: open 8:00 a.m. to 12 noon and 1:00 p.m. to 4:30 p.m.");
  });

  it("adds notes after the reason", () => {
    expect(dayInWords(day("2026-12-26"), ["Boxing Day is observed Mon 28 Dec"])).toBe(
      "Sat 26 Dec: closed (weekend; Boxing Day is observed Mon 28 Dec)",
    );
  });
});
