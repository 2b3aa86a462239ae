import type { DateTime } from "luxon";
import { maskPhone } from "../../phone.js";
import { findGaps, gapLength } from "./gaps.js";
import { assertValid, categoryRoster, handoffAt, overrideEdge, rotationWeekAt, whoIsOnCall } from "./rotation.js";
import type { Member, Roster } from "./schema.js";

/** Someone on the roster as the console shows them: the number masked, as in the logs. */
export interface PersonView {
  id: string;
  name: string;
  /** All but the last two digits hidden: `+*********11`. */
  phone: string;
}

/** Who holds each role of a category now, why, and until when. */
export interface OnCallNowView {
  primary: PersonView | null;
  backup: PersonView | null;
  supervisor: PersonView;
  /** Why: `rotation week 2`, an override's reason, or both (`Pat covers Christmas; backup from rotation week 2`). */
  source: string;
  /** When this arrangement next changes, in the roster's zone; null when it never does. */
  until: DateTime | null;
}

/** The next change of who is on call: a rotation handoff or an override's edge. */
export interface NextHandoffView {
  from: DateTime;
  who: { primary: PersonView | null; backup: PersonView | null; source: string };
}

/** One week of the rotation's cycle, with the turn of it that is running now or comes next. */
export interface RotationWeekView {
  /** 1 for the first week of the cycle, as `whoIsOnCall` names it (`rotation week 1`). */
  week: number;
  primary: PersonView | null;
  backup: PersonView | null;
  /** Whether this week of the cycle is running now (overrides aside). */
  current: boolean;
  /** When its turn running now, or its next turn, begins and ends, in the roster's zone. */
  from: DateTime;
  to: DateTime;
}

/** The roles an override changes, and the rotation's people it stands in for. */
export interface OverrideView {
  /** Its place in the category's `overrides`, so the page can point at the entry. */
  index: number;
  from: DateTime;
  to: DateTime;
  /** The roles it sets: a person, or null for nobody. A role it leaves to the rotation is absent. */
  who: { primary?: PersonView | null; backup?: PersonView | null };
  /**
   * Who the rotation has in those roles while it lasts, when that is someone else: the crew
   * member on leave. Several when a handoff falls inside it; absent when it stands in for nobody.
   */
  replaces?: { primary?: PersonView[]; backup?: PersonView[] };
  reason: string;
  /** Whether it applies now; otherwise it is still to come. */
  current: boolean;
}

/** Which roles a gap leaves empty: `both` is nobody on call at all, and pages the supervisor at once. */
export type GapRole = "primary" | "backup" | "both";

/** A stretch in which a role has nobody, for the roster page to highlight. */
export interface GapView {
  from: DateTime;
  /** When someone holds the role again, in the roster's zone; null when nobody does in the year after the window. */
  to: DateTime | null;
  role: GapRole;
  /** "Nobody on call from Mon 14 Dec 08:00 to Mon 28 Dec 08:00 (14 days)". */
  inWords: string;
}

/** One category of the roster page. */
export interface CategoryView {
  category: string;
  label: string;
  now: OnCallNowView;
  /** Null when the arrangement never changes again. */
  next: NextHandoffView | null;
  /** The rotation's weeks, in order. */
  rotation: RotationWeekView[];
  /** The overrides that apply now or are still to come, earliest first. */
  overrides: OverrideView[];
  /** The gaps that begin within the window, each followed to its end. */
  gaps: GapView[];
}

/** How far ahead the roster page looks for gaps, in days. */
export const ROSTER_VIEW_DAYS = 14;

/** How far past the window a gap is followed to its end before it is called open-ended. */
const GAP_FOLLOW_DAYS = 366;

/**
 * The roster page: for each category, in the roster's order, who is on call now and next, the
 * rotation, the overrides still to matter, and the gaps that begin in the `days` after `now`.
 * Pure; who holds what is always `whoIsOnCall`'s answer.
 *
 * @throws RangeError when `now` is an invalid DateTime or `days` is not a whole number >= 0
 * @example rosterView(roster, DateTime.fromISO("2026-12-24T23:00", { zone: "America/Edmonton" }))[0]
 *   // { category: "power", label: "Electric", now: { primary: { id: "marcus", name: "Marcus Olsen", phone: "+*********02" }, ... },
 *   //   next: { from: 2026-12-28T08:00-07:00, who: { primary: { id: "jen", ... }, ... } }, rotation: [...], overrides: [], gaps: [] }
 */
