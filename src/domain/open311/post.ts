/**
 * What can be posted to the line's GeoReport v2 endpoint: a new request (`POST requests.json`,
 * the City's web form) and a department's word on one of its requests (`POST
 * requests/{id}/updates`). Both arrive form-encoded or as JSON, so every field comes as text and
 * an empty field is no field.
 */
import { isDeepStrictEqual } from "node:util";
import { DateTime } from "luxon";
import { z } from "zod";
import type { Department } from "../departments.js";
import { toE164 } from "../phone.js";
import { keepableText } from "../plain-text.js";
import { CALLBACK_SERVICE, type RequestNote, type RequestStatus, type ServiceRequest } from "../records.js";
import { Open311Error, Open311ValidationError } from "./errors.js";

/** The spec's limit on a description. */
export const MAX_DESCRIPTION = 4_000;

/** Forms send blank fields as empty strings; they mean "not given". */
const blank = (value: unknown) => (typeof value === "string" && keepableText(value).trim() === "" ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());

/** Text as typed, without what cannot be kept (see keepableText), at most `max` characters. */
const Text = (max: number) =>
  z
    .string({ error: "must be text" })
    .transform((text) => keepableText(text).trim())
    .pipe(z.string().max(max, { error: `must be at most ${max} characters` }));

/** A coordinate as text (a form) or a number (JSON). */
const coordinate = (min: number, max: number) =>
  optional(
    z.coerce
      .number({ error: `must be a number from ${min} to ${max}` })
      .refine((value) => Number.isFinite(value) && value >= min && value <= max, { error: `must be a number from ${min} to ${max}` }),
  );

const Phone = z
  .string({ error: "must be a phone number" })
  .max(40, { error: "must be a phone number" })
  .transform((text, ctx) => {
    const number = toE164(text);
    if (!number) {
      ctx.addIssue({ code: "custom", message: "is not a phone number; write it with its area code, e.g. 403-555-0187" });
      return z.NEVER;
    }
    return number;
  });

/** The fields of `POST requests.json` the line reads; others (`device_id`, `attribute[...]`) are let through unread. */
export const NewRequestFields = z
  .object({
    service_code: z.preprocess(blank, z.string({ error: "is required: one of the service codes in services.json" }).trim().max(64)),
    jurisdiction_id: optional(Text(100)),
    lat: coordinate(-90, 90),
    long: coordinate(-180, 180),
    address_string: optional(Text(500)),
    address_id: optional(Text(100)),
    description: optional(Text(MAX_DESCRIPTION)),
    first_name: optional(Text(100)),
    last_name: optional(Text(100)),
    email: optional(z.string().trim().max(254).pipe(z.email({ error: "is not an email address" }))),
    phone: optional(Phone),
    media_url: optional(z.url({ protocol: /^https?$/, error: "must be an http or https URL" }).max(2_000)),
  })
  .superRefine((fields, ctx) => {
    const hasPoint = fields.lat !== undefined && fields.long !== undefined;
    if ((fields.lat === undefined) !== (fields.long === undefined)) {
      ctx.addIssue({ code: "custom", path: [fields.lat === undefined ? "lat" : "long"], message: "lat and long go together: give both, or address_string" });
    } else if (!hasPoint && fields.address_string === undefined && fields.address_id === undefined && fields.service_code !== CALLBACK_SERVICE) {
      // A call back is about the resident, not a place ("call me about my bill"): it needs none.
      ctx.addIssue({ code: "custom", path: ["address_string"], message: "where is it? Give address_string, or lat and long" });
    }
    if (fields.service_code === CALLBACK_SERVICE && fields.phone === undefined) {
      ctx.addIssue({ code: "custom", path: ["phone"], message: "a call back needs the phone number to call" });
    }
  });
export type NewRequestFields = z.infer<typeof NewRequestFields>;

/**
 * Reads a new request's fields.
 *
 * @param knownCodes - the service codes of services.json
 * @throws Open311ValidationError naming every bad field, or an unknown service code
 */
export function parseNewRequest(body: unknown, knownCodes: readonly string[]): NewRequestFields {
  const parsed = NewRequestFields.safeParse(body ?? {});
  if (!parsed.success) throw new Open311ValidationError(parsed.error);
  if (!knownCodes.includes(parsed.data.service_code)) {
    throw new Open311Error(400, `service_code: "${parsed.data.service_code.slice(0, 64)}" is not a service of this line; services.json lists them`);
  }
  return parsed.data;
}

/**
 * The request the City keeps for what the web form posted: open, `online`, filed by the key's
 * holder (`open311:<key name>`), for the department of its service.
 *
 * @param now - when it was received, in the City's zone
 */
export function newOnlineRequest(
  fields: NewRequestFields,
  context: { reference: string; department: Department | undefined; keyName: string; now: DateTime },
): ServiceRequest {
  const at = context.now.toUTC().toISO()!;
  const name = [fields.first_name, fields.last_name].filter((part) => part !== undefined).join(" ");
  return {
    reference: context.reference,
    service: fields.service_code,
    department: context.department?.name ?? null,
    channel: "online",
    status: "open",
    statusDescription: null,
    requestedAt: at,
    updatedAt: at,
    closedAt: null,
    place: fields.address_string ?? null,
    lat: fields.lat ?? null,
    long: fields.long ?? null,
    description: fields.description ?? null,
    recordingUrl: null,
    callbackNumber: fields.phone ?? null,
    contactName: name === "" ? null : name,
    contactEmail: fields.email ?? null,
    callSid: null,
    incident: null,
    source: `open311:${context.keyName}`,
  };
}

/**
 * Whether `kept` is `filed` itself: everything the post gave, and when it came, the same. A write
 * whose answer was lost (the embedded database's holder gone mid-statement, the statement tried
 * again) finds its own first try under the reference: that is not another request.
 */
