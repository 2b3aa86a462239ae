import { DateTime } from "luxon";

/** Days of the week as supervisors write them in `hours.yaml`, in Luxon's order (Monday = 1). */
export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Months as supervisors write them in `hours.yaml`, January first. */
export const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
] as const;
export type Month = (typeof MONTHS)[number];

/** The weekday of a Luxon date, by name. */
export function weekdayOf(date: DateTime): Weekday {
  return WEEKDAYS[date.weekday - 1]!;
}

/** Luxon's weekday number (Monday = 1 ... Sunday = 7) for a weekday name. */
export function weekdayNumber(weekday: Weekday): number {
  return WEEKDAYS.indexOf(weekday) + 1;
}

/** The month number (January = 1) for a month name. */
export function monthNumber(month: Month): number {
  return MONTHS.indexOf(month) + 1;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A calendar date in UTC moved by whole days. In UTC every day is 24 hours long, so this is exact;
 * it is Luxon's `plus({ days })` without the general duration handling, which costs about twenty
 * times as much, and every call to the line plans a few days and a year of holidays.
 *
 * @param date - a date at midnight in UTC, as the calendar arithmetic here uses them
 */
export function addDays(date: DateTime, days: number): DateTime {
  return DateTime.fromMillis(date.toMillis() + days * DAY_MS, { zone: "utc" });
}

/** Saturday and Sunday: the days an observed-holiday rule moves a holiday away from. */
export function isWeekend(date: DateTime): boolean {
  return date.weekday >= 6;
}

/**
 * A local time of day, `HH:mm` on a 24-hour clock. `24:00` is allowed as a closing time only,
 * so a window can run to midnight without crossing into the next day.
 */
const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Whether `text` is an opening time (`00:00` to `23:59`). */
export function isTimeOfDay(text: string): boolean {
  return TIME_OF_DAY.test(text);
}

/** Whether `text` is a closing time: an opening time, or `24:00` for midnight at the end of the day. */
export function isClosingTime(text: string): boolean {
  return text === "24:00" || isTimeOfDay(text);
}

/** Minutes after midnight on the wall clock, for comparing times of day: `"16:30"` -> 990. */
export function minutesOfDay(time: string): number {
  const [hours, minutes] = time.split(":");
  return Number(hours) * 60 + Number(minutes);
}

/**
 * The instant a wall-clock time happens on a local date, letting Luxon resolve DST: a time that
 * does not exist (02:30 on a spring-forward day) moves forward, and a time that happens twice
 * takes the zone's first pass. Setting the hour instead of adding minutes keeps 08:00 at 08:00
 * on a day that is 23 or 25 hours long.
 */
export function atTimeOfDay(startOfDay: DateTime, time: string): DateTime {
  if (time === "24:00") return startOfDay.plus({ days: 1 }).startOf("day");
  const minutes = minutesOfDay(time);
  return startOfDay.set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 });
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `text` is a real calendar date written `yyyy-MM-dd` (so `2026-02-30` is not). */
export function isIsoDate(text: string): boolean {
  return ISO_DATE.test(text) && DateTime.fromISO(text, { zone: "utc" }).isValid;
}

/** Whether `day` exists in `month` in every year (so 29 February does not). */
export function isDayOfMonthEveryYear(month: Month, day: number): boolean {
  // 2023 is not a leap year: a day that exists then exists every year.
  const daysInMonth = DateTime.utc(2023, monthNumber(month)).daysInMonth ?? 31;
  return Number.isInteger(day) && day >= 1 && day <= daysInMonth;
}
