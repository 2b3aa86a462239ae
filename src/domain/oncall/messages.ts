import { DateTime } from "luxon";
import { spellDigits } from "../phone.js";
import type { UrgentReport } from "../report.js";

/**
 * What a page must fit in: two SMS segments. Joined segments carry 153 GSM-7 characters each
 * (a lone one 160), so two hold 306.
 */
export const MAX_PAGE_LENGTH = 306;

/** `+14035550123` as people write it: `403-555-0123`. */
function readable(number: string | null): string {
  if (!number) return "withheld";
  const match = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(number);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : number;
}

function when(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { setZone: true }).setZone(zone).toFormat("HH:mm ccc d LLL");
}

// GSM-7 has no backtick and sends [ ] { } \ | ~ as two septets each, which a length in characters
// would not count; the rest are what phones and speech recognisers write for plain punctuation.
const GSM_LOOKALIKES: Record<string, string> = {
  "`": "'", "[": "(", "]": ")", "{": "(", "}": ")", "\\": "/", "|": "/", "~": "-",
  "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
  "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
  "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
  "\u2026": "...",
};

/**
 * Text as plain printable ASCII that GSM-7 sends one character per septet. One character outside
 * GSM-7 (’ “ – … é) switches the whole SMS to UCS-2, where two segments hold 134 characters, not
 * 306. So accents are dropped; quotes, dashes and the ellipsis take their ASCII forms; whitespace
 * becomes one space, invisible characters nothing, and anything else `?`.
 *
 * @example gsmSafe("Côté’s place — “the red door”…") // `Cote's place - "the red door"...`
 */
export function gsmSafe(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\p{M}\p{Cf}]/gu, "")
    .replace(/[\s\p{Z}\p{Cc}]+/gu, " ")
    .replace(/[^\x20-\x7e]|[`[\]{}\\^|~]/gu, (char) => GSM_LOOKALIKES[char] ?? "?")
    .trim();
}

function shorten(text: string, max: number): string {
  // "..." rather than "…", which is not in the GSM-7 alphabet and would triple the segments.
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 3)).trimEnd()}...`;
}

/**
 * `${before}${place}${after}` in at most MAX_PAGE_LENGTH, shortening only the place: the
 * reference, the callback number and how to reply are what the reader acts on. The place ends a
 * sentence, so its own full stops are dropped.
 */
function aroundPlace(before: string, place: string, after: string): string {
  const room = MAX_PAGE_LENGTH - before.length - after.length;
  return `${before}${shorten(place.replace(/\.+$/, ""), room)}${after}`;
}

/**
 * The page SMS: reference, category, place, callback number, time reported, and exactly how to
 * reply, in at most two GSM-7 segments. Only the place is shortened when it is long; a recorded
 * place is given as its URL. The place and the label are made {@link gsmSafe}.
 */
export function pageSms(report: UrgentReport, label: string, zone: string): string {
  const head = `311 URGENT ${gsmSafe(label)} #${report.reference}. `;
  const tail = `. Caller ${readable(report.callbackNumber)}. Reported ${when(report.receivedAt, zone)}. Reply ACK ${report.reference} to take it, DONE ${report.reference} when fixed.`;
  const place = report.recordingUrl ? `Place recorded: ${report.recordingUrl}` : `At: ${report.location}`;
  return aroundPlace(head, gsmSafe(place), tail);
}

/** What the voice page says, before "press 1 to take it, 2 to hear it again". */
export function pageSpeech(report: UrgentReport, label: string, zone: string): string[] {
  return [
    "This is an urgent page from the City of Lethbridge 3 1 1 line.",
    `A ${label} report, reference ${spellDigits(report.reference)}.`,
    report.recordingUrl ? "The caller recorded the place. Listen after this message, or in the text page." : `The place: ${report.location}.`,
    `Reported at ${DateTime.fromISO(report.receivedAt, { setZone: true }).setZone(zone).toFormat("h:mm a")}. The caller's number is ${report.callbackNumber ? spellDigits(report.callbackNumber) : "withheld"}.`,
  ];
}

export const pagePressPrompt = "To take it, press 1. To hear it again, press 2.";

/** The short reply a crew member gets for each command. */
export const crewReplies = {
  acknowledged: (reference: string) => `311 #${reference} is yours. Reply DONE ${reference} when it is fixed.`,
  alreadyYours: (reference: string) => `311 #${reference} is already yours. Reply DONE ${reference} when it is fixed.`,
  takenBy: (reference: string, name: string, at: string, zone: string) =>
    `311 #${reference} was already taken by ${gsmSafe(name)} at ${when(at, zone)}.`,
  resolved: (reference: string) => `311 #${reference} is resolved. Thank you.`,
  alreadyResolved: (reference: string) => `311 #${reference} was already resolved.`,
  notFound: (reference: string) => `No incident #${reference} for your crew. Check the number in the page.`,
  nothingPaged: "You have no page to acknowledge. Reply ACK followed by the reference in the page.",
  help: "311 on-call: ACK <ref> takes an incident (ACK alone: your latest page). DONE <ref> marks it fixed. HELP shows this.",
  hint: "Not understood. Reply ACK <ref>, DONE <ref> or HELP.",
  stranger: "This number is not on a City of Lethbridge on-call roster.",
} as const;

/** What the voice page says after a keypress, or when it is fetched for an incident already taken. */
export const keypressReplies = {
  taken: (name: string, reference: string) =>
    `Thank you, ${name}. Reference ${spellDigits(reference)} is yours. Text DONE ${spellDigits(reference)} when it is fixed. Goodbye.`,
  alreadyYours: (reference: string) => `Reference ${spellDigits(reference)} is already yours. Goodbye.`,
  takenBy: (reference: string, name: string | undefined) =>
    `Reference ${spellDigits(reference)} has already been taken${name ? ` by ${name}` : ""}. Thank you. Goodbye.`,
  resolved: (reference: string) => `Reference ${spellDigits(reference)} is already resolved. Goodbye.`,
  inactive: "This page is no longer active. Goodbye.",
} as const;

/** The update the person holding an incident gets when more reports of it come in. */
export function moreReportsSms(reference: string, count: number): string {
  return `311 #${reference}: ${count} more ${count === 1 ? "report" : "reports"} of this problem came in. Reply DONE ${reference} when it is fixed.`;
}

/** To the resident who reported it, once a crew has it. */
export function residentSms(reference: string): string {
  return `City of Lethbridge 311: your report ${reference} has been received by the on-call crew. Thank you.`;
}

/** To the supervisor when the last round went unanswered; like the page, only the place is shortened. */
export function alarmSms(report: UrgentReport, label: string): string {
  return aroundPlace(
    `311 ALARM: nobody acknowledged ${gsmSafe(label)} #${report.reference} after every round of pages. At: `,
    gsmSafe(report.location),
    `. Caller ${readable(report.callbackNumber)}. Reply ACK ${report.reference} to take it.`,
  );
}
