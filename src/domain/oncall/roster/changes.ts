import { Interval, type DateTime } from "luxon";
import { gsmSafe, MAX_PAGE_LENGTH } from "../messages.js";
import { onCallStretches, rosterTime } from "./roster-view.js";
import { assertValid } from "./rotation.js";
import type { Member, Role, Roster } from "./schema.js";

/** A stretch of time someone holds a role in a category. */
export interface OnCallInterval {
  category: string;
  /** The category as pages name it: "Water and sewer". */
  label: string;
  role: Role;
  /** In the roster's zone. */
  from: DateTime;
  to: DateTime;
  /**
   * True when it runs on past the look-ahead (a supervisor's, or a long override): it ends at
   * `to` or later, and the message says "on" rather than a time it does not know.
   */
  ongoing: boolean;
}

/** What a new version of the roster changes for one person, in the days looked at. */
export interface OnCallChange {
  /** As the new roster names them (as the old one did, if they left it). */
  name: string;
  /** E.164: people are told apart by number, so one person in two categories gets one message. */
  phone: string;
  /** Time on call they did not have before, earliest first. */
  added: OnCallInterval[];
  /** Time on call they no longer have, earliest first. */
  removed: OnCallInterval[];
}

/** How far ahead a published roster's changes are told, in days. */
export const CHANGE_DAYS = 14;

/** How far past the window a change that begins in it is followed to its end. */
const FOLLOW_DAYS = 35;

/**
 * Who must be told what, when `after` replaces `before` at `now`: one entry per person whose
 * time on call (as primary, backup or supervisor, in any category) in the `days` after `now`
 * changed. Each person's intervals are worked out per category and role by walking the
 * roster's handoffs and override edges (`whoIsOnCall`, once per arrangement, never minute by
 * minute), then compared. A change that begins in the window is reported whole, to its end
 * past the window.
 *
 * @throws RangeError when `now` is an invalid DateTime or `days` is not a whole number > 0
 * @example onCallChanges(before, after, now) // [{ name: "Pat Okafor", phone: "+14035550111", added: [{ category: "water", role: "primary", from: Sat 5 Dec 08:00, to: Mon 7 Dec 08:00, ... }], removed: [] }, ...]
 */
export function onCallChanges(before: Roster, after: Roster, now: DateTime, days: number = CHANGE_DAYS): OnCallChange[] {
  assertValid(now, "now");
  if (!Number.isInteger(days) || days <= 0) throw new RangeError(`days must be a whole number of days, not ${days}`);
  const windowEnd = now.plus({ days });
  const horizon = windowEnd.plus({ days: FOLLOW_DAYS });
  const was = timeOnCall(before, now, horizon);
  const is = timeOnCall(after, now, horizon);

  const changes: OnCallChange[] = [];
  for (const phone of new Set([...is.keys(), ...was.keys()])) {
    const then = was.get(phone);
    const later = is.get(phone);
    const inWindow = (interval: OnCallInterval) => interval.from < windowEnd;
    const added = difference(later?.intervals ?? [], then?.intervals ?? [], horizon).filter(inWindow);
    const removed = difference(then?.intervals ?? [], later?.intervals ?? [], horizon).filter(inWindow);
    if (added.length === 0 && removed.length === 0) continue;
    changes.push({ name: (later ?? then)!.member.name, phone, added, removed });
  }
  return changes.sort((a, b) => a.name.localeCompare(b.name) || a.phone.localeCompare(b.phone));
}

interface PersonOnCall {
  member: Member;
  intervals: OnCallInterval[];
}

