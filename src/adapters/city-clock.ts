/**
 * The City's clock: now, in the City's zone. Every webhook asks it, and Luxon works a named
 * zone's offset out afresh each time (`Intl.DateTimeFormat#formatToParts`, the costliest step of
 * answering a call). The zone here keeps the offsets it has worked out, for each quarter hour:
 * offsets change only at transitions, and a transition in today's tz data happens at a local
 * hour or half hour, so at a quarter hour in UTC (offsets being whole quarter hours).
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
    let offset = this.#offsets.get(quarter);
    if (offset === undefined) {
      offset = super.offset(ts);
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
  return () => DateTime.now().setZone(rememberingZone(zoneName()));
}
