import type { DateTime } from "luxon";
import { assertValid, whoIsOnCall } from "./rotation.js";
import type { Roster } from "./schema.js";

/** A stretch of time in which a category has nobody on call: no primary and no backup. */
export interface Gap {
  category: string;
  /** When the gap begins (or `from`, when it had begun already), in the roster's zone. */
  from: DateTime;
  /** When someone is on call again (or `to`, when the gap goes on), in the roster's zone. */
  to: DateTime;
}

/**
 * Every stretch in [from, to) when a category has nobody on call, so a supervisor can fill it
 * before an urgent report finds it. Stretches that touch are joined (two empty rotation weeks in
 * a row are one gap). Sorted by when they begin, then by category.
 *
 * @throws RangeError when `from` or `to` is an invalid DateTime
 * @example findGaps(roster, local("2026-12-01T00:00"), local("2026-12-31T00:00"))
 *   // [{ category: "lonely", from: 2026-12-07T08:00-07:00, to: 2026-12-14T08:00-07:00 }, ...]
 */
export function findGaps(roster: Roster, from: DateTime, to: DateTime): Gap[] {
  assertValid(from, "from");
  assertValid(to, "to");
  const gaps: Gap[] = [];
  for (const category of Object.keys(roster.categories)) {
    let last: Gap | undefined;
    // Walk from one change to the next: each arrangement holds until its `until`.
    for (let at = from; at < to; ) {
      const onCall = whoIsOnCall(roster, category, at);
      const end = onCall.until === null || onCall.until > to ? to : onCall.until;
      if (onCall.primary === null && onCall.backup === null) {
        if (last && last.to.toMillis() === at.toMillis()) {
          last.to = end.setZone(roster.zone);
        } else {
          last = { category, from: at.setZone(roster.zone), to: end.setZone(roster.zone) };
          gaps.push(last);
        }
      }
      at = end;
    }
  }
  return gaps.sort((a, b) => a.from.toMillis() - b.from.toMillis() || a.category.localeCompare(b.category));
}
