import { DateTime } from "luxon";
import { atTimeOfDay } from "../../hours/calendar.js";
import { didYouMean } from "../../validation.js";
import { isDateOnly } from "./fields.js";
import type { CategoryRoster, Member, Roster, RosterOverride, Rotation } from "./schema.js";

/** Who answers a category's urgent reports at a moment, why, and until when. */
export interface OnCall {
  category: string;
  /** Paged first; null when nobody is. */
  primary: Member | null;
  /** Paged when the primary does not acknowledge; null when nobody is. */
  backup: Member | null;
  supervisor: Member;
  /**
   * Why, in a few words: `rotation week 2`, an override's reason, or both when an override
   * changes one role only (`Pat covers Christmas; backup from rotation week 2`).
   */
  source: string;
  /** When this arrangement next changes (who, or why), in the roster's zone; null when it never does. */
  until: DateTime | null;
}

/** A category the roster does not have. The message suggests the one probably meant. */
export class UnknownCategoryError extends Error {
  override readonly name = "UnknownCategoryError";
  constructor(
    readonly category: string,
    readonly known: readonly string[],
  ) {
    const suggestion = didYouMean(category, known);
    super(
      `unknown category "${category}" (${suggestion ? `did you mean "${suggestion}"?` : known.length > 0 ? `the roster has ${known.join(", ")}` : "the roster has none"})`,
    );
  }
}

/** A category's part of the roster. @throws UnknownCategoryError */
export function categoryRoster(roster: Roster, category: string): CategoryRoster {
  const found = Object.hasOwn(roster.categories, category) ? roster.categories[category] : undefined;
  if (!found) throw new UnknownCategoryError(category, Object.keys(roster.categories));
  return found;
}

/**
 * Who is on call for `category` at `at`: the rotation week, then the overrides that cover `at`,
 * later ones winning role by role. The handoff happens at the configured local time: at 08:00:00
 * the new week is on call, at 07:59:59 the old one still is. Before the rotation's start, nobody
 * is (unless an override says otherwise).
 *
 * @param at - any instant, in any zone; the roster's zone decides what local time it is
 * @throws UnknownCategoryError for a category the roster does not have
 * @throws RangeError when `at` is an invalid DateTime
 * @example whoIsOnCall(roster, "water", DateTime.fromISO("2026-12-24T23:00", { zone: "America/Edmonton" }))
 *   // { primary: Pat, backup: Lee, source: "Pat covers Christmas; backup from rotation week 2", until: 2026-12-27T00:00-07:00, ... }
 */
export function whoIsOnCall(roster: Roster, category: string, at: DateTime): OnCall {
  assertValid(at, "at");
  const crew = categoryRoster(roster, category);
  const timeline = new Timeline(roster.zone, crew);
  const now = timeline.arrangementAt(at);
  const member = (id: string | null) => (id === null ? null : (crew.members.find((candidate) => candidate.id === id) ?? null));
  return {
    category,
    primary: member(now.primary),
    backup: member(now.backup),
    supervisor: crew.supervisor,
    source: now.source,
    until: timeline.nextChange(at, now),
  };
}

export function assertValid(time: DateTime, name: string): void {
  if (!time.isValid) throw new RangeError(`${name} is not a valid time: ${time.invalidExplanation ?? time.invalidReason ?? "unknown"}`);
}

/**
 * The instant week `week` of the rotation begins (0 is week 1, on `start`): the handoff time on
 * that local date, with Luxon resolving DST. A handoff time that does not exist that day (02:30
 * when clocks spring forward) happens when the clock reaches it (03:30); one that happens twice
 * (01:30 when they fall back) happens the first time.
 */
export function handoffAt(rotation: Rotation, zone: string, week: number): DateTime {
  const day = DateTime.fromISO(rotation.start, { zone }).plus({ days: 7 * week }).startOf("day");
  return atTimeOfDay(day, rotation.handoff.time);
}

/** The number of the rotation week (0 is week 1) that `at` falls in; negative before the rotation starts. */
export function rotationWeekAt(rotation: Rotation, zone: string, at: DateTime): number {
  // Count calendar days in UTC, where every day is 24 hours; then the instants decide.
  const start = DateTime.fromISO(rotation.start, { zone: "utc" });
  const today = DateTime.fromISO(at.setZone(zone).toFormat("yyyy-MM-dd"), { zone: "utc" });
  const week = Math.floor(Math.round(today.diff(start, "days").days) / 7);
  return at < handoffAt(rotation, zone, week) ? week - 1 : week;
}

