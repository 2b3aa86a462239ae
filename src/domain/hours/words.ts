import { DateTime } from "luxon";
import { minutesOfDay } from "./calendar.js";
import type { DayChange, TimeWindow } from "./day-plan.js";
import type { DaySchedule } from "./schedule.js";
import type { LineStatus } from "./status.js";

/**
 * A time of day as people say it, for Twilio's `<Say>` and for supervisors reading the CLI.
 * Noon and midnight are named, since "12 p.m." is heard both ways.
 *
 * @param time - `HH:mm`, or `24:00` for midnight at the end of the day
 * @param minutes - `"when-needed"` (spoken: "8 a.m.") or `"always"` (written: "8:00 a.m.")
 * @example timeInWords("16:30") // "4:30 p.m."
 * @example timeInWords("12:00") // "12 noon"
 * @example timeInWords("08:00", "always") // "8:00 a.m."
 */
export function timeInWords(time: string, minutes: "when-needed" | "always" = "when-needed"): string {
  const total = minutesOfDay(time) % (24 * 60);
  if (total === 12 * 60) return "12 noon";
  if (total === 0) return "12 midnight";
  const hour24 = Math.floor(total / 60);
  const minute = total % 60;
  const hour = hour24 % 12 === 0 ? 12 : hour24 % 12;
  const clock = minute === 0 && minutes === "when-needed" ? String(hour) : `${hour}:${String(minute).padStart(2, "0")}`;
  return `${clock} ${hour24 < 12 ? "a.m." : "p.m."}`;
}

/** A day's windows in words: "8:00 a.m. to 12 noon and 1:00 p.m. to 4:30 p.m.". */
export function windowsInWords(windows: readonly TimeWindow[], minutes: "when-needed" | "always" = "always"): string {
  return windows.map((window) => `${timeInWords(window.open, minutes)} to ${timeInWords(window.close, minutes)}`).join(" and ");
}

/** Names joined as people list them: "A", "A and B", "A, B and C". */
export function listInWords(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/**
 * Why the line is closed now, as a sentence a caller hears through Twilio's `<Say>`; empty when
 * there is nothing more to say than that it is after hours (an ordinary evening or weekend).
 *
 * @example closedReasonInWords(lineStatus(hours, christmasEveAt1pm)) // "City offices closed early today, at 12 noon, for Christmas Eve."
 */
export function closedReasonInWords(status: Pick<LineStatus, "open" | "why">): string {
  const why = status.open ? undefined : status.why;
  if (!why) return "";
  switch (why.kind) {
    case "holiday":
      return `City offices are closed today for ${listInWords(why.names)}.`;
    case "emergency":
      return "City offices are closed for now because of an emergency.";
    case "closure":
      switch (why.when) {
        case "all-day":
          return `City offices are closed today for ${why.reason}.`;
        case "opens-later":
          return `City offices open late today, at ${timeInWords(why.windows[0]!.open)}, for ${why.reason}.`;
        case "closed-earlier":
          return `City offices closed early today, at ${timeInWords(why.windows.at(-1)!.close)}, for ${why.reason}.`;
        case "between":
          return `City offices keep shorter hours today, ${windowsInWords(why.windows, "when-needed")}, for ${why.reason}.`;
      }
  }
}

const CHANGE_WORDS: Record<Exclude<DayChange, "closed-all-day">, string> = {
  "closes-early": "closes early",
  "closes-late": "closes late",
  "opens-late": "opens late",
  "opens-early": "opens early",
  "changed-hours": "changed hours",
};

/**
 * One day of the schedule as a supervisor reads it back.
 *
 * @example dayInWords(christmasEve) // "Thu 24 Dec: open 8:00 a.m. to 12 noon (closes early: Christmas Eve)"
 * @example dayInWords(christmasDay) // "Fri 25 Dec: closed (Christmas Day)"
 * @param notes - more to say about the day, after its reason
 */
export function dayInWords(day: DaySchedule, notes: readonly string[] = []): string {
  const date = DateTime.fromISO(day.date, { zone: "utc", locale: "en-CA" }).toFormat("ccc d LLL");
  const hours = day.open ? `open ${windowsInWords(day.windows)}` : "closed";
  // "closed (closed all day: ...)" says it twice.
  const why = day.change && day.change !== "closed-all-day" && day.reason ? `${CHANGE_WORDS[day.change]}: ${day.reason}` : day.reason;
  const said = [why, ...notes].filter(Boolean).join("; ");
  return `${date}: ${hours}${said ? ` (${said})` : ""}`;
}
