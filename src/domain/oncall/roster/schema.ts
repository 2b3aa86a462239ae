import { DateTime } from "luxon";
import { z } from "zod";
import { WEEKDAYS, isIsoDate, weekdayNumber, type Weekday } from "../../hours/calendar.js";
import { isoDate, openingTime, quoted, text, weekday, zone } from "../../hours/fields.js";
import { didYouMean } from "../../validation.js";
import { CATEGORY_NAME, channels, dateOrLocalDateTime, isDateOnly, isDateOrLocalDateTime, isMemberId, joinWindow, kebab, memberId, phone, wait, type Channel } from "./fields.js";

/*
 * The on-call roster is data a supervisor edits by hand, so the schema is strict: an unknown or
 * misspelled field is refused rather than ignored. It is parsed as written, with two exceptions
 * the worker should not have to repeat: an escalation step's `wait` ("10m") becomes `waitMs`, and
 * fields left out get their defaults (channels, notifyResident, an empty week, no overrides).
 * Checks that need the whole category (does this id name a member?) run even when other parts of
 * the category are wrong, so one mistake does not hide the others.
 */

/** A person who can be paged: a crew member, or a category's supervisor. */
export interface Member {
  /** How the rotation and overrides refer to them: lowercase words joined by dashes (`pat`, `pat-okafor`). */
  id: string;
  /** As the crew and the resident know them: "Pat Okafor". */
  name: string;
  /** E.164, as Twilio dials it: `+14035550123`. */
  phone: string;
  /**
   * How they are paged, in order.
   * @defaultValue `["sms", "voice"]`
   */
  channels: Channel[];
}

/** When one week of the rotation hands over to the next: a weekday and a local time. */
export interface Handoff {
  day: Weekday;
  /** `HH:mm`, local to the roster's zone, on both sides of a DST change. */
  time: string;
}

/** Who is on call for one week of the rotation, by member id; null is nobody. */
export interface RotationWeek {
  primary: string | null;
  backup: string | null;
}

/**
 * Who is on call, week by week, cycling through `weeks` forever. Week 1 begins on `start` at the
 * handoff time; before that nobody is on call.
 */
export interface Rotation {
  handoff: Handoff;
  /** A local date `yyyy-MM-dd` on the handoff weekday. */
  start: string;
  weeks: RotationWeek[];
}

/**
 * A dated change to the rotation: "Pat covers 24–26 December". `from` and `to` are local dates or
 * local date-times (`2026-12-24T16:30`). A date-only `from` starts at the beginning of that day; a
 * date-only `to` runs to the end of that day. A role left out is unchanged; a role set to null
 * is nobody. When overrides overlap, the later one in the list wins, role by role.
 */
export interface RosterOverride {
  from: string;
  to: string;
  primary?: string | null;
  backup?: string | null;
  /** Why, in a few words: shown as the reason this arrangement applies. */
  reason: string;
}

/** The roles an escalation step can page. */
export const ROLES = ["primary", "backup", "supervisor"] as const;
export type Role = (typeof ROLES)[number];

export interface EscalationStep {
  notify: Role;
  /** How long to wait for an acknowledgement before the next step, in milliseconds. */
  waitMs: number;
}

/** Who is paged in what order, and how many times the whole chain is gone through. */
export interface Escalation {
  steps: EscalationStep[];
  /** 1 to 10. */
  rounds: number;
}

/** One category of urgent reports (`power`, `water`, `roads`) and the crew that answers it. */
export interface CategoryRoster {
  /** What people call it: "Electric", "Water and sewer". */
  label: string;
  /**
   * Whether the resident who reported gets an SMS when a crew member acknowledges.
   * @defaultValue true
   */
  notifyResident: boolean;
  /**
   * How long after a crew member acknowledged an incident repeat reports of the same place still
   * join it, in milliseconds (`repeatsJoinFor: "2h"` in the file). Later reports open a new
   * incident and page whoever is on call then: the first crew may have left, or never come.
   * @defaultValue 2 hours
   */
  repeatsJoinForMs: number;
  /** The category's supervisor line: paged when nobody else answers, and at once when nobody is on call. */
  supervisor: Member;
  members: Member[];
  rotation: Rotation;
  overrides: RosterOverride[];
  escalation: Escalation;
}

