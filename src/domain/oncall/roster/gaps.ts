import { Duration, type DateTime } from "luxon";
import type { Problem } from "../../validation.js";
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

/** How far ahead `flows:check` looks for gaps, in days. */
export const GAP_WARNING_DAYS = 30;

/**
 * A warning for every gap in the `days` after `now`, for `npm run flows:check`: the same gaps
 * `npm run oncall -- gaps` lists, said where a supervisor checks their edits. Warnings, not errors:
 * a gap is covered (the supervisor is paged), but it is a night nobody should be surprised by.
 *
 * @param file - the roster's file as the supervisor knows it (`flows/oncall.yaml`)
 * @example gapWarnings(roster, "flows/oncall.yaml", now)
 *   // [{ file: "flows/oncall.yaml", path: "categories.lonely", severity: "warning",
 *   //    message: "nobody on call from Mon 2026-12-14 08:00 MST to Mon 2026-12-28 08:00 MST (14 days)", hint: ... }]
 *   // A gap that has begun already: "nobody on call now, until Mon 2026-12-07 08:00 MST (4 days 21 hours 48 minutes)"
 */
export function gapWarnings(roster: Roster, file: string, now: DateTime, days = GAP_WARNING_DAYS): Problem[] {
  return findGaps(roster, now, now.plus({ days })).map((gap) => ({
    file,
    path: `categories.${gap.category}`,
    severity: "warning",
    message:
      gap.from.toMillis() === now.toMillis()
        ? `nobody on call now, until ${gapTime(gap.to)} (${gapLength(gap)})`
        : `nobody on call from ${gapTime(gap.from)} to ${gapTime(gap.to)} (${gapLength(gap)})`,
    hint: "an urgent report then pages only the supervisor; add an override or fill the rotation week, and see every gap with npm run oncall -- gaps",
  }));
}

function gapTime(time: DateTime): string {
  return time.setLocale("en-CA").toFormat(time.second === 0 ? "ccc yyyy-MM-dd HH:mm ZZZZ" : "ccc yyyy-MM-dd HH:mm:ss ZZZZ");
}

/** How long a gap lasts, in words: `14 days`, `2 days 12 hours`. */
export function gapLength(gap: Pick<Gap, "from" | "to">): string {
  const parts = Duration.fromMillis(gap.to.toMillis() - gap.from.toMillis()).shiftTo("days", "hours", "minutes").toObject();
  const words = (["days", "hours", "minutes"] as const)
    .map((unit) => [Math.floor(parts[unit] ?? 0), unit] as const)
    .filter(([amount]) => amount > 0)
    .map(([amount, unit]) => `${amount} ${amount === 1 ? unit.slice(0, -1) : unit}`);
  return words.join(" ") || "under a minute";
}
