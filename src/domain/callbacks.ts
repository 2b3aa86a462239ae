/**
 * The callback worklist: every voicemail is a promise that someone calls back, within one
 * business day. Pure: the hours and the current time come in as arguments.
 */
import { DateTime } from "luxon";
import { dayPlansFrom, windowIntervals } from "./hours/day-plan.js";
import type { Hours } from "./hours/schema.js";
import { CALLBACK_SERVICE, type ServiceRequest } from "./records.js";

/** How far ahead a due time is looked for: a line with no business day in a year has no due time. */
const SEARCH_DAYS = 366;

/**
 * When a callback left at `requestedAt` is due: at the close of the first business day that
 * begins after it was left. A voicemail left on Monday at 10:00 is due by Tuesday's close; one left
 * on Friday evening, or on Saturday, by Monday's close (Tuesday's when Monday is a holiday); one
 * left before the line opens, by that same day's close. Business days are the days the hours
 * open at all (weekly hours, holidays and dated closures as the hours say); an emergency override
 * does not move the promise. Null when the hours open on no day within a year.
 *
 * @example callbackDueBy(hours, DateTime.fromISO("2026-12-04T17:00", { zone: "America/Edmonton" })) // Mon 7 Dec 16:30
 */
export function callbackDueBy(hours: Hours, requestedAt: DateTime): DateTime | null {
  const local = requestedAt.setZone(hours.zone);
  let days = 0;
  for (const plan of dayPlansFrom(hours, local.toISODate()!)) {
    if (++days > SEARCH_DAYS) return null;
    const intervals = windowIntervals(hours.zone, plan.date, plan.windows);
    if (intervals.length === 0 || intervals[0]!.start! <= local) continue;
    return intervals.at(-1)!.end!.setZone(hours.zone);
  }
  return null;
}

/** One open callback as the worklist shows it. */
export interface CallbackItem {
  request: ServiceRequest;
  /** When it was left, in the City's zone. */
  requestedAt: DateTime;
  /** By when someone should have called back; null when the hours have no business day ahead. */
  dueBy: DateTime | null;
  /** More than one business day old: the due time has passed. */
  overdue: boolean;
}

/**
 * The open callbacks, oldest first, each with its due time and whether it is overdue at `now`.
 * Requests of other services, and closed ones, are left out.
 */
export function callbackWorklist(requests: readonly ServiceRequest[], hours: Hours, now: DateTime): CallbackItem[] {
  return requests
    .filter((request) => request.service === CALLBACK_SERVICE && request.status !== "closed")
    .map((request) => {
      const requestedAt = DateTime.fromISO(request.requestedAt, { zone: hours.zone });
      const dueBy = callbackDueBy(hours, requestedAt);
      return { request, requestedAt, dueBy, overdue: dueBy !== null && now > dueBy };
    })
    .sort((a, b) => a.requestedAt.toMillis() - b.requestedAt.toMillis() || a.request.reference.localeCompare(b.request.reference));
}

/** What a business-day flag means, in the words the worklist and the reports use. */
export const OVERDUE_DEFINITION =
  "Overdue: nobody has closed it by the close of the first business day that began after it was left (a voicemail left on Friday evening is due by Monday's close).";
