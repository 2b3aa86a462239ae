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
 * Whether the report's `location` is a placeholder the line wrote ("(not given)", "(recorded:
 * listen to the recording)") rather than words a caller said.
 */
export function isPlaceholderPlace(location: string): boolean {
  return /^\s*(\(.*\))?\s*$/s.test(location);
}

/**
 * How a page names the place: as said and confirmed, as heard when speech was unsure or the caller
 * said it was wrong (their recording, when there is one, is the truth then), or not at all when
 * nothing was understood. Null when there is
 * nothing to name.
 */
function placeText(report: UrgentReport): string | null {
  if (isPlaceholderPlace(report.location)) return null;
  if (report.locationConfirmed) return `At (caller confirmed): ${report.location}`;
  if (report.recordingUrl || report.locationUnsure) return `Heard (unsure): ${report.location}`;
  return `At: ${report.location}`;
}

/**
 * What an SMS says of a recording, instead of its address: a recording's URL in a text message
 * could be forwarded and played by anyone, and a crew member cannot act on it anyway.
 */
export const RECORDING_IN_SMS = "Caller's words recorded: answer the voice page and press 3 to hear them.";

/** `head`, the place (shortened if need be), then `after`, whether or not there is a place to name. */
function withPlace(head: string, report: UrgentReport, after: string): string {
  const place = placeText(report);
  if (place === null) return `${head}${after.replace(/^\.\s*/, "")}`;
  return aroundPlace(head, gsmSafe(place), after);
}

/**
 * The page SMS: reference, category, place, callback number, time reported, and exactly how to
 * reply, in at most two GSM-7 segments. Only the place is shortened when it is long. A recording
 * never goes out as text: the SMS says it exists and how to hear it. The place and the label are
 * made {@link gsmSafe}.
 */
export function pageSms(report: UrgentReport, label: string, zone: string): string {
  const head = `311 URGENT ${gsmSafe(label)} #${report.reference}. ${report.pageSupervisor ? "Caller could not use the menu. " : ""}`;
  const recorded = report.recordingUrl ? ` ${RECORDING_IN_SMS}` : "";
  const tail = `.${recorded} Caller ${readable(report.callbackNumber)}. Reported ${when(report.receivedAt, zone)}. Reply ACK ${report.reference} to take it, DONE ${report.reference} when fixed.`;
  return withPlace(head, report, tail);
}

/**
 * "a Water and sewer", "an Electric": the article a label takes when read aloud, by its first
 * sound. Words that start with a vowel letter but a consonant sound ("Utility", "One-way") take
 * "a"; a silent h ("Hour") takes "an".
 */
export function withArticle(label: string): string {
  const word = label.trim().toLowerCase();
  const vowelSound = /^(hour|honest|honou?r|heir)/.test(word) || (/^[aeiou]/.test(word) && !/^(uni|use|usu|uti|ure|uro|eu|ewe|one\b|one-|once)/.test(word));
  return `${vowelSound ? "an" : "a"} ${label}`;
}

/** What the voice page says, before the keys it offers ({@link pagePressPrompt}). */
export function pageSpeech(report: UrgentReport, label: string, zone: string): string[] {
  const kind = withArticle(label);
  const place = isPlaceholderPlace(report.location)
    ? []
    : report.locationConfirmed
      ? [`The place: ${report.location}. The caller confirmed it.`]
      : report.recordingUrl || report.locationUnsure
        ? [`The place as the line heard it, which may be wrong: ${report.location}.`]
        : [`The place: ${report.location}.`];
  return [
    "This is an urgent page from the City of Lethbridge 3 1 1 line.",
    `${kind.charAt(0).toUpperCase()}${kind.slice(1)} report, reference ${spellDigits(report.reference)}.`,
    ...(report.pageSupervisor ? ["The caller could not use the menu."] : []),
    ...place,
    ...(report.recordingUrl ? ["The caller's own words are recorded."] : []),
    `Reported at ${DateTime.fromISO(report.receivedAt, { setZone: true }).setZone(zone).toFormat("h:mm a")}. The caller's number is ${report.callbackNumber ? spellDigits(report.callbackNumber) : "withheld"}.`,
  ];
}

/** The keys the voice page offers; 3 only when the caller's words were recorded. */
export function pagePressPrompt(hasRecording: boolean): string {
  return `To take it, press 1. To hear it again, press 2.${hasRecording ? " To hear the caller's words, press 3." : ""}`;
}

/** An incident as a reply lists it: `#100234 Water and sewer at 5th Ave and 13 St S`. */
export interface IncidentSummary {
  reference: string;
  label: string;
  /** The first report: its place, or that the place was recorded. */
  report: UrgentReport;
}

