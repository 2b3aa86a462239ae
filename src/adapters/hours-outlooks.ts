import { DateTime } from "luxon";
import { hoursOutlook, lineStatus, type EmergencyOverride, type Hours, type HoursOutlook, type LineStatus } from "../domain/hours/index.js";

const MINUTE_MS = 60_000;

/**
 * Keeps today's hours outlook for the web role, so that the hours check on every call reads a
 * month of planned days instead of planning them (a couple of milliseconds, against a few
 * microseconds), and the line's status for the current minute, so that it is worked out once a
 * minute rather than on every call. Each is worked out again when its minute or the City's date
 * changes, or for another version of the hours or another override. Only this process's memory:
 * nothing another instance needs.
 *
 * @example
 * const outlooks = new HoursOutlooks();
 * step(flow, call, reply, { now, hours, override, status: outlooks.status(hours, now, override) });
 */
export class HoursOutlooks {
  private last: HoursOutlook | undefined;
  private lastStatus: { hours: Hours; override: EmergencyOverride | null; minute: number; status: LineStatus } | undefined;

  /** The outlook from the local date of `now` in the hours' zone. */
  at(hours: Hours, now: DateTime): HoursOutlook {
    const date = now.setZone(hours.zone).toISODate();
    if (date === null) throw new RangeError(`now is not a valid time: ${now.invalidExplanation ?? now.invalidReason ?? "unknown"}`);
    if (this.last?.hours !== hours || this.last.date !== date) this.last = hoursOutlook(hours, date);
    return this.last;
  }

  /**
   * `lineStatus(hours, now, override)`, the same all minute. Hours open and close on the minute
   * (`HH:mm`), and whether an override is still in force is the caller's to say: pass the override
   * `activeOverride` gives for `now`, so one that ends mid-minute stops counting at once.
   *
   * @throws RangeError when `now` is an invalid DateTime
   */
  status(hours: Hours, now: DateTime, override: EmergencyOverride | null): LineStatus {
    const minute = Math.floor(now.toMillis() / MINUTE_MS);
    const last = this.lastStatus;
    if (last?.hours === hours && last.override === override && last.minute === minute) return last.status;
    // Worked out at the minute's start, so every call in the minute hears the same.
    const start = DateTime.fromMillis(minute * MINUTE_MS, { zone: now.zone });
    const status = lineStatus(hours, start, override, this.at(hours, start));
    this.lastStatus = { hours, override, minute, status };
    return status;
  }
}
