import { DateTime } from "luxon";
import { z } from "zod";
import { minutesOfDay, weekdayOf, type Month, type Weekday } from "./calendar.js";
import { weeklyWindowsOn } from "./day-plan.js";
import {
  closeAfterOpen,
  closingTime,
  dayExistsEveryYear,
  dayOfMonth,
  isoDate,
  month,
  openingTime,
  quoted,
  text,
  weekday,
  zone,
} from "./fields.js";

/*
 * The hours file is data a supervisor edits by hand, so the schema is strict (an unknown or
 * misspelled field is refused rather than ignored) and has no transforms: what is parsed is
 * exactly what was written, so the console can show it, edit it and write it back unchanged.
 * Every check that can be made locally is made where the value sits, so one bad window does
 * not hide the problems in the rest of the file.
 */

/** A regular opening window: on each of `days`, open from `open` until just before `close`. */
export interface WeeklyHours {
  days: Weekday[];
  /** Local time the line opens, `HH:mm` (24-hour). */
  open: string;
  /** Local time the line closes, `HH:mm`; `24:00` for midnight. The window is [open, close). */
  close: string;
}

/** How a fixed-date holiday that falls on a Saturday or Sunday is made up on a weekday. */
export type ObservedRule = "following-weekday" | "nearest-weekday";
export const OBSERVED_RULES = ["following-weekday", "nearest-weekday"] as const satisfies readonly ObservedRule[];

interface HolidayRuleBase {
  /** What callers and supervisors hear: "Christmas Day". */
  name: string;
  /** The first year the City closes for it, when it has not always done so. */
  since?: number;
}

/**
 * The same date every year. With `observed`, a Saturday or Sunday date closes a weekday instead:
 * `following-weekday` moves it to the next weekday that is not already a holiday (Christmas on
 * Saturday -> Monday, then Boxing Day on Sunday -> Tuesday); `nearest-weekday` moves Saturday to
 * Friday and Sunday to Monday. Without `observed`, the holiday stays on its date.
 */
export interface FixedDateHoliday extends HolidayRuleBase {
  kind: "fixed";
  month: Month;
  day: number;
  observed?: ObservedRule;
}

/** The nth weekday of a month, e.g. Family Day, the third Monday of February. */
export interface NthWeekdayHoliday extends HolidayRuleBase {
  kind: "nth-weekday";
  nth: 1 | 2 | 3 | 4 | "last";
  weekday: Weekday;
  month: Month;
}

/** Days from (Gregorian) Easter Sunday: Good Friday is `offset: -2`, Easter Monday `offset: 1`. */
export interface EasterHoliday extends HolidayRuleBase {
  kind: "easter";
  offset: number;
}

/**
 * The last `weekday` strictly before a date: Victoria Day is the Monday before 25 May, so the
 * last Monday on or before 24 May.
 */
export interface WeekdayBeforeHoliday extends HolidayRuleBase {
  kind: "weekday-before";
  weekday: Weekday;
  month: Month;
  day: number;
}

/** A rule that names one day a year on which the City is closed. */
export type HolidayRule = FixedDateHoliday | NthWeekdayHoliday | EasterHoliday | WeekdayBeforeHoliday;
export const HOLIDAY_KINDS = ["fixed", "nth-weekday", "easter", "weekday-before"] as const satisfies readonly HolidayRule["kind"][];

/**
 * One dated exception to the rules, written the way supervisors say it. With no times the line is
 * closed all that day. `closes` alone: the usual hours, ending then ("closes at noon on Christmas
 * Eve"). `opens` alone: the usual hours, starting then ("opens at ten after the staff meeting").
 * Both: the line is open from `opens` to `closes` that day, whatever its usual hours (opening a
 * Saturday). A dated entry wins over the weekly hours and over a holiday rule.
 *
 * The older spelling, `open` and `close` together, means the same as `opens` and `closes` together.
 */
export interface Closure {
  /** The local date, `yyyy-MM-dd`. */
  date: string;
  /** Why, in words that follow "closed today for": "Christmas Eve", "staff training". */
  reason: string;
  /** When the line opens that day, `HH:mm`, if not at its usual time. */
  opens?: string;
  /** When the line closes that day, `HH:mm` (`24:00` for midnight), if not at its usual time. */
  closes?: string;
  /** The older spelling of `opens`, accepted only with `close`. */
  open?: string;
  /** The older spelling of `closes`, accepted only with `open`. */
  close?: string;
}

/** The whole `hours.yaml` document: when the 311 line is answered by agents. */
export interface Hours {
  /** IANA time zone every local time in the file is in: `America/Edmonton`. */
  zone: string;
  /** The regular week. A day no entry names is closed all day. */
  weekly: WeeklyHours[];
  holidays: HolidayRule[];
  closures: Closure[];
  /** The hours as callers hear them: "Monday to Friday, 8 a.m. to 4:30 p.m., except City holidays". */
  summary: string;
}