/** The whole `oncall.yaml` document. */
export interface Roster {
  /** IANA time zone every local date and time in the file is in: `America/Edmonton`. */
  zone: string;
  /** By category name, as the call flow's dispatch state names it. */
  categories: Record<string, CategoryRoster>;
}

const memberFields = {
  id: memberId,
  name: text("name", 100),
  phone,
  channels,
};
const member = z.strictObject(memberFields, {
  error: (issue) => (issue.code === "invalid_type" && issue.input !== undefined ? "a member must have id, name and phone" : undefined),
});

const handoff = z.strictObject(
  { day: weekday, time: openingTime },
  { error: (issue) => (issue.code === "invalid_type" && issue.input !== undefined ? 'handoff must have a day and a time, e.g. { day: monday, time: "08:00" }' : undefined) },
);

const nobodyOr = (id: typeof memberId) => id.nullable().default(null);
const rotationWeek = z.strictObject(
  { primary: nobodyOr(memberId), backup: nobodyOr(memberId) },
  { error: (issue) => (issue.code === "invalid_type" && issue.input !== undefined ? "a week must name its primary and backup, e.g. { primary: pat, backup: sam }" : undefined) },
);

const rotationFields = {
  handoff,
  start: isoDate,
  weeks: z.array(rotationWeek, { error: "weeks must be a list of { primary, backup }" }).min(1, { error: "weeks is empty" }),
};
const rotation = z
  .strictObject(rotationFields, {
    error: (issue) => (issue.code === "invalid_type" && issue.input !== undefined ? "rotation must have handoff, start and weeks" : undefined),
  })
  .superRefine(startsOnHandoffDay);

/** Week 1 begins at `start`, so `start` must be a handoff day, or week 1 would be short or long. */
function startsOnHandoffDay(value: { handoff: Handoff; start: string }, ctx: z.RefinementCtx): void {
  const { start, handoff } = value;
  if (!isIsoDate(start) || !WEEKDAYS.includes(handoff.day)) return;
  const date = DateTime.fromISO(start, { zone: "utc" });
  if (date.weekday === weekdayNumber(handoff.day)) return;
  const before = date.minus({ days: (date.weekday - weekdayNumber(handoff.day) + 7) % 7 });
  ctx.addIssue({
    code: "custom",
    path: ["start"],
    message: `${start} is a ${WEEKDAYS[date.weekday - 1]}, not the handoff day (${handoff.day})`,
    params: { hint: `start the rotation on a ${handoff.day}, e.g. ${before.toFormat("yyyy-MM-dd")}` },
  });
}

const overrideFields = {
  from: dateOrLocalDateTime,
  to: dateOrLocalDateTime,
  primary: memberId.nullable().optional(),
  backup: memberId.nullable().optional(),
  reason: text("reason", 200),
};
const override = z
  .strictObject(overrideFields, {
    error: (issue) => (issue.code === "invalid_type" && issue.input !== undefined ? "an override must have from, to, reason and primary or backup" : undefined),
  })
  .superRefine((entry, ctx) => {
    if (entry.primary === undefined && entry.backup === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "changes nobody",
        params: { hint: "add primary and/or backup; write primary: null to leave nobody on call" },
      });
    }
    endsAfterItStarts(entry, ctx);
  });

/** The wall-clock moment an override's `from` starts, or its `to` ends, as a zone-free DateTime for comparing. */
function wallClockEdge(written: string, edge: "from" | "to"): DateTime {
  const wallClock = DateTime.fromISO(written, { zone: "utc" });
  return edge === "to" && isDateOnly(written) ? wallClock.plus({ days: 1 }) : wallClock;
}

function endsAfterItStarts(entry: { from: string; to: string }, ctx: z.RefinementCtx): void {
  if (!isDateOrLocalDateTime(entry.from) || !isDateOrLocalDateTime(entry.to)) return;
  if (wallClockEdge(entry.to, "to") > wallClockEdge(entry.from, "from")) return;
  ctx.addIssue({
    code: "custom",
    path: ["to"],
    message: `ends at ${entry.to}, before it starts at ${entry.from}`,
    params: { hint: "to is the last day covered (or the time it ends): it cannot come before from" },
  });
}

