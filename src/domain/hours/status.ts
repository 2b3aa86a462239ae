import { DateTime, type Interval } from "luxon";
import { openIntervals, planDays, windowIntervals, type DayPlan } from "./day-plan.js";
import { activeOverride, type EmergencyOverride } from "./override.js";
import { closedDayReason } from "./schedule.js";
import type { Hours } from "./schema.js";

/** Which way a call goes: the flow has a branch for each. */
export type LineBranch = "open" | "closed" | "holiday" | "emergency";

/** Whether the line is open at a moment, why, and when that changes. */
export interface LineStatus {
  branch: LineBranch;
  /** True only for branch "open". */
  open: boolean;
  /** A few words for people: "open", "after hours", "weekend", "Christmas Day", "closed by supervisor", "closure: <reason>". */
  reason: string;
  /** The holiday's name when branch is "holiday". */
  holiday?: string;
  /** When open: when this stretch of opening ends, in the hours' zone. */
  closesAt?: DateTime;
  /** When not open: the next opening, in the hours' zone, if there is one within about a month. */
  opensAt?: DateTime;
}

/** How far ahead to look for the next opening or closing. */
const HORIZON_DAYS = 31;

/**
 * Whether the 311 line is open at `now`. A supervisor's active override wins (`closed` ->
 * "emergency", `open` -> "open"); otherwise a dated closure, then a holiday, then the weekly
 * hours decide. Windows are [open, close): at 16:29:59 the line is open, at 16:30:00 closed.
 *
 * @param now - any instant, in any zone; the hours' own zone decides what local time it is
 * @throws RangeError when `now` is an invalid DateTime
 * @example lineStatus(hours, DateTime.fromISO("2026-12-25T10:00", { zone: "America/Edmonton" })) // { branch: "holiday", open: false, reason: "Christmas Day", holiday: "Christmas Day", opensAt: ... }
 */
export function lineStatus(hours: Hours, now: DateTime, override?: EmergencyOverride | null): LineStatus {
  if (!now.isValid) throw new RangeError(`now is not a valid time: ${now.invalidExplanation ?? now.invalidReason ?? "unknown"}`);
  const local = now.setZone(hours.zone);
  const { plans, opening, horizon } = outlook(hours, local.toFormat("yyyy-MM-dd"));
  const today = plans[0]!;
  const forced = activeOverride(override, now);
  const until = forced?.until === undefined ? undefined : DateTime.fromISO(forced.until).setZone(hours.zone);

  if (forced?.mode === "closed") {
    // Closed until the supervisor says otherwise: with an end, the first scheduled opening after it.
    const opensAt = until ? openingAtOrAfter(opening, until) : undefined;
    return withTimes({ branch: "emergency", open: false, reason: "closed by supervisor" }, { opensAt });
  }
  if (forced?.mode === "open") {
    const closesAt = until ? (openingContaining(opening, until)?.end ?? until) : undefined;
    return withTimes({ branch: "open", open: true, reason: "opened by supervisor" }, { closesAt: beforeHorizon(closesAt, horizon) });
  }

  const current = openingContaining(opening, local);
  if (current) return withTimes({ branch: "open", open: true, reason: "open" }, { closesAt: beforeHorizon(current.end ?? undefined, horizon) });
  return withTimes(closedStatus(hours, today, local), { opensAt: openingAtOrAfter(opening, local) });
}

interface Outlook {
  date: string;
  plans: DayPlan[];
  opening: Interval[];
  horizon: DateTime;
}

/**
 * The last outlook computed for each hours document. Planning a month of days costs about two
 * milliseconds and every call asks for today's, so it is kept until the date changes. Keyed by
 * the (immutable) document itself: a new version of the hours is planned afresh.
 */
const outlooks = new WeakMap<Hours, Outlook>();

/** The days from `date` to the horizon, and when the line is open over them. */
function outlook(hours: Hours, date: string): Outlook {
  const cached = outlooks.get(hours);
  if (cached?.date === date) return cached;
  const plans = planDays(hours, date, HORIZON_DAYS + 1);
  const computed = {
    date,
    plans,
    opening: openIntervals(hours.zone, plans),
    horizon: DateTime.fromISO(plans[plans.length - 1]!.date, { zone: hours.zone }).plus({ days: 1 }),
  };
  outlooks.set(hours, computed);
  return computed;
}

/** Why the line is closed at `local` on `today`, once it is known not to be open. */
function closedStatus(hours: Hours, today: DayPlan, local: DateTime): LineStatus {
  if (today.closure) {
    // A closure explains the closing only when the line would otherwise be open now; before a
    // shortened day opens, it is simply after hours.
    const wouldBeOpen =
      today.holidays.length === 0 &&
      windowIntervals(hours.zone, today.date, today.weeklyWindows).some((interval) => interval.contains(local));
    if (today.windows.length === 0 || wouldBeOpen) return { branch: "closed", open: false, reason: `closure: ${today.closure.reason}` };
  }
  if (today.holidays.length > 0) {
    const name = today.holidays.map((holiday) => holiday.name).join(" and ");
    return { branch: "holiday", open: false, reason: name, holiday: name };
  }
  if (today.weeklyWindows.length === 0) return { branch: "closed", open: false, reason: closedDayReason(today.weekday) };
  return { branch: "closed", open: false, reason: "after hours" };
}

function openingContaining(opening: readonly Interval[], moment: DateTime): Interval | undefined {
  return opening.find((interval) => interval.contains(moment));
}

/** The first moment at or after `moment` when the line is open. */
function openingAtOrAfter(opening: readonly Interval[], moment: DateTime): DateTime | undefined {
  if (openingContaining(opening, moment)) return moment;
  return opening.find((interval) => interval.start !== null && interval.start > moment)?.start ?? undefined;
}

/** An opening that runs to the end of the search did not end there: say nothing rather than a wrong time. */
function beforeHorizon(moment: DateTime | undefined, horizon: DateTime): DateTime | undefined {
  return moment && moment < horizon ? moment : undefined;
}

/** Adds the times that are known, leaving out the ones that are not (rather than setting them undefined). */
function withTimes(status: LineStatus, times: { opensAt?: DateTime | undefined; closesAt?: DateTime | undefined }): LineStatus {
  return {
    ...status,
    ...(times.opensAt ? { opensAt: times.opensAt } : {}),
    ...(times.closesAt ? { closesAt: times.closesAt } : {}),
  };
}
