import { DateTime } from "luxon";
import { z } from "zod";
import { toE164 } from "../../phone.js";
import { isIsoDate } from "../../hours/calendar.js";
import { quoted } from "../../hours/fields.js";

/*
 * The field-level schemas of the roster file that the hours file does not already have. Each
 * names the value as the supervisor wrote it, and carries a fix in `params.hint`, which
 * problemsFromIssues (shared with the hours file) passes on to the Problem.
 */

/** A category's name in the file (`power`, `water`, `roads`), as the call flow's dispatch state names it. */
export const CATEGORY_NAME = /^[a-z][a-z0-9-]{0,31}$/;

const MEMBER_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MEMBER_ID_MAX = 40;

/** What a written id would look like in kebab-case, to show in the fix: `"Pat Okafor"` -> `"pat-okafor"`. */
export function kebab(text: string): string {
  const words = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.join("-").replace(/^[^a-z]+/, "").slice(0, MEMBER_ID_MAX).replace(/-$/, "");
}

/** Whether `id` is written as a member id must be. */
export function isMemberId(id: string): boolean {
  return MEMBER_ID.test(id) && id.length <= MEMBER_ID_MAX;
}

/** A member's id: lowercase words joined by dashes (`pat`, `pat-okafor`), what the rotation refers to. */
export const memberId = z.string({ error: (issue) => `${quoted(issue.input)} is not a member id` }).superRefine((id, ctx) => {
  if (isMemberId(id)) return;
  const example = kebab(id);
  ctx.addIssue({
    code: "custom",
    message: `${quoted(id)} is not a member id`,
    params: {
      hint: `use lowercase letters, digits and dashes, starting with a letter, at most ${MEMBER_ID_MAX} characters${example && example !== id ? `, e.g. "${example}"` : ""}`,
    },
  });
});

/** A phone number in E.164 form (`+14035550123`), exactly as Twilio dials it. */
export const phone = z.string({ error: (issue) => `${quoted(issue.input)} is not a phone number` }).superRefine((written, ctx) => {
  const e164 = toE164(written);
  if (e164 === written) return;
  ctx.addIssue({
    code: "custom",
    message: `${quoted(written)} is not an E.164 phone number`,
    params: {
      hint: e164 ? `write it with + and the country code: "${e164}"` : 'write it with + and the country code, e.g. "+14035550123"',
    },
  });
});

/** The ways a member can be paged. */
export const CHANNELS = ["sms", "voice"] as const;
export type Channel = (typeof CHANNELS)[number];

export const channels = z
  .array(z.enum(CHANNELS, { error: (issue) => `unknown channel ${quoted(issue.input)}` }), {
    error: "channels must be a list: [sms], [voice] or [sms, voice]",
  })
  .min(1, { error: "channels is empty" })
  .superRefine((list, ctx) => {
    list.forEach((channel, index) => {
      if (list.indexOf(channel) < index) {
        ctx.addIssue({ code: "custom", path: [index], message: `${channel} is listed twice`, params: { hint: "list each channel once" } });
      }
    });
  })
  .default(["sms", "voice"]);

const WAIT = /^(\d{1,6})(s|m|h)$/;
const WAIT_HINT = 'write a number and a unit: "30s", "10m" or "1h"';
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;
const LONGEST_WAIT_MS = 24 * UNIT_MS.h;

/**
 * How long to wait for an acknowledgement, written `<number><unit>` (`2s`, `10m`, `1h`), as
 * milliseconds.
 */
export const wait = z
  .string({ error: (issue) => `${quoted(issue.input)} is not a wait` })
  .transform((written, ctx) => {
    const match = WAIT.exec(written.trim());
    if (!match) {
      ctx.addIssue({ code: "custom", message: `${quoted(written)} is not a wait`, params: { hint: WAIT_HINT } });
      return z.NEVER;
    }
    const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (ms === 0 || ms > LONGEST_WAIT_MS) {
      ctx.addIssue({
        code: "custom",
        message: `a wait of ${written} is ${ms === 0 ? "no wait at all" : "longer than a day"}`,
        params: { hint: "give people time to answer, from a few minutes up to 24h" },
      });
      return z.NEVER;
    }
    return ms;
  });

// The index that lets repeat reports find an incident lasts a day (a report nobody acknowledges
// joins for that long), so a longer window would promise what the index cannot keep.
const LONGEST_JOIN_MS = 24 * UNIT_MS.h;

/**
 * How long after an acknowledgement repeat reports of the same place still join the incident,
 * written like a wait (`30m`, `2h`), as milliseconds; up to 24 hours.
 */
export const joinWindow = z
  .string({ error: (issue) => `${quoted(issue.input)} is not a length of time` })
  .transform((written, ctx) => {
    const match = WAIT.exec(written.trim());
    if (!match) {
      ctx.addIssue({ code: "custom", message: `${quoted(written)} is not a length of time`, params: { hint: 'write a number and a unit: "30m" or "2h"' } });
      return z.NEVER;
    }
    const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (ms === 0 || ms > LONGEST_JOIN_MS) {
      ctx.addIssue({
        code: "custom",
        message: `${written} is ${ms === 0 ? "no time at all" : "longer than a day"}`,
        params: { hint: "a few hours is usual: long enough for the crew to get there and fix it" },
      });
      return z.NEVER;
    }
    return ms;
  });

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d$/;

/** Whether `text` is a local date (`2026-12-24`) or a local date and time (`2026-12-24T16:30`). */
export function isDateOrLocalDateTime(text: string): boolean {
  if (isIsoDate(text)) return true;
  return LOCAL_DATE_TIME.test(text) && isIsoDate(text.slice(0, 10)) && DateTime.fromISO(text, { zone: "utc" }).isValid;
}

/** Whether `text` is a date alone, which means the whole day. */
export function isDateOnly(text: string): boolean {
  return text.length === 10;
}

/** A local date (a whole day) or a local date and time, with no offset: the roster's zone decides the instant. */
export const dateOrLocalDateTime = z
  .string({ error: (issue) => `${quoted(issue.input)} is not a date` })
  .refine(isDateOrLocalDateTime, {
    error: (issue) => `${quoted(issue.input)} is not a date or a local date and time`,
    params: { hint: "write 2026-12-24 for a whole day, or 2026-12-24T16:30 for a time of day" },
  });