/** Everyone's time on call in [from, to), by phone number, touching stretches of one role joined. */
function timeOnCall(roster: Roster, from: DateTime, to: DateTime): Map<string, PersonOnCall> {
  const people = new Map<string, PersonOnCall>();
  const hold = (member: Member | null, category: string, label: string, role: Role, start: DateTime, end: DateTime) => {
    if (!member) return;
    const person = people.get(member.phone) ?? { member, intervals: [] };
    people.set(member.phone, person);
    const last = person.intervals.findLast((interval) => interval.category === category && interval.role === role);
    if (last && last.to.toMillis() === start.toMillis()) last.to = end;
    else person.intervals.push({ category, label, role, from: start, to: end, ongoing: false });
  };
  for (const [category, crew] of Object.entries(roster.categories)) {
    for (const stretch of onCallStretches(roster, category, from)) {
      if (stretch.from >= to) break;
      const end = stretch.to === null || stretch.to > to ? to.setZone(roster.zone) : stretch.to;
      hold(stretch.primary, category, crew.label, "primary", stretch.from, end);
      hold(stretch.backup, category, crew.label, "backup", stretch.from, end);
      hold(stretch.supervisor, category, crew.label, "supervisor", stretch.from, end);
    }
  }
  return people;
}

/** The parts of `these` not in `those` (same category and role), earliest first; ongoing when they reach `horizon`. */
function difference(these: readonly OnCallInterval[], those: readonly OnCallInterval[], horizon: DateTime): OnCallInterval[] {
  return these
    .flatMap((interval) => {
      const others = those
        .filter((other) => other.category === interval.category && other.role === interval.role)
        .map((other) => Interval.fromDateTimes(other.from, other.to));
      return Interval.fromDateTimes(interval.from, interval.to)
        .difference(...others)
        .map((piece) => ({
          ...interval,
          from: piece.start!.setZone(interval.from.zone),
          to: piece.end!.setZone(interval.from.zone),
          ongoing: piece.end!.toMillis() >= horizon.toMillis(),
        }));
    })
    .sort((a, b) => a.from.toMillis() - b.from.toMillis() || a.category.localeCompare(b.category));
}

/**
 * The one SMS that tells a person what a new roster changed for them, in plain words and the
 * City's time, in two GSM-7 segments at most ({@link MAX_PAGE_LENGTH}): what they take on first,
 * then what they no longer have, each earliest first. What does not fit is counted, and they are
 * sent to the console for it.
 *
 * @param zone - the City's zone, in which times are written
 * @example changeMessage(change, "America/Edmonton")
 *   // "311 on-call change: you are now primary for Water and sewer from Sat 5 Dec 08:00 to Mon 7 Dec 08:00. You are no longer primary for Roads from Tue 8 Dec 08:00 to Wed 9 Dec 08:00."
 */
export function changeMessage(change: OnCallChange, zone: string): string {
  const items = [
    ...change.added.map((interval) => ({ kind: "now" as const, interval })),
    ...change.removed.map((interval) => ({ kind: "no longer" as const, interval })),
  ];
  let shown = 0;
  while (shown < items.length && withRest(items.slice(0, shown + 1), items.length - shown - 1, zone).length <= MAX_PAGE_LENGTH) shown++;
  return withRest(items.slice(0, shown), items.length - shown, zone);
}

type Item = { kind: "now" | "no longer"; interval: OnCallInterval };

/** The message saying `items`, then how many more there are. */
function withRest(items: readonly Item[], more: number, zone: string): string {
  const sentences = clauses(items, zone);
  const rest = more > 0 ? ` ${more} more ${more === 1 ? "change" : "changes"}: see the console.` : "";
  const body = sentences.length > 0 ? ` ${sentences.map((sentence, index) => (index === 0 ? sentence : capitalized(sentence))).join(" ")}` : "";
  return `311 on-call change:${body}${rest}`;
}

/** One sentence per kind, role and category, its stretches joined: "you are now backup for Electric from A to B and from C to D." */
function clauses(items: readonly Item[], zone: string): string[] {
  const groups = new Map<string, Item[]>();
  for (const item of items) {
    const key = `${item.kind}|${item.interval.role}|${item.interval.category}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()].map((group) => {
    const { kind, interval } = group[0]!;
    const spans = group.map(({ interval: { from, to, ongoing } }) =>
      ongoing ? `from ${rosterTime(from.setZone(zone))} on` : `from ${rosterTime(from.setZone(zone))} to ${rosterTime(to.setZone(zone))}`,
    );
    return `you are ${kind} ${interval.role} for ${gsmSafe(interval.label)} ${spans.join(" and ")}.`;
  });
}

function capitalized(sentence: string): string {
  return `${sentence[0]!.toUpperCase()}${sentence.slice(1)}`;
}
