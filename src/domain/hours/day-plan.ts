import { DateTime, Interval } from "luxon";
import { addDays, atTimeOfDay, isIsoDate, minutesOfDay, weekdayOf, type Weekday } from "./calendar.js";
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
 * How a dated entry changes its day, compared with the weekly hours, in the words supervisors use.
 * Worked out from the hours that result, so the older `open`/`close` spelling reads the same.
 */
export type DayChange = "closed-all-day" | "closes-early" | "opens-late" | "opens-early" | "closes-late" | "changed-hours";

/**
 * The plans for `days` consecutive local dates from `fromDate`. Precedence, most specific first:
 * a dated closure, then a holiday, then the weekly hours.
 *
 * @throws RangeError when `fromDate` is not a `yyyy-MM-dd` date or `days` is not a whole number >= 0
 */
export function planDays(hours: Hours, fromDate: string, days: number): DayPlan[] {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be a whole number of days, not ${days}`);
  const plans: DayPlan[] = [];
  for (const plan of dayPlansFrom(hours, fromDate)) {
    if (plans.length === days) break;
    plans.push(plan);
  }
  return plans;
}

/**
 * The plans of the local dates from `fromDate` on, one at a time and without end: the caller
 * takes as many as it needs. Each year's holidays are worked out once, when a date in it is
 * first planned, and forgotten with the iterator: nothing outlives the call that asked.
 *
 * @throws RangeError when `fromDate` is not a `yyyy-MM-dd` date (on the first step)
 */
export function* dayPlansFrom(hours: Hours, fromDate: string): Generator<DayPlan, never> {
  if (!isIsoDate(fromDate)) throw new RangeError(`fromDate must be a date written yyyy-MM-dd, not "${fromDate}"`);
  const holidaysByYear = new Map<number, Map<string, Holiday[]>>();
  const holidaysOn = (date: DateTime): Holiday[] => {
    let byDate = holidaysByYear.get(date.year);
    if (!byDate) {
      byDate = new Map();
      for (const holiday of holidaysInYear(hours, date.year)) byDate.set(holiday.date, [...(byDate.get(holiday.date) ?? []), holiday]);
      holidaysByYear.set(date.year, byDate);
    }
    return byDate.get(date.toISODate()!) ?? [];
  };

  // Dates are counted in UTC, where every day is 24 hours; the zone matters only for instants.
  for (let day: DateTime = DateTime.fromISO(fromDate, { zone: "utc" }); ; day = addDays(day, 1)) {
    const date = day.toISODate()!;
    const weekday = weekdayOf(day);
    const weeklyWindows = weeklyWindowsOn(hours, weekday);
    const holidays = holidaysOn(day);
    const closure = hours.closures.find((entry) => entry.date === date);
    if (closure) {
      yield { date, weekday, windows: closureWindows(closure, weeklyWindows), weeklyWindows, holidays, closure };
    } else {
      yield { date, weekday, windows: holidays.length > 0 ? [] : weeklyWindows, weeklyWindows, holidays };
    }
  }
}

/** The regular windows on a weekday, earliest first. */
export function weeklyWindowsOn(hours: Pick<Hours, "weekly">, weekday: Weekday): TimeWindow[] {
  return hours.weekly
    .filter((entry) => entry.days.includes(weekday))
    .map(({ open, close }) => ({ open, close }))
    .sort((a, b) => minutesOfDay(a.open) - minutesOfDay(b.open));
}

/**
 * The hours a dated entry leaves on its day. No times: closed all day. `closes` alone: the usual
 * hours, ending then (early, or later than usual). `opens` alone: the usual hours, starting then.
 * Both (or the older `open` and `close`): exactly that window, whatever the usual hours are.
 */
export function closureWindows(closure: Closure, weeklyWindows: readonly TimeWindow[]): TimeWindow[] {
  const opens = closure.opens ?? closure.open;
  const closes = closure.closes ?? closure.close;
  if (opens !== undefined && closes !== undefined) return [{ open: opens, close: closes }];
  if (closes !== undefined) {
    const cut = minutesOfDay(closes);
    // The windows that open before the new closing time: one that runs past it ends then, and
    // the day's last window ends then even when that is later than usual. A lunch break stays.
    const kept = weeklyWindows.filter((window) => minutesOfDay(window.open) < cut);
    return kept.map((window, index) =>
      index === weeklyWindows.length - 1 || minutesOfDay(window.close) > cut ? { ...window, close: closes } : { ...window },
    );
  }
  if (opens !== undefined) {
    const cut = minutesOfDay(opens);
    // The same from the other end: the day's first window starts then, earlier or later than usual.
    const skipped = weeklyWindows.length - weeklyWindows.filter((window) => minutesOfDay(window.close) > cut).length;
    return weeklyWindows
      .slice(skipped)
      .map((window, index) =>
        index + skipped === 0 || minutesOfDay(window.open) < cut ? { ...window, open: opens } : { ...window },
      );
  }
  return [];
}

/** How a day with a dated entry differs from its weekday's usual hours. */
export function dayChange(plan: Pick<DayPlan, "windows" | "weeklyWindows">): DayChange {
  const { windows, weeklyWindows } = plan;
  if (windows.length === 0) return "closed-all-day";
  if (weeklyWindows.length === 0) return "changed-hours";
  const start = (list: readonly TimeWindow[]) => minutesOfDay(list[0]!.open);
  const end = (list: readonly TimeWindow[]) => minutesOfDay(list.at(-1)!.close);
  const startMoves = Math.sign(start(windows) - start(weeklyWindows));
  const endMoves = Math.sign(end(windows) - end(weeklyWindows));
  if (startMoves === 0 && endMoves < 0) return "closes-early";
  if (startMoves === 0 && endMoves > 0) return "closes-late";
  if (endMoves === 0 && startMoves > 0) return "opens-late";
  if (endMoves === 0 && startMoves < 0) return "opens-early";
  return "changed-hours";
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
  return [...openingsOver(zone, plans)];
}

/**
 * When the line is open over the planned days, earliest first, with windows that touch (a
 * window to 24:00 and the next day's from 00:00) joined into one. Lazy: it plans a day only when
 * it needs that day to know where the current opening ends or the next begins.
 */
export function* openingsOver(zone: string, plans: Iterable<DayPlan>): Generator<Interval> {
  let pending: Interval | undefined;
  for (const plan of plans) {
    for (const interval of windowIntervals(zone, plan.date, plan.windows)) {
      if (pending && interval.start! <= pending.end!) {
        pending = Interval.fromDateTimes(pending.start!, interval.end! > pending.end! ? interval.end! : pending.end!);
      } else {
        if (pending) yield pending;
        pending = interval;
      }
    }
  }
  if (pending) yield pending;
}