const SUMMARY_PLACE_LENGTH = 40;

function summary(incident: IncidentSummary): string {
  const place = isPlaceholderPlace(incident.report.location)
    ? incident.report.recordingUrl
      ? "words recorded"
      : "place not given"
    : `at ${shorten(incident.report.location.replace(/\.+$/, ""), SUMMARY_PLACE_LENGTH)}`;
  return gsmSafe(`#${incident.reference} ${incident.label} ${place}`);
}

/** `intro` and as many summaries as fit before `outro` in two segments, then how many did not. */
function listed(intro: string, groups: { title: string; items: IncidentSummary[] }[], outro: string): string {
  const total = groups.reduce((count, group) => count + group.items.length, 0);
  const more = (count: number) => (count > 0 ? ` (+${count} more)` : "");
  let text = intro;
  let shown = 0;
  fill: for (const group of groups) {
    const parts: string[] = [];
    for (const item of group.items) {
      const candidate = [...parts, summary(item)];
      if (`${text} ${group.title} ${candidate.join("; ")}.${more(total - shown - 1)} ${outro}`.length > MAX_PAGE_LENGTH) {
        if (parts.length > 0) text += ` ${group.title} ${parts.join("; ")}.`;
        break fill;
      }
      parts.push(summary(item));
      shown++;
    }
    if (parts.length > 0) text += ` ${group.title} ${parts.join("; ")}.`;
  }
  return `${text}${more(total - shown)} ${outro}`;
}

/** `#100009 is part of #100001. `: said when a reply names a joined report's own reference. */
function via(asked: string, reference: string): string {
  return asked === reference ? "" : `#${asked} is part of #${reference}. `;
}

/** The short reply a crew member gets for each command. */
export const crewReplies = {
  acknowledged: (reference: string, asked = reference) =>
    `311 ${via(asked, reference)}#${reference} is yours. Reply DONE ${reference} when it is fixed.`,
  /** A bare ACK took their only open page: what they took, so they can tell it is the one they meant. */
  acknowledgedOnly: (incident: IncidentSummary) =>
    `311 ${summary(incident)} is yours. Reply DONE ${incident.reference} when it is fixed.`,
  alreadyYours: (reference: string, asked = reference) =>
    `311 ${via(asked, reference)}#${reference} is already yours. Reply DONE ${reference} when it is fixed.`,
  takenBy: (reference: string, name: string, at: string, zone: string, asked = reference) =>
    `311 ${via(asked, reference)}#${reference} was already taken by ${gsmSafe(name)} at ${when(at, zone)}.`,
  resolved: (reference: string, asked = reference) => `311 ${via(asked, reference)}#${reference} is resolved. Thank you.`,
  alreadyResolved: (reference: string, asked = reference) => `311 ${via(asked, reference)}#${reference} was already resolved.`,
  /** DONE from someone who neither holds it nor supervises it. */
  heldBy: (reference: string, name: string, at: string, zone: string, asked = reference) =>
    `311 ${via(asked, reference)}#${reference} is held by ${gsmSafe(name)} since ${when(at, zone)}. Only they or the supervisor can mark it fixed.`,
  /** DONE for an incident nobody has taken, from someone who was not paged for it. */
  notTakenYet: (reference: string, asked = reference) =>
    `311 ${via(asked, reference)}Nobody has taken #${reference} yet. If it is yours, reply ACK ${reference} first, then DONE ${reference}.`,
  notFound: (reference: string) => `No incident #${reference} for your crew. Check the number in the page.`,
  /** To the others paged for an incident, once someone has taken it. */
  takenByOther: (reference: string, name: string) => `311 #${reference} was taken by ${gsmSafe(name)}. No need to act on it.`,
  nothingPaged: "You have no open page to take. Reply ACK followed by the number in the page, e.g. ACK 100234.",
  /** A bare ACK while more than one page waits: which one? */
  chooseAck: (open: IncidentSummary[]) =>
    listed(`311: you have ${open.length} open pages.`, [{ title: "Open:", items: open }], `Reply ACK and the number, e.g. ACK ${open[0]!.reference}.`),
  /** A bare DONE: it never guesses which one is fixed. */
  doneNeedsReference: (held: IncidentSummary[], paged: IncidentSummary[]) =>
    held.length + paged.length === 0
      ? "311: DONE needs the number of what is fixed, e.g. DONE 100234. You hold no open incident."
      : listed(
          "311: DONE needs the number of what is fixed.",
          [
            { title: "Yours:", items: held },
            { title: "Paged, not taken:", items: paged },
          ],
          `Reply DONE and the number, e.g. DONE ${(held[0] ?? paged[0])!.reference}.`,
        ),
  help: "311 on-call: ACK <ref> takes an incident (ACK alone: your only open page). DONE <ref> marks it fixed. HELP shows this.",
  hint: "Not understood. Reply ACK <ref>, DONE <ref> or HELP.",
  /** Anyone else: nothing about any incident, and where to turn. */
  stranger: "City of Lethbridge 311: this number does not take messages. To report a problem, call 311. If anyone is in danger, call 911.",
} as const;

