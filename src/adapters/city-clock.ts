/**
 * The City's clock: now, in the City's zone. Every webhook asks it, and Luxon works a named
 * zone's offset out afresh each time (`Intl.DateTimeFormat#formatToParts`, the costliest step of
 * answering a call). The zone here keeps the offset of each UTC quarter hour whose start and end
 * have the same offset: today's transitions fall on a local hour or half hour, so between quarter
 * hours, and the offset is the same all through one. A quarter hour holding a transition (the
 * odd minutes of old tz data: local mean time, a 0:01 switch) is never kept: each time in it is
 * worked out as Luxon works it out.
 */
import { DateTime, IANAZone } from "luxon";

const QUARTER_HOUR_MS = 15 * 60 * 1_000;
/** Quarter hours remembered per zone before it starts again: a few days' worth of times asked about. */
const REMEMBERED = 512;

/** An IANA zone that works each quarter hour's offset out once. */
export class RememberingZone extends IANAZone {
  readonly #offsets = new Map<number, number>();

  override offset(ts: number): number {
    const quarter = Math.floor(ts / QUARTER_HOUR_MS);
    const known = this.#offsets.get(quarter);
    if (known !== undefined) return known;
    const offset = super.offset(ts);
    const start = quarter * QUARTER_HOUR_MS;
    // Kept only when the offset holds from the quarter hour's first millisecond to its last.
    if (super.offset(start) === offset && super.offset(start + QUARTER_HOUR_MS - 1) === offset) {
      if (this.#offsets.size >= REMEMBERED) this.#offsets.clear();
      this.#offsets.set(quarter, offset);
    }
    return offset;
  }
}

const zones = new Map<string, RememberingZone>();

/** The zone named `name`, remembering its offsets; one per name in the process. */
export function rememberingZone(name: string): RememberingZone {
  let zone = zones.get(name);
  if (!zone) zones.set(name, (zone = new RememberingZone(name)));
  return zone;
}

/** A clock reading now in the zone `zoneName()` names (the live hours' zone: a publish may change it). */
export function cityClock(zoneName: () => string): () => DateTime {
  // Made in the zone at once: DateTime.now() would work out the process's own zone's offset first.
  return () => DateTime.fromMillis(Date.now(), { zone: rememberingZone(zoneName()) });
}