const weeklyHours = z
  .strictObject({
    days: z
      .array(weekday, { error: "days must be a list of weekdays, e.g. [monday, tuesday]" })
      .min(1, { error: "days is empty" }),
    open: openingTime,
    close: closingTime,
  })
  .superRefine(closeAfterOpen);

/** Refuses two entries that open the line on the same day at overlapping times: one of them is a mistake. */
function noOverlappingWindows(weekly: WeeklyHours[], ctx: z.RefinementCtx): void {
  weekly.forEach((later, laterIndex) => {
    weekly.slice(0, laterIndex).forEach((earlier, earlierIndex) => {
      const sharedDay = later.days.find((day) => earlier.days.includes(day));
      const overlaps =
        minutesOfDay(later.open) < minutesOfDay(earlier.close) && minutesOfDay(earlier.open) < minutesOfDay(later.close);
      if (sharedDay && overlaps) {
        ctx.addIssue({
          code: "custom",
          path: [laterIndex],
          message: `overlaps weekly[${earlierIndex}] on ${sharedDay} (${earlier.open}–${earlier.close})`,
          params: { hint: "give each day's windows separate times, or merge them into one window" },
        });
      }
    });
  });
}

const ruleName = text("name", 100);
const SINCE_MESSAGE = "since must be a year, e.g. 2021";
const since = z.int({ error: SINCE_MESSAGE }).min(1900, { error: SINCE_MESSAGE }).max(2200, { error: SINCE_MESSAGE }).optional();

const fixedDateHoliday = z
  .strictObject({
    kind: z.literal("fixed"),
    name: ruleName,
    month,
    day: dayOfMonth,
    observed: z
      .enum(OBSERVED_RULES, { error: (issue) => `unknown observed rule ${quoted(issue.input)}` })
      .optional(),
    since,
  })
  .superRefine(dayExistsEveryYear);

const nthWeekdayHoliday = z.strictObject({
  kind: z.literal("nth-weekday"),
  name: ruleName,
  nth: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal("last")], {
    error: (issue) => `nth must be 1, 2, 3, 4 or last, not ${quoted(issue.input)}`,
  }),
  weekday,
  month,
  since,
});

const EASTER_OFFSET_MESSAGE = "offset must be a whole number of days from Easter Sunday, -100 to 100, e.g. -2 for Good Friday";
const easterHoliday = z.strictObject({
  kind: z.literal("easter"),
  name: ruleName,
  offset: z
    .int({ error: EASTER_OFFSET_MESSAGE })
    .min(-100, { error: EASTER_OFFSET_MESSAGE })
    .max(100, { error: EASTER_OFFSET_MESSAGE }),
  since,
});

const weekdayBeforeHoliday = z
  .strictObject({
    kind: z.literal("weekday-before"),
    name: ruleName,
    weekday,
    month,
    day: dayOfMonth,
    since,
  })
  .superRefine(dayExistsEveryYear);

const holidayRule = z.discriminatedUnion("kind", [fixedDateHoliday, nthWeekdayHoliday, easterHoliday, weekdayBeforeHoliday]);

const CLOSURE_TIMES_HINT = 'write closes: "12:00" to close early, opens: "10:00" to open late, both for other hours, or neither to close all day';

const closure = z
  .strictObject({
    date: isoDate,
    reason: text("reason", 200),
    opens: openingTime.optional(),
    closes: closingTime.optional(),
    open: openingTime.optional(),
    close: closingTime.optional(),
  })
  .superRefine((entry, ctx) => {
    const older = entry.open !== undefined || entry.close !== undefined;
    const newer = entry.opens !== undefined || entry.closes !== undefined;
    if (older && newer) {
      ctx.addIssue({
        code: "custom",
        path: [entry.open !== undefined ? "open" : "close"],
        message: "mixes open/close with opens/closes",
        params: { hint: "use opens and closes only; open and close are their older spelling" },
      });
      return;
    }
    if (older && (entry.open === undefined) !== (entry.close === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [entry.open === undefined ? "open" : "close"],
        message: `has ${entry.open === undefined ? "close" : "open"} but no ${entry.open === undefined ? "open" : "close"}`,
        params: { hint: CLOSURE_TIMES_HINT },
      });
    }
    closeAfterOpen(entry, ctx);
    closeAfterOpen({ open: entry.opens, close: entry.closes }, ctx, "closes");
  });

