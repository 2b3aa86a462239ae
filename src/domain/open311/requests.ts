/**
 * A service request as GeoReport v2 shows it (`requests.json`, `requests/{id}.json`): the public
 * view of what the City keeps. Callback numbers, recordings and the resident's contact details
 * are never in it, whoever asks, and the free text is scrubbed of the callback number in case a
 * caller or a form repeated it there.
 */
import { DateTime } from "luxon";
import type { ServiceRequest } from "../records.js";
import { serviceName } from "./services.js";

/** GeoReport has two statuses: `acknowledged` (someone has it) is still `open` to the spec. */
export type GeoReportStatus = "open" | "closed";

/** One request in the spec's field names; absent facts are null, as the spec's examples show them. */
export interface GeoReportRequest {
  service_request_id: string;
  status: GeoReportStatus;
  status_notes: string | null;
  service_name: string;
  service_code: string;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  /** Always null: the only media the line keeps are callers' recordings, which are never published. */
  media_url: string | null;
}

/** What takes the place of a callback number found in public text. */
export const WITHHELD = "[withheld]";

/** The spec's status of a request: `acknowledged` is `open` (being worked on, not done). */
export function geoReportStatus(status: ServiceRequest["status"]): GeoReportStatus {
  return status === "closed" ? "closed" : "open";
}

/**
 * What the status notes say: the public word on the request when there is one. An acknowledged
 * request without one says it was acknowledged, since the spec's status alone cannot.
 */
function statusNotes(request: ServiceRequest): string | null {
  if (request.statusDescription) return request.statusDescription;
  return request.status === "acknowledged" ? "Acknowledged: someone is working on it." : null;
}

/** What a resident is told will happen: who has the request. */
export function serviceNotice(request: Pick<ServiceRequest, "department">): string | null {
  return request.department ? `Handled by ${request.department}.` : null;
}

/** W3C (ISO 8601) with the offset of `zone`, to the second, as GeoReport clients expect. */
export function geoReportTime(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { setZone: true }).setZone(zone).toISO({ suppressMilliseconds: true })!;
}

/**
 * Text with the request's own secrets taken out: any run of digits that is the callback number
 * (however it was written: `+14035550187`, `403-555-0187`, `555 0187`) and the recording's URL.
 */
export function scrub(text: string | null, request: Pick<ServiceRequest, "callbackNumber" | "recordingUrl">): string | null {
  if (text === null) return null;
  let out = text;
  if (request.recordingUrl) out = out.split(request.recordingUrl).join(WITHHELD);
  const pattern = phonePattern(request.callbackNumber);
  return pattern ? out.replace(pattern, WITHHELD) : out;
}

/**
 * Matches `number` written as people write it: its last seven digits, with any separators, and
 * before them any tail of the rest (area code, country code), never as part of a longer number.
 */
function phonePattern(number: string | null): RegExp | null {
  const digits = number?.replace(/\D/g, "") ?? "";
  if (digits.length < 7) return null;
  const spaced = (part: string) => part.split("").join("[\\s().-]*");
  const prefix = digits.slice(0, -7);
  const tails = [...prefix].map((_, index) => spaced(prefix.slice(index)));
  const before = tails.length > 0 ? `(?:(?:\\+\\s*)?(?:${tails.join("|")})[\\s().-]*)?` : "";
  return new RegExp(`(?<!\\d)${before}${spaced(digits.slice(-7))}(?!\\d)`, "g");
}

/**
 * The GeoReport view of a request, its times in `zone` (the City's). Only what the spec asks for
 * and the City may publish: never the callback number, the recording, the contact name or email.
 */
export function toGeoReportRequest(request: ServiceRequest, zone: string, names: (code: string) => string = serviceName): GeoReportRequest {
  return {
    service_request_id: request.reference,
    status: geoReportStatus(request.status),
    status_notes: scrub(statusNotes(request), request),
    service_name: names(request.service),
    service_code: request.service,
    description: scrub(request.description, request),
    agency_responsible: request.department,
    service_notice: serviceNotice(request),
    requested_datetime: geoReportTime(request.requestedAt, zone),
    updated_datetime: geoReportTime(request.updatedAt, zone),
    expected_datetime: null,
    address: scrub(request.place, request),
    address_id: null,
    zipcode: null,
    lat: request.lat,
    long: request.long,
    media_url: null,
  };
}
