import { DateTime, type Interval } from "luxon";
import { dayPlansFrom, openingsOver, planDays, windowIntervals, type DayPlan, type TimeWindow } from "./day-plan.js";
import { activeOverride, type EmergencyOverride } from "./override.js";
import { closedDayReason } from "./schedule.js";
import type { Hours } from "./schema.js";

/** Which way a call goes: the flow has a branch for each. */
export type LineBranch = "open" | "closed" | "holiday" | "emergency";

/**
 * Why the line is closed now, when there is more to it than an ordinary evening or weekend: what
 * a caller should be told. A closure says where `now` falls in its day: before the day's changed
 * hours begin (`opens-later`), after they ended (`closed-earlier`), or on a day closed throughout.
 */
export type ClosedWhy =
  | { kind: "holiday"; names: string[] }
  | { kind: "closure"; reason: string; when: "all-day" | "opens-later" | "closed-earlier" | "between"; windows: TimeWindow[] }
  | { kind: "emergency" };

/** Whether the line is open at a moment, why, and when that changes. */
export interface LineStatus {
  branch: LineBranch;
  /** True only for branch "open". */
  open: boolean;
  /** A few words for people: "open", "after hours", "weekend", "Christmas Day", "closed by supervisor", "closure: <reason>". */
  reason: string;
  /** What a caller should be told about why the line is closed now; absent on ordinary evenings and weekends. */
  why?: ClosedWhy;
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
 * What `lineStatus` works out about the days from one local date on: the plans of the days to the
 * horizon and when the line is open over them. It depends only on the hours and the date, so the
 * shell may work it out once a day and pass it in (see `HoursOutlooks`); planning a month takes a
 * couple of milliseconds, against microseconds to read it.
 */
export interface HoursOutlook {
  /** The hours document it was worked out from: an outlook is used only with the very same one. */
  readonly hours: Hours;
  /** The local date it starts on, `yyyy-MM-dd`. */
  readonly date: string;
  readonly plans: readonly DayPlan[];
  /** When the line is open from that date to the horizon, earliest first, touching windows joined. */
  readonly openings: readonly Interval[];
  /** Where the outlook ends: an opening that runs to it has no known end. */
  readonly horizon: DateTime;
}

/**
 * `lineStatus` for one minute, one version of the hours and one override: the same all that
 * minute, since hours open and close on the minute (`HH:mm`), so the shell may work it out once a
 * minute and pass it in (see `HoursOutlooks.status`). It is used only for the very hours and
 * override it was worked out with, in that minute.
 */
export interface MinuteStatus {
  readonly hours: Hours;
  readonly override: EmergencyOverride | null;
  /** Whole minutes since 1970-01-01T00:00Z: {@link minuteOf}. */
  readonly minute: number;
  readonly status: LineStatus;
}

/** The minute an instant falls in, as {@link MinuteStatus} counts them. */
export function minuteOf(now: DateTime): number {
  return Math.floor(now.toMillis() / 60_000);
}

/**
 * `lineStatus(hours, now, override, outlook)`, read from `known` when it was worked out for these
 * hours and this override in the minute of `now`, worked out otherwise.
 */
export function lineStatusWith(known: MinuteStatus | undefined, hours: Hours, now: DateTime, override: EmergencyOverride | null, outlook?: HoursOutlook): LineStatus {
  if (known && known.hours === hours && known.override === override && known.minute === minuteOf(now)) return known.status;
  return lineStatus(hours, now, override, outlook);
}

/**
 * The outlook from a local date: every day to the horizon, planned. Pure.
 *
 * @throws RangeError when `date` is not a `yyyy-MM-dd` date
 */
export function hoursOutlook(hours: Hours, date: string): HoursOutlook {
  const plans = planDays(hours, date, HORIZON_DAYS + 1);
  return { hours, date, plans, openings: [...openingsOver(hours.zone, plans)], horizon: horizonFrom(hours, date) };
}

function horizonFrom(hours: Hours, date: string): DateTime {
  return DateTime.fromISO(date, { zone: hours.zone }).plus({ days: HORIZON_DAYS + 1 });
}

/**
 * Whether the 311 line is open at `now`. A supervisor's active override wins (`closed` ->
 * "emergency", `open` -> "open"); otherwise a dated closure, then a holiday, then the weekly
 * hours decide. Windows are [open, close): at 16:29:59 the line is open, at 16:30:00 closed.
 *
 * Without an outlook, days are planned one at a time, only as far as the current opening's end or
 * the next opening's start (usually today and tomorrow): a few hundred microseconds. With the
 * outlook for today (the webhook passes one in), it only reads.
 *
 * @param now - any instant, in any zone; the hours' own zone decides what local time it is
 * @param outlook - `hoursOutlook(hours, today)`, worked out beforehand; ignored unless it is for
 *   these very hours and the local date of `now`
 * @throws RangeError when `now` is an invalid DateTime
 * @example lineStatus(hours, DateTime.fromISO("2026-12-25T10:00", { zone: "America/Edmonton" })) // { branch: "holiday", open: false, reason: "Christmas Day", holiday: "Christmas Day", why: { kind: "holiday", names: ["Christmas Day"] }, opensAt: ... }
 */
export function lineStatus(hours: Hours, now: DateTime, override?: EmergencyOverride | null, outlook?: HoursOutlook): LineStatus {
  if (!now.isValid) throw new RangeError(`now is not a valid time: ${now.invalidExplanation ?? now.invalidReason ?? "unknown"}`);
  const local = now.setZone(hours.zone);
  const date = local.toISODate()!;
  let today: DayPlan;
  let openings: () => Iterable<Interval>;
  let horizon: DateTime;
  if (outlook && outlook.hours === hours && outlook.date === date) {
    today = outlook.plans[0]!;
    openings = () => outlook.openings;
    horizon = outlook.horizon;
  } else {
    const days = dayPlansFrom(hours, date);
    const first = days.next().value;
    today = first;
    openings = () => openingsOver(hours.zone, upTo(HORIZON_DAYS, first, days));
    horizon = horizonFrom(hours, date);
  }
  const forced = activeOverride(override, now);
  const until = forced?.until === undefined ? undefined : DateTime.fromISO(forced.until).setZone(hours.zone);

  if (forced?.mode === "closed") {
    // Closed until the supervisor says otherwise: with an end, the first scheduled opening after it.
    const next = until ? openingEndingAfter(openings(), until) : undefined;
    const opensAt = next && until ? (next.start! > until ? next.start! : until) : undefined;
    return withTimes({ branch: "emergency", open: false, reason: "closed by supervisor", why: { kind: "emergency" } }, { opensAt });
  }
  if (forced?.mode === "open") {
    // activeOverride keeps an open override only when it names its end.
    const around = until ? openingEndingAfter(openings(), until) : undefined;
    const closesAt = until && around && around.start! <= until ? around.end! : until;
    return withTimes({ branch: "open", open: true, reason: "opened by supervisor" }, { closesAt: beforeHorizon(closesAt, horizon) });
  }

  const next = openingEndingAfter(openings(), local);
  if (next && next.start! <= local) {
    return withTimes({ branch: "open", open: true, reason: "open" }, { closesAt: beforeHorizon(next.end!, horizon) });
  }
  return withTimes(closedStatus(hours, today, local), { opensAt: next?.start ?? undefined });
}

/** `first`, then up to `more` further plans from `rest`. */
function* upTo(more: number, first: DayPlan, rest: Iterator<DayPlan>): Generator<DayPlan> {
  yield first;
  for (let taken = 0; taken < more; taken++) yield rest.next().value;
}

/** The first opening that has not ended by `moment`: the one it falls in, or else the next. */
function openingEndingAfter(openings: Iterable<Interval>, moment: DateTime): Interval | undefined {
  for (const opening of openings) if (opening.end! > moment) return opening;
  return undefined;
}

/** Why the line is closed at `local` on `today`, once it is known not to be open. */
function closedStatus(hours: Hours, today: DayPlan, local: DateTime): LineStatus {
  if (today.closure) {
    // A closure explains the closing only when the line would otherwise be open now; before a
    // shortened day opens, or after its usual closing time, it is simply after hours.
    const wouldBeOpen =
      today.holidays.length === 0 &&
      windowIntervals(hours.zone, today.date, today.weeklyWindows).some((interval) => interval.contains(local));
    if (today.windows.length === 0 || wouldBeOpen) {
      return {
        branch: "closed",
        open: false,
        reason: `closure: ${today.closure.reason}`,
        why: { kind: "closure", reason: today.closure.reason, when: whereInTheDay(hours.zone, today, local), windows: today.windows },
      };
    }
  }
  if (today.holidays.length > 0) {
    const names = today.holidays.map((holiday) => holiday.name);
    const name = names.join(" and ");
    return { branch: "holiday", open: false, reason: name, holiday: name, why: { kind: "holiday", names } };
  }
  if (today.weeklyWindows.length === 0) return { branch: "closed", open: false, reason: closedDayReason(today.weekday) };
  return { branch: "closed", open: false, reason: "after hours" };
}

/** Where a closed moment falls among a changed day's hours. */
function whereInTheDay(zone: string, today: DayPlan, local: DateTime): "all-day" | "opens-later" | "closed-earlier" | "between" {
  const intervals = windowIntervals(zone, today.date, today.windows);
  if (intervals.length === 0) return "all-day";
  if (local < intervals[0]!.start!) return "opens-later";
  if (local >= intervals.at(-1)!.end!) return "closed-earlier";
  return "between";
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
