import { DateTime, Interval } from "luxon";
import { minutesOfDay, type Weekday } from "./calendar.js";
import { dayChange, planDays, windowIntervals, type DayPlan, type TimeWindow } from "./day-plan.js";
import { activeOverride, type EmergencyOverride } from "./override.js";
import { schedule } from "./schedule.js";
import type { Closure, Hours } from "./schema.js";
import { timeInWords, windowsInWords } from "./words.js";

/**
 * What a day of the console's calendar shows, at a glance:
 * - `open`: the usual hours;
 * - `closed`: a weekday the weekly hours leave closed;
 * - `weekend`: a Saturday or Sunday the weekly hours leave closed;
 * - `holiday`: closed for a City holiday;
 * - `closure`: closed all day by a dated entry;
 * - `shortened`: a dated entry leaves fewer hours than usual (closes early, opens late);
 * - `emergency`: the supervisor's emergency override covers some or all of the day.
 *
 * A dated entry that gives more hours than usual (opening a Saturday, closing late) is `open`,
 * with the entry in `closure` so that the page can offer to remove it.
 */
export type CalendarStatus = "open" | "closed" | "holiday" | "closure" | "shortened" | "emergency" | "weekend";

/**
 * The emergency override as the console names its modes: `closed` sends every caller to the
 * trouble line, `open` keeps the day menu on after hours, `message` plays the message and lets
 * the hours decide.
 */
export type EmergencyMode = "closed" | "message" | "open";

/** How the emergency override touches one day of the calendar. */
export interface CalendarEmergency {
  mode: EmergencyMode;
  /** What every caller hears, when the override has a message. */
  message?: string;
  /** The part of the day it covers, as local times; `close` is `24:00` when it runs past midnight. */
  covers: TimeWindow;
  /** When it switches itself off, in the hours' zone; absent when it lasts until it is cleared. */
  until?: DateTime;
}

/** One local day of the console's hours calendar. */
export interface CalendarDay {
  /** The local date, `yyyy-MM-dd`. */
  date: string;
  weekday: Weekday;
  /** Whether the line is open at any time that day, emergency included. */
  open: boolean;
  /** When the line is open that day, as it will be: dated entries, holidays and the emergency applied. */
  windows: TimeWindow[];
  /** The weekly hours for that weekday, as in a normal week. */
  usual: TimeWindow[];
  status: CalendarStatus;
  /** Why, in plain words: "Christmas Day", "Closed all day: staff training", "Closes at 12 noon: Christmas Eve". */
  why: string;
  /** The dated entry for this date, when there is one: what the page offers to remove. */
  closure?: Closure;
  /** The holidays observed on this date, by name ("Christmas Day"), even when a dated entry wins. */
  holiday?: string;
  /** How the emergency override touches the day, when it does. */
  emergency?: CalendarEmergency;
}

/** How many days the console's calendar shows. */
export const CALENDAR_DAYS = 60;

/**
 * The hours calendar for the `days` local dates from `now`'s date in the hours' zone: each day's
 * hours as the line will keep them, its usual hours, and why they differ. Pure; reads the hours
 * through `planDays` and `schedule`, so the calendar says what calls will meet.
 *
 * The emergency override is shown on every day it covers: from when it was set (`setAt`, or `now`
 * when that is missing or still to come) until its `until`, or on every day shown when it has no
 * end, since it lasts until someone clears it. `closed` takes the covered hours out of the day's
 * windows, `open` adds them, and a `message` leaves the hours as they are. An override that is no
 * longer active at `now` (expired, or `open` without an end, which the line does not obey) is not
 * shown as such; an `open` one without an end still shows its message.
 *
 * @param now - any instant; the hours' zone decides which day is today
 * @throws RangeError when `now` is an invalid DateTime or `days` is not a whole number >= 0
 * @example hoursCalendar(hours, null, DateTime.fromISO("2026-12-20T09:00", { zone: "America/Edmonton" }), 14)[4]
 *   // { date: "2026-12-24", open: true, windows: [{ open: "08:00", close: "12:00" }], status: "shortened",
 *   //   why: "Closes at 12 noon: Christmas Eve", closure: { date: "2026-12-24", reason: "Christmas Eve", closes: "12:00" }, ... }
 */
export function hoursCalendar(hours: Hours, override: EmergencyOverride | null, now: DateTime, days: number = CALENDAR_DAYS): CalendarDay[] {
  if (!now.isValid) throw new RangeError(`now is not a valid time: ${now.invalidExplanation ?? now.invalidReason ?? "unknown"}`);
  const today = now.setZone(hours.zone).toISODate()!;
  const plans = planDays(hours, today, days);
  const scheduled = schedule(hours, today, days);
  const emergency = emergencySpan(activeOverride(override, now), now, hours.zone);
  return plans.map((plan, index) => {
    const day = scheduledDay(plan, scheduled[index]!.reason);
    return emergency ? withEmergency(day, emergency, hours.zone) : day;
  });
}