export function rosterView(roster: Roster, now: DateTime, days: number = ROSTER_VIEW_DAYS): CategoryView[] {
  assertValid(now, "now");
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be a whole number of days, not ${days}`);
  const at = now.setZone(roster.zone);
  const end = at.plus({ days });
  return Object.keys(roster.categories).map((category) => categoryView(roster, category, at, end));
}

function categoryView(roster: Roster, category: string, now: DateTime, end: DateTime): CategoryView {
  const crew = categoryRoster(roster, category);
  const current = whoIsOnCall(roster, category, now);
  const following = current.until ? whoIsOnCall(roster, category, current.until) : undefined;
  return {
    category,
    label: crew.label,
    now: {
      primary: personView(current.primary),
      backup: personView(current.backup),
      supervisor: personView(current.supervisor),
      source: current.source,
      until: current.until,
    },
    next:
      current.until && following
        ? { from: current.until, who: { primary: personView(following.primary), backup: personView(following.backup), source: following.source } }
        : null,
    rotation: rotationView(roster, category, now),
    overrides: overridesView(roster, category, now),
    gaps: gapsView(roster, category, now, end),
  };
}

/** A member as the console shows them; null stays null (nobody). */
export function personView(member: Member): PersonView;
export function personView(member: Member | null): PersonView | null;
export function personView(member: Member | null): PersonView | null {
  return member && { id: member.id, name: member.name, phone: maskPhone(member.phone) };
}

function rotationView(roster: Roster, category: string, now: DateTime): RotationWeekView[] {
  const { rotation, members } = categoryRoster(roster, category);
  const cycle = rotation.weeks.length;
  const running = rotationWeekAt(rotation, roster.zone, now);
  const member = (id: string | null) => personView(members.find((candidate) => candidate.id === id) ?? null);
  return rotation.weeks.map((week, position) => {
    // Before the rotation starts, each week's first turn; after, the turn running now or next.
    const ahead = running < 0 ? position : running + ((position - (running % cycle) + cycle) % cycle);
    return {
      week: position + 1,
      primary: member(week.primary),
      backup: member(week.backup),
      current: running >= 0 && ahead === running,
      from: handoffAt(rotation, roster.zone, ahead).setZone(roster.zone),
      to: handoffAt(rotation, roster.zone, ahead + 1).setZone(roster.zone),
    };
  });
}

function overridesView(roster: Roster, category: string, now: DateTime): OverrideView[] {
  const crew = categoryRoster(roster, category);
  // Who the rotation alone would have on call: what each override stands in for.
  const rotationOnly: Roster = { ...roster, categories: { [category]: { ...crew, overrides: [] } } };
  const member = (id: string | null) => personView(crew.members.find((candidate) => candidate.id === id) ?? null);
  return crew.overrides
    .map((entry, index) => ({ entry, index, from: overrideEdge(entry.from, roster.zone, "from"), to: overrideEdge(entry.to, roster.zone, "to") }))
    .filter(({ to }) => to > now)
    .sort((a, b) => a.from.toMillis() - b.from.toMillis() || a.index - b.index)
    .map(({ entry, index, from, to }): OverrideView => {
      const who: OverrideView["who"] = {};
      const replaces: NonNullable<OverrideView["replaces"]> = {};
      for (const role of ["primary", "backup"] as const) {
        const set = entry[role];
        if (set === undefined) continue;
        who[role] = member(set);
        const stoodIn = rotationHolders(rotationOnly, category, role, from, to).filter((held) => held.id !== set);
        if (stoodIn.length > 0) replaces[role] = stoodIn.map((held) => personView(held));
      }
      return {
        index,
        from: from.setZone(roster.zone),
        to: to.setZone(roster.zone),
        who,
        ...(Object.keys(replaces).length > 0 ? { replaces } : {}),
        reason: entry.reason,
        current: from <= now && now < to,
      };
    });
}

/** Everyone who holds `role` at some moment in [from, to), once each, in order. */
function rotationHolders(roster: Roster, category: string, role: "primary" | "backup", from: DateTime, to: DateTime): Member[] {
  const holders: Member[] = [];
  for (const stretch of onCallStretches(roster, category, from)) {
    if (stretch.from >= to) break;
    const held = stretch[role];
    if (held && !holders.some((known) => known.id === held.id)) holders.push(held);
  }
  return holders;
}

/** One arrangement of a category's crew, from one change of who is on call (or why) to the next. */
export interface OnCallStretch {
  from: DateTime;
  /** When the next arrangement begins; null when this one lasts for good. */
  to: DateTime | null;
  primary: Member | null;
  backup: Member | null;
  supervisor: Member;
  source: string;
}

/**
 * A category's arrangements from `from` on, one after another and without end (the caller takes
 * what it needs): each is `whoIsOnCall` at the start of the stretch, lasting until its `until`.
 * So the walk samples only at handoffs and override edges, never minute by minute.
 *
 * @throws UnknownCategoryError for a category the roster does not have
 */
export function* onCallStretches(roster: Roster, category: string, from: DateTime): Generator<OnCallStretch, void> {
  for (let at: DateTime | null = from; at !== null; ) {
    const onCall = whoIsOnCall(roster, category, at);
    yield {
      from: at.setZone(roster.zone),
      to: onCall.until,
      primary: onCall.primary,
      backup: onCall.backup,
      supervisor: onCall.supervisor,
      source: onCall.source,
    };
    at = onCall.until;
  }
}

/**
 * The gaps that begin in [now, end): nobody at all (the gaps `findGaps` and `npm run oncall -- gaps`
 * report), and a primary or a backup missing while the other role is held. Each is followed past
 * the window to its real end, so the page never shows a gap as ending where the window does.
 */
function gapsView(roster: Roster, category: string, now: DateTime, end: DateTime): GapView[] {
  const horizon = end.plus({ days: GAP_FOLLOW_DAYS });
  const gaps: Omit<GapView, "inWords">[] = [];

  // A missing primary and a missing backup never overlap (both missing is the other kind), so one
  // gap at most is being followed at a time.
  let following: Omit<GapView, "inWords"> | undefined;
  for (const stretch of onCallStretches(roster, category, now)) {
    if (stretch.from >= horizon) break;
    const role = emptyRole(stretch);
    if (following && role === following.role) {
      following.to = stretch.to;
      continue;
    }
    following = undefined;
    if (stretch.from >= end) break;
    if (role === "primary" || role === "backup") {
      following = { from: stretch.from, to: stretch.to, role };
      gaps.push(following);
    }
  }

  const onlyThis: Roster = { ...roster, categories: { [category]: categoryRoster(roster, category) } };
  for (const gap of findGaps(onlyThis, now, end)) {
    // findGaps stops at the end of the range asked: a gap that reaches it goes on from there.
    const goesOn = gap.to.toMillis() === end.toMillis() ? findGaps(onlyThis, end, horizon)[0] : undefined;
    gaps.push({ from: gap.from, to: goesOn?.to ?? gap.to, role: "both" });
  }

  return gaps
    .map((gap) => ({ ...gap, to: gap.to === null || gap.to >= horizon ? null : gap.to.setZone(roster.zone) }))
    .sort((a, b) => a.from.toMillis() - b.from.toMillis())
    .map((gap) => ({ ...gap, inWords: gapInWords(gap, now) }));
}

function emptyRole(stretch: Pick<OnCallStretch, "primary" | "backup">): GapRole | undefined {
  if (stretch.primary === null && stretch.backup === null) return "both";
  if (stretch.primary === null) return "primary";
  if (stretch.backup === null) return "backup";
  return undefined;
}

const GAP_WORDS: Record<GapRole, string> = {
  both: "Nobody on call",
  primary: "No primary (the backup is paged first)",
  backup: "No backup",
};

/** A gap in plain words, times in the roster's zone: "No backup from Mon 7 Dec 08:00 to Mon 14 Dec 08:00 (7 days)". */
function gapInWords(gap: Omit<GapView, "inWords">, now: DateTime): string {
  const what = GAP_WORDS[gap.role];
  const started = gap.from.toMillis() <= now.toMillis();
  if (gap.to === null) return started ? `${what} now, and for the next year at least` : `${what} from ${rosterTime(gap.from)}, for a year at least`;
  const length = gapLength({ from: gap.from, to: gap.to });
  return started ? `${what} now, until ${rosterTime(gap.to)} (${length})` : `${what} from ${rosterTime(gap.from)} to ${rosterTime(gap.to)} (${length})`;
}

/** A moment as the roster page and on-call texts write it, in the zone it carries: `Mon 14 Dec 08:00`. */
export function rosterTime(time: DateTime): string {
  return time.setLocale("en-CA").toFormat("ccc d LLL HH:mm");
}