/**
 * A closure that moves only one end of the day needs usual hours to move, and must leave some:
 * `closes: "07:00"` on a day that opens at 08:00 would close it all day without saying so.
 */
function closureTimesFitTheWeek(hours: { weekly: WeeklyHours[]; closures: Closure[] }, ctx: z.RefinementCtx): void {
  hours.closures.forEach((entry, index) => {
    const one = entry.opens === undefined ? (entry.closes === undefined ? undefined : "closes") : entry.closes === undefined ? "opens" : undefined;
    if (!one) return;
    const time = entry[one]!;
    const weekday = weekdayOf(DateTime.fromISO(entry.date, { zone: "utc" }));
    const usual = weeklyWindowsOn(hours, weekday);
    const path = ["closures", index, one];
    if (usual.length === 0) {
      ctx.addIssue({
        code: "custom",
        path,
        message: `${entry.date} is a ${weekday[0]!.toUpperCase()}${weekday.slice(1)}, when the line has no usual hours to ${one === "closes" ? "close early" : "open late"}`,
        params: { hint: "give both opens and closes for the hours it is open that day" },
      });
    } else if (one === "closes" && minutesOfDay(time) <= minutesOfDay(usual[0]!.open)) {
      ctx.addIssue({
        code: "custom",
        path,
        message: `closes at ${time}, before the line opens that day (${usual[0]!.open})`,
        params: { hint: "to close all day, leave out opens and closes" },
      });
    } else if (one === "opens" && minutesOfDay(time) >= minutesOfDay(usual.at(-1)!.close)) {
      ctx.addIssue({
        code: "custom",
        path,
        message: `opens at ${time}, after the line closes that day (${usual.at(-1)!.close})`,
        params: { hint: "to close all day, leave out opens and closes" },
      });
    }
  });
}

/** A date listed twice would leave which entry wins to chance. */
function oneClosurePerDate(closures: Closure[], ctx: z.RefinementCtx): void {
  closures.forEach((entry, index) => {
    const first = closures.findIndex((other) => other.date === entry.date);
    if (first < index) {
      ctx.addIssue({
        code: "custom",
        path: [index, "date"],
        message: `${entry.date} is already listed at closures[${first}]`,
        params: { hint: "keep one entry per date" },
      });
    }
  });
}

const TOP_LEVEL_FIELDS = ["zone", "summary", "weekly", "holidays", "closures"] as const;

const HOLIDAY_FIELDS: Record<HolidayRule["kind"], readonly string[]> = {
  fixed: Object.keys(fixedDateHoliday.shape),
  "nth-weekday": Object.keys(nthWeekdayHoliday.shape),
  easter: Object.keys(easterHoliday.shape),
  "weekday-before": Object.keys(weekdayBeforeHoliday.shape),
};

/**
 * The field names allowed in the object at `path` of an hours document, for suggesting the
 * intended one when a field is misspelled. For a holiday, the fields of the kind it names.
 *
 * @param value - the object at `path`, as written
 */
export function hoursFieldNamesAt(path: readonly PropertyKey[], value: unknown): readonly string[] {
  const [section] = path;
  if (path.length === 0) return TOP_LEVEL_FIELDS;
  if (section === "weekly") return Object.keys(weeklyHours.shape);
  if (section === "closures") return Object.keys(closure.shape);
  if (section === "holidays") {
    const kind = value !== null && typeof value === "object" ? (value as { kind?: unknown }).kind : undefined;
    const known = HOLIDAY_KINDS.find((candidate) => candidate === kind);
    return known ? HOLIDAY_FIELDS[known] : [...new Set(Object.values(HOLIDAY_FIELDS).flat())];
  }
  return [];
}

/**
 * The whole `hours.yaml` document. Use `parseHours` for YAML text; use this directly for a
 * document that is already an object (from the console, or Redis).
 */
export const HoursSchema: z.ZodType<Hours> = z.strictObject(
  {
    zone,
    summary: text("summary", 300),
    weekly: z
      .array(weeklyHours, { error: "weekly must be a list of opening windows" })
      .min(1, { error: "weekly has no opening windows" })
      .superRefine(noOverlappingWindows),
    holidays: z.array(holidayRule, { error: "holidays must be a list of holiday rules" }).default([]),
    closures: z
      .array(closure, { error: "closures must be a list of dated closures" })
      .default([])
      .superRefine(oneClosurePerDate),
  },
  {
    error: (issue) =>
      issue.code === "invalid_type"
        ? `expected the hours document (${TOP_LEVEL_FIELDS.join(", ")}), found ${describeShape(issue.input)}`
        : undefined,
  },
).superRefine(closureTimesFitTheWeek);

function describeShape(value: unknown): string {
  return Array.isArray(value) ? "a list" : quoted(value);
}