/** A day as the hours alone decide it. */
function scheduledDay(plan: DayPlan, reason: string | undefined): CalendarDay {
  const names = plan.holidays.map((holiday) => holiday.name);
  const base = {
    date: plan.date,
    weekday: plan.weekday,
    open: plan.windows.length > 0,
    windows: plan.windows,
    usual: plan.weeklyWindows,
    ...(plan.closure ? { closure: plan.closure } : {}),
    ...(names.length > 0 ? { holiday: names.join(" and ") } : {}),
  };
  if (plan.closure) return { ...base, ...closureStatus(plan, plan.closure) };
  if (names.length > 0) return { ...base, status: "holiday", why: reason ?? names.join(" and ") };
  if (plan.windows.length === 0) {
    const weekend = plan.weekday === "saturday" || plan.weekday === "sunday";
    return { ...base, status: weekend ? "weekend" : "closed", why: `Closed on ${capitalized(plan.weekday)}s` };
  }
  return { ...base, status: "open", why: `Open ${windowsInWords(plan.windows, "when-needed")}` };
}

/** What a dated entry makes of its day, in the words of the hours file's own comments. */
function closureStatus(plan: DayPlan, closure: Closure): Pick<CalendarDay, "status" | "why"> {
  const { reason } = closure;
  const first = plan.windows[0];
  const last = plan.windows.at(-1);
  if (!first || !last) return { status: "closure", why: `Closed all day: ${reason}` };
  const change = dayChange(plan);
  const shorter = openMinutes(plan.windows) < openMinutes(plan.weeklyWindows);
  const status = shorter ? "shortened" : "open";
  switch (change) {
    case "closes-early":
      return { status, why: `Closes at ${timeInWords(last.close)}: ${reason}` };
    case "opens-late":
      return { status, why: `Opens at ${timeInWords(first.open)}: ${reason}` };
    case "closes-late":
      return { status, why: `Closes late, at ${timeInWords(last.close)}: ${reason}` };
    case "opens-early":
      return { status, why: `Opens early, at ${timeInWords(first.open)}: ${reason}` };
    default:
      return { status, why: `Open ${windowsInWords(plan.windows, "when-needed")}: ${reason}` };
  }
}

function openMinutes(windows: readonly TimeWindow[]): number {
  return windows.reduce((sum, window) => sum + minutesOfDay(window.close) - minutesOfDay(window.open), 0);
}

/** The active override and the instants it covers. */
interface EmergencySpan {
  mode: EmergencyMode;
  message?: string;
  from: DateTime;
  until?: DateTime;
}

function emergencySpan(active: EmergencyOverride | null, now: DateTime, zone: string): EmergencySpan | undefined {
  if (!active) return undefined;
  const setAt = active.setAt === undefined ? undefined : DateTime.fromISO(active.setAt, { setZone: true });
  // Set earlier today, it has shaped today's hours since; a setAt in the future is a clock
  // disagreement between instances, and the override is in force now.
  const from = setAt?.isValid && setAt <= now ? setAt : now;
  const until = active.until === undefined ? undefined : DateTime.fromISO(active.until, { setZone: true }).setZone(zone);
  return {
    mode: active.mode ?? "message",
    ...(active.message !== undefined ? { message: active.message } : {}),
    from: from.setZone(zone),
    ...(until ? { until } : {}),
  };
}

/** The day with the part of it the override covers applied, or as it was when it covers none. */
function withEmergency(day: CalendarDay, span: EmergencySpan, zone: string): CalendarDay {
  const dayStart = DateTime.fromISO(day.date, { zone }).startOf("day");
  const dayEnd = dayStart.plus({ days: 1 }).startOf("day");
  const start = span.from > dayStart ? span.from : dayStart;
  const end = span.until && span.until < dayEnd ? span.until : dayEnd;
  if (end <= start) return day;
  const covered = Interval.fromDateTimes(start, end);

  const scheduled = windowIntervals(zone, day.date, day.windows);
  const open =
    span.mode === "closed"
      ? scheduled.flatMap((interval) => interval.difference(covered))
      : span.mode === "open"
        ? Interval.merge([...scheduled, covered])
        : scheduled;
  const windows = open.map((interval) => localWindow(interval, dayEnd));
  const endsToday = span.until !== undefined && span.until < dayEnd;
  const said = EMERGENCY_WORDS[span.mode] + (endsToday ? ` until ${timeInWords(span.until!.toFormat("HH:mm"))}` : "");
  return {
    ...day,
    open: windows.length > 0,
    windows,
    status: "emergency",
    why: day.status === "open" ? said : `${said}; ${day.why}`,
    emergency: {
      mode: span.mode,
      ...(span.message !== undefined ? { message: span.message } : {}),
      covers: localWindow(covered, dayEnd),
      ...(span.until ? { until: span.until } : {}),
    },
  };
}

const EMERGENCY_WORDS: Record<EmergencyMode, string> = {
  closed: "Closed by emergency",
  open: "Kept open by emergency",
  message: "Emergency message on",
};

/** An interval within one local day as `HH:mm` times, its end at midnight written `24:00`. */
function localWindow(interval: Interval, dayEnd: DateTime): TimeWindow {
  const start = interval.start!.setZone(dayEnd.zone);
  const end = interval.end!.setZone(dayEnd.zone);
  return { open: start.toFormat("HH:mm"), close: end.toMillis() >= dayEnd.toMillis() ? "24:00" : end.toFormat("HH:mm") };
}

function capitalized(word: string): string {
  return `${word[0]!.toUpperCase()}${word.slice(1)}`;
}