/** The instant a local `from` begins or a local `to` ends: a date-only `to` runs to the end of its day. */
export function overrideEdge(written: string, zone: string, edge: "from" | "to"): DateTime {
  if (!isDateOnly(written)) return DateTime.fromISO(written, { zone });
  const startOfDay = DateTime.fromISO(written, { zone }).startOf("day");
  return edge === "to" ? startOfDay.plus({ days: 1 }).startOf("day") : startOfDay;
}

/** Who holds each role, by member id, and why. */
interface Arrangement {
  primary: string | null;
  backup: string | null;
  source: string;
}

interface TimedOverride {
  entry: RosterOverride;
  from: DateTime;
  to: DateTime;
}

/** One category's rotation and overrides, turned into instants in the roster's zone. */
class Timeline {
  private readonly overrides: TimedOverride[];

  constructor(
    private readonly zone: string,
    private readonly crew: CategoryRoster,
  ) {
    this.overrides = crew.overrides.map((entry) => ({
      entry,
      from: overrideEdge(entry.from, zone, "from"),
      to: overrideEdge(entry.to, zone, "to"),
    }));
  }

  arrangementAt(at: DateTime): Arrangement {
    const { rotation } = this.crew;
    const week = rotationWeekAt(rotation, this.zone, at);
    const position = week < 0 ? undefined : week % rotation.weeks.length;
    const scheduled = position === undefined ? { primary: null, backup: null } : rotation.weeks[position]!;

    // Each role remembers which override set it (-1: the rotation), so the source can say why.
    const roles = { primary: { id: scheduled.primary, by: -1 }, backup: { id: scheduled.backup, by: -1 } };
    this.overrides.forEach(({ entry, from, to }, index) => {
      if (at < from || at >= to) return;
      if (entry.primary !== undefined) roles.primary = { id: entry.primary, by: index };
      if (entry.backup !== undefined) roles.backup = { id: entry.backup, by: index };
    });

    const rotationSource = position === undefined ? undefined : `rotation week ${position + 1}`;
    const reasons = [...new Set([roles.primary.by, roles.backup.by].filter((by) => by >= 0).sort((a, b) => a - b))].map(
      (by) => this.overrides[by]!.entry.reason,
    );
    let source: string;
    if (reasons.length === 0) {
      source = rotationSource ?? `before the rotation starts on ${rotation.start} at ${rotation.handoff.time}`;
    } else {
      const fromRotation = (["primary", "backup"] as const)
        .filter((role) => roles[role].by < 0)
        .map((role) => (rotationSource ? `${role} from ${rotationSource}` : `no ${role} before the rotation starts`));
      source = [...new Set(reasons), ...fromRotation].join("; ");
    }
    return { primary: roles.primary.id, backup: roles.backup.id, source };
  }

  /**
   * The first handoff or override edge after `at` at which the arrangement differs from `current`;
   * null when it never will (a one-week rotation with no overrides ahead).
   */
  nextChange(at: DateTime, current: Arrangement): DateTime | null {
    const { rotation } = this.crew;
    const edges = this.overrides
      .flatMap(({ from, to }) => [from, to])
      .filter((edge) => edge > at)
      .sort((a, b) => a.toMillis() - b.toMillis());
    const week = rotationWeekAt(rotation, this.zone, at);
    let nextWeek = week < 0 ? 0 : week + 1;
    // Once every override edge is behind, the rotation repeats every weeks.length handoffs:
    // if a whole cycle brings no change, none ever will.
    let quietHandoffs = 0;
    for (;;) {
      const handoff = handoffAt(rotation, this.zone, nextWeek);
      const edge = edges[0];
      const candidate = edge !== undefined && edge < handoff ? edge : handoff;
      const next = this.arrangementAt(candidate);
      if (next.primary !== current.primary || next.backup !== current.backup || next.source !== current.source) {
        return candidate.setZone(this.zone);
      }
      while (edges[0] !== undefined && edges[0] <= candidate) edges.shift();
      if (candidate.toMillis() === handoff.toMillis()) {
        nextWeek += 1;
        if (edges.length === 0 && ++quietHandoffs > rotation.weeks.length) return null;
      }
    }
  }
}
