import type { DateTime } from "luxon";
import { planDays, windowIntervals } from "../hours/day-plan.js";
import type { Hours } from "../hours/index.js";

/** How far back to look for a business day that has ended: a year and a bit, past any closure a City would make. */
const SEARCH_DAYS = [42, 400] as const;

/**
 * The instant before which an open callback is overdue at `asOf`: the opening of the last
 * business day that had closed before `asOf`. Null when no business day ended in the year before.
 *
 * A callback is due by the close of the first business day that began after it was left
 * (`callbackDueBy`, which the worklist shows), and overdue once that has passed. The due time only
 * moves later as the time it was left does, so one instant splits the overdue from the rest, and
 * the database can count them with one comparison: whatever was left before the last business
 * day that has ended began had that whole day to be called back; whatever was left after it
 * began has had no whole business day yet.
 *
 * @example
 * // Weekdays 08:00-16:30. On Tuesday at 17:00, Tuesday has ended: a voicemail left before Tuesday
 * // 08:00 (Monday evening, the weekend) is overdue; one left at Tuesday 10:00 is due Wednesday 16:30.
 * overdueCutoff(hours, DateTime.fromISO("2026-12-08T17:00", { zone })) // 2026-12-08T08:00-07:00
 */
export function overdueCutoff(hours: Hours, asOf: DateTime): DateTime | null {
  const local = asOf.setZone(hours.zone);
  let searched = 0;
  for (const days of SEARCH_DAYS) {
    const first = local.startOf("day").minus({ days: days - 1 });
    const plans = planDays(hours, first.toISODate()!, days - searched).reverse();
    for (const plan of plans) {
      const openings = windowIntervals(hours.zone, plan.date, plan.windows);
      if (openings.length === 0) continue;
      if (openings.at(-1)!.end! < asOf) return openings[0]!.start!;
    }
    searched = days;
  }
  return null;
}