const stepFields = {
  notify: z.enum(ROLES, { error: (issue) => `unknown role ${quoted(issue.input)}` }),
  wait,
};
const step = z
  .strictObject(stepFields, {
    error: (issue) => (issue.code === "invalid_type" && issue.input !== undefined ? 'a step must have notify and wait, e.g. { notify: primary, wait: "10m" }' : undefined),
  })
  .transform(({ notify, wait }): EscalationStep => ({ notify, waitMs: wait }));

const ROUNDS_MESSAGE = "rounds must be a whole number from 1 to 10";
const escalationFields = {
  steps: z.array(step, { error: "steps must be a list of { notify, wait }" }).min(1, { error: "steps is empty" }),
  rounds: z.int({ error: ROUNDS_MESSAGE }).min(1, { error: ROUNDS_MESSAGE }).max(10, { error: ROUNDS_MESSAGE }),
};
const escalation = z
  .strictObject(escalationFields, {
    error: (issue) => (issue.code === "invalid_type" && issue.input !== undefined ? "escalation must have steps and rounds" : undefined),
  })
  .superRefine((value, ctx) => {
    // Nobody on call pages the supervisor at once; that only works if the chain reaches them.
    if (value.steps.some((entry) => entry.notify === "supervisor")) return;
    ctx.addIssue({
      code: "custom",
      path: ["steps"],
      message: "never pages the supervisor",
      params: { hint: 'end the steps with { notify: supervisor, wait: "15m" }' },
    });
  });

/** How long repeat reports join an acknowledged incident unless the category says otherwise. */
export const DEFAULT_REPEATS_JOIN_FOR = "2h";
/** {@link DEFAULT_REPEATS_JOIN_FOR} in milliseconds, for categories the roster does not have. */
export const DEFAULT_REPEATS_JOIN_FOR_MS: number = joinWindow.parse(DEFAULT_REPEATS_JOIN_FOR);

const categoryFields = {
  label: text("label", 100),
  notifyResident: z.boolean({ error: "notifyResident must be true or false" }).default(true),
  repeatsJoinFor: joinWindow.prefault(DEFAULT_REPEATS_JOIN_FOR),
  supervisor: member,
  members: z.array(member, { error: "members must be a list of { id, name, phone }" }).min(1, { error: "members is empty" }),
  rotation,
  overrides: z.array(override, { error: "overrides must be a list of { from, to, primary, backup, reason }" }).default([]),
  escalation,
};
const category = z
  .strictObject(categoryFields, {
    error: (issue) => (issue.code === "invalid_type" && issue.input !== undefined ? "a category must have label, supervisor, members, rotation and escalation" : undefined),
  })
  // Runs even when another part of the category is wrong, so a typo in an id is never hidden.
  .superRefine((value, ctx) => checkMemberReferences(value, ctx), { when: () => true })
  .transform(({ repeatsJoinFor, ...rest }): CategoryRoster => ({ ...rest, repeatsJoinForMs: repeatsJoinFor }));

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * Every id the rotation and the overrides name must be a member's; ids are unique; nobody is their
 * own backup. Reads the category defensively: it may be only partly valid.
 */
