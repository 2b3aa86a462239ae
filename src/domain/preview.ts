import { DateTime } from "luxon";
import { tryCall } from "./flow/try-call.js";
import type { Flow } from "./flow/schema.js";
import {
  activeOverride,
  lineStatus,
  listInWords,
  timeInWords,
  windowsInWords,
  type EmergencyOverride,
  type Hours,
  type LineBranch,
  type LineStatus,
} from "./hours/index.js";
import { escalationPlan, whoIsOnCall, type Role, type Roster } from "./oncall/roster/index.js";

export interface PreviewInput {
  /** The flow calls start in (`main`). */
  flow: Flow;
  hours: Hours;
  /** The emergency override as stored; whether it applies at `at` is worked out here. */
  override: EmergencyOverride | null;
  roster: Roster;
  /** Any instant, in any zone; the hours' zone decides the local time. */
  at: DateTime;
}

/** Who would be paged for one category's urgent report at the moment. */
export interface CategoryPreview {
  category: string;
  /** The roster's name for it: "Water and sewer". */
  label?: string;
  /** The first person paged, with the number shown only in part; null when the chain pages nobody. */
  firstPaged: { name: string; phone: string } | null;
  /** Every page of the chain in order, over all its rounds, with the minutes after the report it goes out. */
  chain: { name: string; role: Role; round: number; afterMinutes: number }[];
  /** Nobody is on call (no primary, no backup): the supervisor is paged at once. */
  gap: boolean;
}

/** What a call at one moment meets: which way it goes and why, what the caller hears first, and who is paged. */
export interface MomentPreview {
  /** The moment, in the hours' zone, ISO 8601 with its offset. */
  at: string;
  route: LineBranch;
  /** Why, in plain words: "Open until 4:30 p.m.", "Closed today for Christmas Day; opens again ...". */
  why: string;
  /** What the caller hears before the line first waits for them. */
  firstWords: string[];
  oncall: CategoryPreview[];
}

/**
 * "What happens if someone calls at …": the route the hours and the override give a call at
 * `at`, why, the words the caller hears first (the test phone with no replies, so the very engine
 * the webhook runs), and for each category of the roster who would be paged, in order. Pure.
 *
 * @example previewMoment({ flow, hours, override: null, roster, at: local("2026-12-25T10:00") })
 *   // { route: "holiday", why: "Closed today for Christmas Day; opens again Monday, December 28 at 8 a.m.", firstWords: [...], oncall: [...] }
 */
export function previewMoment(input: PreviewInput): MomentPreview {
  const { hours, roster, at } = input;
  const override = activeOverride(input.override, at);
  const status = lineStatus(hours, at, override);
  const firstWords = tryCall({ flow: input.flow, hours, override: input.override, roster, at, from: "", replies: [] }).turns[0]?.heard ?? [];
  return {
    at: at.setZone(hours.zone).toISO()!,
    route: status.branch,
    why: whyInWords(status, override, hours, at),
    firstWords,
    oncall: Object.entries(roster.categories).map(([category, crew]) => {
      const plan = escalationPlan(roster, category, at);
      const onCall = whoIsOnCall(roster, category, at);
      let waited = 0;
      const chain = plan.map((step) => {
        const page = { name: step.member.name, role: step.role, round: step.round, afterMinutes: Math.round(waited / 60_000) };
        waited += step.waitMs;
        return page;
      });
      const first = plan[0]?.member;
      return {
        category,
        label: crew.label,
        firstPaged: first ? { name: first.name, phone: maskedPhone(first.phone) } : null,
        chain,
        gap: onCall.primary === null && onCall.backup === null,
      };
    }),
  };
}

/** The route in words, with the next change and the supervisor's message when one is on. */
function whyInWords(status: LineStatus, override: EmergencyOverride | null, hours: Hours, at: DateTime): string {
  const local = at.setZone(hours.zone);
  const when = (moment: DateTime | string) => momentInWords(typeof moment === "string" ? DateTime.fromISO(moment) : moment, local, hours.zone);
  const until = override?.until ? ` until ${when(override.until)}` : "";
  let route: string;
  if (status.branch === "emergency") {
    route = `Closed by a supervisor${until}: every caller goes to the trouble line`;
  } else if (status.open) {
    const closes = status.closesAt ? ` until ${when(status.closesAt)}` : "";
    route = override?.mode === "open" ? `Opened by a supervisor${closes}: the day menu stays on` : `Open${closes} (${hours.summary})`;
  } else {
    route = closedInWords(status);
  }
  const opens = !status.open && status.opensAt ? `; opens again ${when(status.opensAt)}` : "";
  if (!override?.message) return `${route}${opens}`;
  // The end is said once: a closing by the supervisor said it already.
  const said = status.branch === "emergency";
  const message = `Emergency message on${said ? "" : until}: "${override.message}"`;
  return `${route}${opens}${opens.endsWith(".") || route.endsWith(".") && !opens ? " " : ". "}${message}`;
}

/** Why the line is closed, for a supervisor. */
function closedInWords(status: LineStatus): string {
  const why = status.why;
  if (!why) return status.reason === "weekend" ? "Closed for the weekend" : status.reason === "after hours" ? "Closed after hours" : `Closed: ${status.reason}`;
  switch (why.kind) {
    case "holiday":
      return `Closed today for ${listInWords(why.names)}`;
    case "emergency":
      return "Closed by a supervisor";
    case "closure":
      switch (why.when) {
        case "all-day":
          return `Closed all day for ${why.reason}`;
        case "opens-later":
          return `Closed until ${timeInWords(why.windows[0]!.open)} today, opening late for ${why.reason}`;
        case "closed-earlier":
          return `Closed early today, at ${timeInWords(why.windows.at(-1)!.close)}, for ${why.reason}`;
        case "between":
          return `Closed between today's shorter hours, ${windowsInWords(why.windows, "when-needed")}, for ${why.reason}`;
      }
  }
}

/** A moment as a supervisor reads it beside another: "6 p.m." the same day, else "Monday, December 28 at 8 a.m.". */
function momentInWords(moment: DateTime, from: DateTime, zone: string): string {
  const local = moment.setZone(zone);
  const time = timeInWords(local.toFormat("HH:mm"));
  return local.hasSame(from, "day") ? time : `${local.setLocale("en-CA").toFormat("cccc, MMMM d")} at ${time}`;
}

/**
 * A phone number shown in part, enough to tell two people apart on screen: `+1403•••0187`.
 * Anything too short to be a number is hidden whole.
 */
export function maskedPhone(phone: string): string {
  if (phone.length < 9) return "•••";
  return `${phone.slice(0, 5)}•••${phone.slice(-4)}`;
}
