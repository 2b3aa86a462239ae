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
