import { DateTime } from "luxon";
import { hoursOutlook, lineStatus, minuteOf, type EmergencyOverride, type Hours, type HoursOutlook, type MinuteStatus } from "../domain/hours/index.js";

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
 * step(flow, call, reply, { now, hours, override, minuteStatus: outlooks.status(hours, now, override) });
 */
export class HoursOutlooks {
  private last: HoursOutlook | undefined;
  private lastStatus: MinuteStatus | undefined;

  /** The outlook from the local date of `now` in the hours' zone. */
  at(hours: Hours, now: DateTime): HoursOutlook {
    const date = now.setZone(hours.zone).toISODate();
    if (date === null) throw new RangeError(`now is not a valid time: ${now.invalidExplanation ?? now.invalidReason ?? "unknown"}`);
    if (this.last?.hours !== hours || this.last.date !== date) this.last = hoursOutlook(hours, date);
    return this.last;
  }

  /**
   * `lineStatus(hours, now, override)` for the minute of `now`, the same all minute (see
   * `MinuteStatus`). Whether an override is still in force is the caller's to say: pass the
   * override `activeOverride` gives for `now`, so one that ends mid-minute stops counting at once.
   *
   * @throws RangeError when `now` is an invalid DateTime
   */
  status(hours: Hours, now: DateTime, override: EmergencyOverride | null): MinuteStatus {
    const minute = minuteOf(now);
    const last = this.lastStatus;
    if (last?.hours === hours && last.override === override && last.minute === minute) return last;
    // Worked out at the minute's start, so every call in the minute hears the same.
    const start = DateTime.fromMillis(minute * MINUTE_MS, { zone: now.zone });
    this.lastStatus = { hours, override, minute, status: lineStatus(hours, start, override, this.at(hours, start)) };
    return this.lastStatus;
  }
}
