import { DateTime } from "luxon";
import { addDays, isWeekend, monthNumber, weekdayNumber } from "./calendar.js";
import type { HolidayRule, Hours } from "./schema.js";

/** A day the City is closed for a holiday. */
export interface Holiday {
  /** The day the City is closed, `yyyy-MM-dd`. */
  date: string;
  name: string;
  /** The holiday's own date, `yyyy-MM-dd`, when it falls on a weekend and is observed on `date` instead. */
  actual?: string;
}

/**
 * Gregorian Easter Sunday for a year, by the anonymous (Meeus/Jones/Butcher) algorithm.
 *
 * @example easterSunday(2026).toISODate() // "2026-04-05"
 */
export function easterSunday(year: number): DateTime {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return DateTime.utc(year, month, day);
}

/**
 * The City's holidays whose closed day falls in `year`, sorted by date. A holiday observed on
 * another day carries its own date in `actual`. Two holidays on the same day are both listed.
 *
 * @example holidaysInYear(hours, 2027) // [..., { date: "2027-12-27", name: "Christmas Day", actual: "2027-12-25" }, ...]
 */
export function holidaysInYear(hours: Hours, year: number): Holiday[] {
  // A holiday can be observed in the year before or after its own (New Year's Day on a Saturday,
  // moved to the Friday before), so work out the neighbouring years too and keep what lands in this one.
  const candidates = [year - 1, year, year + 1].flatMap((ruleYear) =>
    hours.holidays.filter((rule) => rule.since === undefined || rule.since <= ruleYear).map((rule) => ({ rule, date: ruleDate(rule, ruleYear) })),
  );
  return observe(candidates)
    .filter((holiday) => holiday.date.startsWith(`${year}-`))
    .sort((a, b) => a.date.localeCompare(b.date));
}

interface Candidate {
  rule: HolidayRule;
  /** The holiday's own date, computed in UTC: calendar arithmetic, no zone involved. */
  date: DateTime;
}

/**
 * Moves weekend holidays to the weekday they are observed on. `following-weekday` holidays go
 * last, in date order, each to the next weekday that is not already closed, so that Christmas on
 * Saturday takes Monday and Boxing Day on Sunday takes Tuesday.
 */
function observe(candidates: Candidate[]): Holiday[] {
  const movesToFollowingWeekday = ({ rule, date }: Candidate) =>
    rule.kind === "fixed" && rule.observed === "following-weekday" && isWeekend(date);

  const settled = candidates.filter((candidate) => !movesToFollowingWeekday(candidate)).map(observeInPlace);
  const closed = new Set(settled.map((holiday) => holiday.date));
  const moved = candidates
    .filter(movesToFollowingWeekday)
    .sort((a, b) => a.date.toMillis() - b.date.toMillis())
    .map(({ rule, date }): Holiday => {
      let observed = date;
      while (isWeekend(observed) || closed.has(isoDate(observed))) observed = addDays(observed, 1);
      closed.add(isoDate(observed));
      return { date: isoDate(observed), name: rule.name, actual: isoDate(date) };
    });
  return [...settled, ...moved];
}

/** A holiday that does not look for a free day: it stays on its date, or takes the nearest weekday. */
function observeInPlace({ rule, date }: Candidate): Holiday {
  if (rule.kind !== "fixed" || rule.observed !== "nearest-weekday" || !isWeekend(date)) {
    return { date: isoDate(date), name: rule.name };
  }
  const observed = addDays(date, date.weekday === 6 ? -1 : 1);
  return { date: isoDate(observed), name: rule.name, actual: isoDate(date) };
}

/** The holiday's own date in `year`, before any weekend rule moves it. */
function ruleDate(rule: HolidayRule, year: number): DateTime {
  switch (rule.kind) {
    case "fixed":
      return DateTime.utc(year, monthNumber(rule.month), rule.day);
    case "nth-weekday": {
      const wanted = weekdayNumber(rule.weekday);
      if (rule.nth === "last") {
        const firstOfMonth = DateTime.utc(year, monthNumber(rule.month), 1);
        const lastDay = addDays(firstOfMonth, firstOfMonth.daysInMonth! - 1);
        return addDays(lastDay, -((lastDay.weekday - wanted + 7) % 7));
      }
      const firstDay = DateTime.utc(year, monthNumber(rule.month), 1);
      return addDays(firstDay, (wanted - firstDay.weekday + 7) % 7 + (rule.nth - 1) * 7);
    }
    case "easter":
      return addDays(easterSunday(year), rule.offset);
    case "weekday-before": {
      const dayBefore = addDays(DateTime.utc(year, monthNumber(rule.month), rule.day), -1);
      return addDays(dayBefore, -((dayBefore.weekday - weekdayNumber(rule.weekday) + 7) % 7));
    }
  }
}

function isoDate(date: DateTime): string {
  // toISODate, not toFormat: the same text, many times faster, and this runs on every call.
  return date.toISODate()!;
}