export function sameFiling(kept: ServiceRequest, filed: ServiceRequest): boolean {
  const { reference: _kept, requestedAt: keptAt, updatedAt: _keptUpdated, ...keptFields } = kept;
  const { reference: _filed, requestedAt: filedAt, updatedAt: _filedUpdated, ...filedFields } = filed;
  return Date.parse(keptAt) === Date.parse(filedAt) && isDeepStrictEqual(keptFields, filedFields);
}

/** A photo or page the form linked: kept as a note, since a request has no field for it and it is not published. */
export function mediaNote(fields: NewRequestFields, now: DateTime, keyName: string): RequestNote | null {
  if (!fields.media_url) return null;
  return { at: now.toUTC().toISO()!, author: `open311:${keyName}`, kind: "media", text: fields.media_url };
}

/**
 * How far ahead of our clock a department's `updated_datetime` may be: their clock may run a
 * little fast, but a time further ahead is a mistake (a wrong zone, a date typed wrong) that would
 * put the request's last update in the future, where every later update would hide behind it.
 */
export const CLOCK_SKEW_MINUTES = 5;

function updateSchema(now: DateTime) {
  return z
    .object({
      status: optional(z.enum(["open", "closed"], { error: 'must be "open" or "closed"' })),
      description: optional(Text(MAX_DESCRIPTION)),
      updated_datetime: optional(
        z.string().transform((text, ctx) => {
          const parsed = DateTime.fromISO(text, { setZone: true });
          if (!parsed.isValid || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(text)) {
            ctx.addIssue({ code: "custom", message: "must be an ISO 8601 date and time with its offset, e.g. 2026-12-05T09:30:00-07:00" });
            return z.NEVER;
          }
          if (parsed > now.plus({ minutes: CLOCK_SKEW_MINUTES })) {
            const line = now.setZone(parsed.zone).toISO({ suppressMilliseconds: true });
            ctx.addIssue({
              code: "custom",
              message: `is in the future: more than ${CLOCK_SKEW_MINUTES} minutes ahead of the line's clock (${line}); send the time the change was made, and check the sending system's clock and zone`,
            });
            return z.NEVER;
          }
          return parsed;
        }),
      ),
    })
    .superRefine((update, ctx) => {
      if (update.status === undefined && update.description === undefined) {
        ctx.addIssue({ code: "custom", path: ["status"], message: "an update needs a status (open or closed), a description, or both" });
      }
    });
}

/**
 * What a department's update does to its request. A change of status (`close`, `reopen`) or of
 * the department's public word on it (`describe`: the status stays, the description becomes the
 * status notes) is kept as a note with it and moves the request's last update; `note` only notes.
 * `saysClosed`: the department says the request is closed, so an urgent report's pages must stop.
 */
export type UpdatePlan =
  | {
      action: "close" | "reopen" | "describe";
      status: RequestStatus;
      at: string;
      by: string;
      description: string;
      /** Only move the status forward: a `describe` never takes an acknowledgement back, if one lands meanwhile. */
      forwardOnly: boolean;
      /** The note's kind: `update` for a `describe`, which changes no status; the status otherwise. */
      noteKind: string;
      saysClosed: boolean;
      key?: string;
    }
  | { action: "note"; note: RequestNote; saysClosed: boolean; key?: string };

/**
 * What a department's update means for the request, which must be the department's own:
 * `closed` closes an open (or acknowledged) request, `open` reopens a closed one (as GeoReport
 * departments do when the problem comes back: the status notes say who reopened it), and a
 * description with a status the request has already, or with none, becomes the request's status
 * notes and its last update. Without a description, a status it already has is only a note. An
 * update with its `updated_datetime` is kept once however often the department's system sends it.
 *
 * @throws Open311ValidationError for bad fields (a time more than a few minutes ahead of `now`);
 *   Open311Error 403 when it is not the department's request
 */
export function planUpdate(request: ServiceRequest, body: unknown, department: string, now: DateTime): UpdatePlan {
  const parsed = updateSchema(now).safeParse(body ?? {});
  if (!parsed.success) throw new Open311ValidationError(parsed.error);
  if (request.department !== department) {
    throw new Open311Error(403, `request ${request.reference} is not ${department}'s: a department's key updates only its own requests`);
  }
  const { status, description, updated_datetime } = parsed.data;
  // Before the request was made, a time would close it before it was opened: the figures' time to close would be negative.
  if (updated_datetime && updated_datetime < DateTime.fromISO(request.requestedAt)) {
    const made = DateTime.fromISO(request.requestedAt).setZone(updated_datetime.zone).toISO({ suppressMilliseconds: true });
    throw new Open311Error(400, `updated_datetime: is before the request was made (${made}); send the time the change was made, and check the sending system's clock and zone`);
  }
  const at = (updated_datetime ?? now).toUTC().toISO()!;
  const keyed = updated_datetime ? { key: `open311-update:${request.reference}:${department}:${status ?? "note"}:${at}` } : {};
  const closed = request.status === "closed";
  const saysClosed = status === "closed";
  const change = { at, by: department, saysClosed, ...keyed };
  if (status === "closed" && !closed) return { action: "close", status, description: description ?? `Closed by ${department}.`, forwardOnly: false, noteKind: status, ...change };
  if (status === "open" && closed) return { action: "reopen", status, description: description ?? `Reopened by ${department}.`, forwardOnly: false, noteKind: status, ...change };
  if (description !== undefined) return { action: "describe", status: request.status, description, forwardOnly: !closed, noteKind: "update", ...change };
  const text = status === "closed" ? "Closed again (it was closed already)." : "Still open.";
  return { action: "note", note: { at, author: department, kind: "update", text }, saysClosed, ...keyed };
}
