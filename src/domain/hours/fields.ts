import { IANAZone } from "luxon";
import { z } from "zod";
import { didYouMean } from "../validation.js";
import { MONTHS, WEEKDAYS, isClosingTime, isDayOfMonthEveryYear, isIsoDate, isTimeOfDay, minutesOfDay, type Month } from "./calendar.js";

/*
 * The field-level schemas of the hours file. Each names the value as the supervisor wrote it in
 * its message, and carries a fix in `params.hint`, which problems.ts passes on to the Problem.
 */

const TIME_HINT = 'write a 24-hour time like "08:00" or "16:30"';

/** A value as it was written: strings in quotes, anything else as JSON. */
export function quoted(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : String(JSON.stringify(value) ?? value);
}

/** Text people read or hear, trimmed: `what` names the field in the messages. */
export const text = (what: string, max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${what} is missing` : `${what} must be text`) })
    .trim()
    .min(1, { error: `${what} is empty` })
    .max(max, { error: `${what} is longer than ${max} characters` });

/** A time the line opens: `HH:mm`, 00:00 to 23:59. */
export const openingTime = z
  .string({ error: (issue) => `${quoted(issue.input)} is not a time` })
  .refine(isTimeOfDay, { error: (issue) => `${quoted(issue.input)} is not a time`, params: { hint: TIME_HINT } });

/** A time the line closes: `HH:mm`, or `24:00` for midnight at the end of the day. */
export const closingTime = z
  .string({ error: (issue) => `${quoted(issue.input)} is not a time` })
  .refine(isClosingTime, {
    error: (issue) => `${quoted(issue.input)} is not a time`,
    params: { hint: `${TIME_HINT}; "24:00" closes at midnight` },
  });

/** A weekday by its lowercase English name. */
export const weekday = z.enum(WEEKDAYS, { error: (issue) => `unknown weekday ${quoted(issue.input)}` });
/** A month by its lowercase English name. */
export const month = z.enum(MONTHS, { error: (issue) => `unknown month ${quoted(issue.input)}` });

/** A real calendar date, `yyyy-MM-dd`. */
export const isoDate = z
  .string({ error: (issue) => `${quoted(issue.input)} is not a date` })
  .refine(isIsoDate, {
    error: (issue) => `${quoted(issue.input)} is not a date`,
    params: { hint: "write the date as yyyy-MM-dd, e.g. 2026-12-24" },
  });

const notADayOfTheMonth = (issue: { input?: unknown }) => `${quoted(issue.input)} is not a day of the month`;
/** A day of the month, 1 to 31; whether it exists in the month is checked with the month. */
export const dayOfMonth = z.int({ error: notADayOfTheMonth }).min(1, { error: notADayOfTheMonth }).max(31, { error: notADayOfTheMonth });

/** An IANA time zone Luxon knows, with the nearest known name suggested when it is not. */
export const zone = z.string({ error: "zone is missing" }).superRefine((name, ctx) => {
  if (IANAZone.isValidZone(name)) return;
  const suggestion = didYouMean(name, Intl.supportedValuesOf("timeZone"));
  ctx.addIssue({
    code: "custom",
    message: `unknown time zone "${name}"`,
    params: { hint: suggestion ? `did you mean "${suggestion}"?` : 'use an IANA zone name such as "America/Edmonton"' },
  });
});

/** Refuses a window whose close is not after its open, naming the closing field (`close`, or `closes` in a closure). */
export function closeAfterOpen(
  window: { open?: string | undefined; close?: string | undefined },
  ctx: z.RefinementCtx,
  closeField = "close",
): void {
  const { open, close } = window;
  if (open === undefined || close === undefined || !isTimeOfDay(open) || !isClosingTime(close)) return;
  if (minutesOfDay(close) <= minutesOfDay(open)) {
    ctx.addIssue({
      code: "custom",
      path: [closeField],
      message: `closes at ${close}, which is not after it opens at ${open}`,
      params: { hint: 'a window runs from open to close on the same day; "24:00" closes at midnight' },
    });
  }
}

/** Refuses 31 April, and 29 February, which a yearly rule would skip three years in four. */
export function dayExistsEveryYear(rule: { month: Month; day: number }, ctx: z.RefinementCtx): void {
  if (isDayOfMonthEveryYear(rule.month, rule.day)) return;
  ctx.addIssue({
    code: "custom",
    path: ["day"],
    message: `${rule.month} ${rule.day} does not happen every year`,
    params: { hint: "choose a day that exists in that month in every year" },
  });
}

