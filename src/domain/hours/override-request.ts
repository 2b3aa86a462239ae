import { DateTime } from "luxon";
import { dayPlansFrom, windowIntervals } from "./day-plan.js";
import { EmergencyOverrideToSet, type EmergencyOverride } from "./override.js";
import type { Hours } from "./schema.js";
import { timeInWords } from "./words.js";

/** What a supervisor asked for, as typed: `npm run hours -- emergency set ...`, or a console form. */
export interface OverrideRequest {
  /** `--closed` or `--open`. */
  mode?: "open" | "closed";
  /** `--message`: spoken to every caller after the 9-1-1 sentence. */
  message?: string;
  /** `--until`: a local date and time in the hours' zone (`2026-12-06T08:00`), or one with an offset. */
  until?: string;
  /** `--by`: who set it. */
  setBy?: string;
}

/** A request that cannot be set as it stands; the message says what to change. */
export class OverrideRequestError extends Error {
  override readonly name = "OverrideRequestError";
}

/** The override to store, and anything the supervisor should be told about how it was read. */
export interface PlannedOverride {
  override: EmergencyOverride;
  /** Said back to the supervisor when the request left something to a default: the end of an `--open`. */
  note?: string;
}

/**
 * Turns a supervisor's request into the override to store, at `now`. Refuses an end that is not a
 * time or is already past. An `open` override (which switches the trouble line off) always gets an
 * end: the one asked for, or else today's closing time in the City's hours; on a day with no
 * hours left to close (a weekend, a holiday, an evening after closing) it must be given.
 *
 * @throws OverrideRequestError saying what to change
 * @example planOverride({ mode: "open" }, hours, wednesdayAt2pm).override.until // "2026-12-02T16:30:00.000-07:00"
 */
export function planOverride(request: OverrideRequest, hours: Hours, now: DateTime): PlannedOverride {
  const local = now.setZone(hours.zone);
  if (request.mode === undefined && request.message === undefined) {
    throw new OverrideRequestError("set needs --message, --closed or --open (or several)");
  }

  let until = request.until === undefined ? undefined : endAsked(request.until, hours.zone, local);
  let note: string | undefined;
  if (request.mode === "open" && until === undefined) {
    const closing = closingLaterToday(hours, local);
    if (!closing) {
      const example = local.plus({ hours: 4 }).startOf("hour").toFormat("yyyy-MM-dd'T'HH:mm");
      throw new OverrideRequestError(
        `--open needs --until today: the line has no more scheduled hours on ${local.toFormat("cccc d LLLL")}, ` +
          `so say when the day menu should stop and the trouble line take calls again, e.g. --until ${example}`,
      );
    }
    until = closing;
    note = `The day menu stays on until today's closing time, ${timeInWords(closing.toFormat("HH:mm"))}; give --until for another end.`;
  }

  const candidate = {
    ...(request.mode ? { mode: request.mode } : {}),
    ...(request.message !== undefined ? { message: request.message } : {}),
    ...(until ? { until: until.toISO()! } : {}),
    ...(request.setBy !== undefined ? { setBy: request.setBy } : {}),
    setAt: local.toISO()!,
  };
  const parsed = EmergencyOverrideToSet.safeParse(candidate);
  if (!parsed.success) throw new OverrideRequestError(parsed.error.issues.map((issue) => issue.message).join("; "));
  return note ? { override: parsed.data, note } : { override: parsed.data };
}

/** The `--until` asked for, in the hours' zone, refused when it is not a time or not in the future. */
function endAsked(text: string, zone: string, local: DateTime): DateTime {
  const parsed = DateTime.fromISO(text, { zone, setZone: true });
  if (!parsed.isValid) {
    throw new OverrideRequestError(
      `--until "${text}" is not a date and time; write it like ${local.plus({ days: 1 }).toFormat("yyyy-MM-dd")}T08:00 (local time in ${zone})`,
    );
  }
  const inZone = parsed.setZone(zone);
  if (inZone <= local) {
    throw new OverrideRequestError(
      `--until ${inZone.toFormat("yyyy-MM-dd HH:mm")} is already past (it is now ${local.toFormat("yyyy-MM-dd HH:mm")} in ${zone}); give a later time`,
    );
  }
  return inZone;
}

/** When today's scheduled hours end, if that is still to come: the end of the day's last window. */
function closingLaterToday(hours: Hours, local: DateTime): DateTime | undefined {
  const today = dayPlansFrom(hours, local.toISODate()!).next().value;
  const last = windowIntervals(hours.zone, today.date, today.windows).at(-1)?.end ?? undefined;
  return last && last > local ? last.setZone(hours.zone) : undefined;
}