function checkMemberReferences(value: unknown, ctx: z.RefinementCtx): void {
  if (!isObject(value) || !Array.isArray(value["members"])) return;
  const ids = value["members"].map((entry: unknown) => (isObject(entry) && typeof entry["id"] === "string" ? entry["id"] : undefined));
  ids.forEach((id, index) => {
    const first = ids.indexOf(id);
    if (id !== undefined && first < index) {
      ctx.addIssue({
        code: "custom",
        path: ["members", index, "id"],
        message: `"${id}" is already the id of members[${first}]`,
        params: { hint: "give each member their own id" },
      });
    }
  });
  const known = ids.filter((id): id is string => id !== undefined);
  // A member whose id is itself misspelled ("Pat") is already reported, with the id to write
  // instead ("pat"); a reference to that id is not a second mistake.
  const meantIds = new Set(known.filter((id) => !isMemberId(id)).map(kebab));
  const supervisorId = isObject(value["supervisor"]) && typeof value["supervisor"]["id"] === "string" ? value["supervisor"]["id"] : undefined;

  const checkPair = (entry: unknown, path: PropertyKey[]) => {
    if (!isObject(entry)) return;
    for (const role of ["primary", "backup"] as const) {
      const id = entry[role];
      if (typeof id !== "string" || known.includes(id) || meantIds.has(id)) continue;
      ctx.addIssue({
        code: "custom",
        path: [...path, role],
        message: `unknown member "${id}"`,
        params: { hint: unknownMemberHint(id, known, supervisorId) },
      });
    }
    if (typeof entry["primary"] === "string" && entry["primary"] === entry["backup"]) {
      ctx.addIssue({
        code: "custom",
        path: [...path, "backup"],
        message: `"${entry["primary"]}" is both primary and backup`,
        params: { hint: "choose someone else as backup, or leave backup out" },
      });
    }
  };
  const rotationValue = value["rotation"];
  if (isObject(rotationValue) && Array.isArray(rotationValue["weeks"])) {
    rotationValue["weeks"].forEach((week: unknown, index) => checkPair(week, ["rotation", "weeks", index]));
  }
  if (Array.isArray(value["overrides"])) value["overrides"].forEach((entry: unknown, index) => checkPair(entry, ["overrides", index]));
}

function unknownMemberHint(id: string, known: readonly string[], supervisorId: string | undefined): string {
  if (id === supervisorId) return `"${id}" is the supervisor; to put them in the rotation, add them to members too`;
  const suggestion = didYouMean(id, known);
  if (suggestion) return `did you mean "${suggestion}"?`;
  return known.length > 0 ? `use one of the ids under members: ${known.join(", ")}` : "add them to members first";
}

const categories = z
  .record(z.string(), category, { error: "categories must be a mapping from a category name (power, water, roads) to its crew" })
  .superRefine(
    (value, ctx) => {
      if (!isObject(value)) return;
      const names = Object.keys(value);
      if (names.length === 0) {
        ctx.addIssue({ code: "custom", message: "categories is empty", params: { hint: "add a category such as power, water or roads" } });
      }
      for (const name of names) {
        if (CATEGORY_NAME.test(name)) continue;
        const example = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+/, "").slice(0, 32);
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `"${name}" is not a category name`,
          params: {
            hint: `use lowercase letters, digits and dashes, starting with a letter, up to 32 characters${example ? `, e.g. "${example}"` : ""}`,
          },
        });
      }
    },
    { when: () => true },
  );

const TOP_LEVEL_FIELDS = ["zone", "categories"] as const;

/**
 * The field names allowed in the object at `path` of a roster document, for suggesting the
 * intended one when a field is misspelled.
 */
export function rosterFieldNamesAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return TOP_LEVEL_FIELDS;
  if (path[0] !== "categories" || path.length < 2) return [];
  // Within a category: the field, then list indexes and nested fields.
  const within = path.slice(2).map((key) => (typeof key === "number" ? "[]" : String(key))).join(".");
  const fields: Record<string, readonly string[]> = {
    "": Object.keys(categoryFields),
    supervisor: Object.keys(memberFields),
    "members.[]": Object.keys(memberFields),
    rotation: Object.keys(rotationFields),
    "rotation.handoff": ["day", "time"],
    "rotation.weeks.[]": ["primary", "backup"],
    "overrides.[]": Object.keys(overrideFields),
    escalation: Object.keys(escalationFields),
    "escalation.steps.[]": Object.keys(stepFields),
  };
  return fields[within] ?? [];
}

/**
 * The whole `oncall.yaml` document, as written (waits like `"10m"`), giving the Roster (waits in
 * milliseconds). Use `parseRoster` for YAML text; use this directly for a document that is
 * already an object (from the console, or Redis).
 */
export const RosterSchema: z.ZodType<Roster> = z.strictObject(
  { zone, categories },
  {
    error: (issue) =>
      issue.code === "invalid_type"
        ? `expected the on-call roster (${TOP_LEVEL_FIELDS.join(", ")}), found ${Array.isArray(issue.input) ? "a list" : quoted(issue.input)}`
        : undefined,
  },
);
