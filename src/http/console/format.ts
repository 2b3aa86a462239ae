/** Dates and times as the console shows them: always in the City's zone, in words a supervisor reads. */
import { DateTime } from "luxon";

/** `Wed 2 Dec 2026, 10:00`, in `zone`. */
export function when(at: string | DateTime, zone: string): string {
  const moment = typeof at === "string" ? DateTime.fromISO(at, { setZone: true }) : at;
  if (!moment.isValid) return String(at);
  return moment.setZone(zone).toFormat("ccc d LLL yyyy, HH:mm");
}

/** `Thursday 24 December`. */
export function dayName(date: string, zone: string): string {
  const day = DateTime.fromISO(date, { zone });
  return day.isValid ? day.toFormat("cccc d LLLL") : date;
}

/** `24 December`, as an auto-written publish message says it. */
export function shortDay(date: string, zone: string): string {
  const day = DateTime.fromISO(date, { zone });
  return day.isValid ? day.toFormat("d LLLL") : date;
}

/** The value a `datetime-local` input takes: `2026-12-24T13:00`. */
export function localInput(at: DateTime, zone: string): string {
  return at.setZone(zone).toFormat("yyyy-LL-dd'T'HH:mm");
}

/** A moment typed in a `datetime-local` input (`2026-12-24T13:00`), in `zone`; undefined when it is not one. */
export function parseLocal(text: unknown, zone: string): DateTime | undefined {
  if (typeof text !== "string" || text.trim() === "") return undefined;
  const at = DateTime.fromISO(text.trim(), { zone });
  return at.isValid ? at : undefined;
}

/** `3 hours ago`, `2 days ago`: how long ago `at` was, seen from `now`. */
export function ago(at: DateTime, now: DateTime): string {
  if (now.diff(at, "minutes").minutes < 1) return "just now";
  return at.toRelative({ base: now, unit: now.diff(at, "hours").hours < 1 ? "minutes" : now.diff(at, "days").days < 2 ? "hours" : "days" }) ?? "";
}

/**
 * A phone number written for people to dial: `+1 403-555-0123` for a North American number,
 * as given otherwise.
 */
export function phoneForPeople(number: string): string {
  const match = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number);
  return match ? `+1 ${match[1]}-${match[2]}-${match[3]}` : number;
}

/** `1,234`. */
export function count(value: number): string {
  return value.toLocaleString("en-CA");
}

/** `86.2 %`; a dash when there was nothing to divide by. */
export function share(value: number | null): string {
  return value === null ? "–" : `${(value * 100).toFixed(1)} %`;
}

/** `42 s`, `3 min 05 s`, `50 min`, `2 h 10 min`, `3 days 4 h`; a dash when there is nothing to measure. */
export function duration(seconds: number | null): string {
  if (seconds === null) return "–";
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  // Seconds matter in a queue's wait, not in an hour-long one.
  if (minutes < 10) return `${minutes} min ${String(total % 60).padStart(2, "0")} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, "0")} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} h`;
}