/** Where a resident's report stands, in their words. */
export type ReportStanding = "paging" | "taken" | "fixed" | "received";

const STANDING: Record<ReportStanding, string> = {
  received: "has been received",
  paging: "has been received and the on-call crew is being paged",
  taken: "has been received and a crew has it",
  fixed: "has been received and the crew has marked the problem fixed. If it is still there, call 311",
};

/** The reply to a resident who texts the paging number (or answers the "a crew has it" SMS). */
export function residentReply(reference: string, standing: ReportStanding): string {
  return `City of Lethbridge 311: your report ${reference} ${STANDING[standing]}. This number does not take messages: to add anything, call 311. If anyone is in danger, call 911.`;
}

/** What the voice page says after a keypress, or when it is fetched for an incident already taken. */
export const keypressReplies = {
  taken: (name: string, reference: string) =>
    `Thank you, ${name}. Reference ${spellDigits(reference)} is yours. Text DONE ${spellDigits(reference)} when it is fixed. Goodbye.`,
  alreadyYours: (reference: string) => `Reference ${spellDigits(reference)} is already yours. Goodbye.`,
  takenBy: (reference: string, name: string | undefined) =>
    `Reference ${spellDigits(reference)} has already been taken${name ? ` by ${name}` : ""}. Thank you. Goodbye.`,
  resolved: (reference: string) => `Reference ${spellDigits(reference)} is already resolved. Goodbye.`,
  inactive: "This page is no longer active. Goodbye.",
  /** Before the caller's recording plays. */
  recording: "The caller's own words.",
  noRecording: "There is no recording for this page.",
} as const;

/** The update the person holding an incident gets when more reports of it come in. */
export function moreReportsSms(reference: string, count: number): string {
  return `311 #${reference}: ${count} more ${count === 1 ? "report" : "reports"} of this problem came in. Reply DONE ${reference} when it is fixed.`;
}

/** To the resident who reported it, once a crew has it. */
export function residentSms(reference: string): string {
  return `City of Lethbridge 311: your report ${reference} has been received by the on-call crew. Thank you. To add anything, call 311.`;
}

/** To the supervisor when the last round went unanswered; like the page, only the place is shortened. */
export function alarmSms(report: UrgentReport, label: string): string {
  return withPlace(
    `311 ALARM: nobody acknowledged ${gsmSafe(label)} #${report.reference} after every round of pages. `,
    report,
    `.${report.recordingUrl ? ` ${RECORDING_IN_SMS}` : ""} Caller ${readable(report.callbackNumber)}. Reply ACK ${report.reference} to take it.`,
  );
}

/** What the alarm of a report that could not be handled knows: whatever of the report could be read. */
export interface UnhandledReport {
  reference?: string | undefined;
  category?: string | undefined;
  location?: string | undefined;
  locationConfirmed?: boolean | undefined;
  recordingUrl?: string | undefined;
  callbackNumber?: string | null | undefined;
  receivedAt?: string | undefined;
}

/**
 * To the supervisors when a report could not be handed to the crew at all (its job failed every
 * attempt): nobody has been paged, so they must page someone themselves.
 */
export function unhandledReportSms(report: UnhandledReport, label: string, zone: string): string {
  const reference = report.reference ? ` #${report.reference}` : "";
  const received = report.receivedAt && DateTime.fromISO(report.receivedAt, { setZone: true }).isValid ? ` Reported ${when(report.receivedAt, zone)}.` : "";
  const recorded = report.recordingUrl ? " Caller's words recorded: the line's error log has the recording." : "";
  const asReport: UrgentReport = {
    reference: report.reference ?? "0000",
    category: report.category ?? "",
    location: report.location ?? "",
    ...(report.locationConfirmed ? { locationConfirmed: true } : {}),
    ...(report.recordingUrl ? { recordingUrl: report.recordingUrl } : {}),
    callbackNumber: report.callbackNumber ?? null,
    callSid: "",
    receivedAt: report.receivedAt ?? "",
  };
  return withPlace(
    `311 ALARM: ${gsmSafe(label)} report${reference} could not be sent to the crew. NOBODY WAS PAGED: please call the crew yourself. `,
    asReport,
    `.${recorded} Caller ${readable(report.callbackNumber ?? null)}.${received}`,
  );
}
