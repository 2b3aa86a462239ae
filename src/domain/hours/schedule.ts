import type { Weekday } from "./calendar.js";
import { dayChange, planDays, type DayChange, type DayPlan, type TimeWindow } from "./day-plan.js";
import type { Hours } from "./schema.js";

/** One local day's hours, for a table a supervisor reads or a console shows. */
export interface DaySchedule {
  /** The local date, `yyyy-MM-dd`. */
  date: string;
  weekday: Weekday;
  /** Whether the line is open at any time that day. */
  open: boolean;
  /** When it is open, earliest first, as `HH:mm` local times; empty when closed all day. */
  windows: TimeWindow[];
  /** Why it is closed or its hours are changed: a holiday's name, "weekend", a closure's reason. */
  reason?: string;
  /** On a day with a dated entry, how it differs from the usual hours ("closes-early"). */
  change?: DayChange;
}

/**
 * The line's hours for `days` consecutive local dates starting at `fromDate`.
 *
 * @throws RangeError when `fromDate` is not a `yyyy-MM-dd` date or `days` is not a whole number >= 0
 * @example schedule(hours, "2026-12-24", 2) // [{ date: "2026-12-24", ..., windows: [{ open: "08:00", close: "12:00" }], reason: "Christmas Eve", change: "closes-early" }, { date: "2026-12-25", open: false, ..., reason: "Christmas Day" }]
 */
export function schedule(hours: Hours, fromDate: string, days: number): DaySchedule[] {
  return planDays(hours, fromDate, days).map((plan) => {
    const reason = reasonFor(plan);
    const day = { date: plan.date, weekday: plan.weekday, open: plan.windows.length > 0, windows: plan.windows };
    return {
      ...day,
      ...(reason === undefined ? {} : { reason }),
      ...(plan.closure ? { change: dayChange(plan) } : {}),
    };
  });
}

function reasonFor(plan: DayPlan): string | undefined {
  if (plan.closure) return plan.closure.reason;
  if (plan.holidays.length > 0) {
    return plan.holidays.map((holiday) => (holiday.actual ? `${holiday.name}, observed` : holiday.name)).join(" and ");
  }
  if (plan.windows.length === 0) return closedDayReason(plan.weekday);
  return undefined;
}

/** Why a day without a holiday or closure has no hours: people expect weekends; other days are a choice. */
export function closedDayReason(weekday: Weekday): string {
  return weekday === "saturday" || weekday === "sunday" ? "weekend" : "no regular hours";
}
