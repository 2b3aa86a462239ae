import { DateTime, Interval } from "luxon";
import { atTimeOfDay, isIsoDate, minutesOfDay, weekdayOf, type Weekday } from "./calendar.js";
import { holidaysInYear, type Holiday } from "./holidays.js";
import type { Closure, Hours } from "./schema.js";

/** A stretch of one local day, [open, close), as `HH:mm` times. */
export interface TimeWindow {
  open: string;
  close: string;
}

/** Everything that decides one local day's hours, before it is turned into instants or words. */
export interface DayPlan {
  /** The local date, `yyyy-MM-dd`. */
  date: string;
  weekday: Weekday;
  /** When the line is open that day, earliest first; empty when closed all day. */
  windows: TimeWindow[];
  /** The weekly hours for that weekday, as if there were no holiday or closure. */
  weeklyWindows: TimeWindow[];
  /** Holidays observed on this date. */
  holidays: Holiday[];
  /** The dated entry for this date, which wins over everything else. */
  closure?: Closure;
}

/**
 * The plans for `days` consecutive local dates from `fromDate`. Precedence, most specific first:
 * a dated closure, then a holiday, then the weekly hours.
 *
 * @throws RangeError when `fromDate` is not a `yyyy-MM-dd` date or `days` is not a whole number >= 0
 */
export function planDays(hours: Hours, fromDate: string, days: number): DayPlan[] {
  if (!isIsoDate(fromDate)) throw new RangeError(`fromDate must be a date written yyyy-MM-dd, not "${fromDate}"`);
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be a whole number of days, not ${days}`);

  const holidaysByYear = new Map<number, Map<string, Holiday[]>>();
  const holidaysOn = (date: DateTime): Holiday[] => {
    let byDate = holidaysByYear.get(date.year);
    if (!byDate) {
      byDate = new Map();
      for (const holiday of holidaysInYear(hours, date.year)) byDate.set(holiday.date, [...(byDate.get(holiday.date) ?? []), holiday]);
      holidaysByYear.set(date.year, byDate);
    }
    return byDate.get(date.toFormat("yyyy-MM-dd")) ?? [];
  };

  // Dates are counted in UTC, where every day is 24 hours; the zone matters only for instants.
  const first = DateTime.fromISO(fromDate, { zone: "utc" });
  return Array.from({ length: days }, (_, offset) => {
    const day = first.plus({ days: offset });
    const date = day.toFormat("yyyy-MM-dd");
    const weekday = weekdayOf(day);
    const weeklyWindows = hours.weekly
      .filter((entry) => entry.days.includes(weekday))
      .map(({ open, close }) => ({ open, close }))
      .sort((a, b) => minutesOfDay(a.open) - minutesOfDay(b.open));
    const holidays = holidaysOn(day);
    const closure = hours.closures.find((entry) => entry.date === date);
    const windows = closure ? closureWindows(closure) : holidays.length > 0 ? [] : weeklyWindows;
    return closure ? { date, weekday, windows, weeklyWindows, holidays, closure } : { date, weekday, windows, weeklyWindows, holidays };
  });
}

function closureWindows(closure: Closure): TimeWindow[] {
  return closure.open !== undefined && closure.close !== undefined ? [{ open: closure.open, close: closure.close }] : [];
}

/** A local day's windows as instants in `zone`, with Luxon resolving DST on that date. */
export function windowIntervals(zone: string, date: string, windows: readonly TimeWindow[]): Interval[] {
  const startOfDay = DateTime.fromISO(date, { zone });
  return windows
    .map((window) => Interval.fromDateTimes(atTimeOfDay(startOfDay, window.open), atTimeOfDay(startOfDay, window.close)))
    .filter((interval) => interval.isValid && !interval.isEmpty());
}

/** When the line is open over the planned days, as instants, with windows that touch joined into one. */
export function openIntervals(zone: string, plans: readonly DayPlan[]): Interval[] {
  return Interval.merge(plans.flatMap((plan) => windowIntervals(zone, plan.date, plan.windows)));
}
