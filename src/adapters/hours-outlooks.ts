import type { DateTime } from "luxon";
import { hoursOutlook, type Hours, type HoursOutlook } from "../domain/hours/index.js";

/**
 * Keeps today's hours outlook for the web role, so that the hours check on every call reads a
 * month of planned days instead of planning them (a couple of milliseconds, against a few
 * microseconds). It holds one outlook: worked out again when the City's date changes or a new
 * version of the hours is served. Only this process's memory: nothing another instance needs.
 *
 * @example
 * const outlooks = new HoursOutlooks();
 * step(flow, call, reply, { now, hours, override, outlook: outlooks.at(hours, now) });
 */
export class HoursOutlooks {
  private last: HoursOutlook | undefined;

  /** The outlook from the local date of `now` in the hours' zone. */
  at(hours: Hours, now: DateTime): HoursOutlook {
    const date = now.setZone(hours.zone).toISODate();
    if (date === null) throw new RangeError(`now is not a valid time: ${now.invalidExplanation ?? now.invalidReason ?? "unknown"}`);
    if (this.last?.hours !== hours || this.last.date !== date) this.last = hoursOutlook(hours, date);
    return this.last;
  }
}
