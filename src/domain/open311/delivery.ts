/**
 * Handing a new request to its department's own system: what is posted (GeoReport v2's `POST
 * requests.json` fields, form-encoded), what the answer means, and what is noted on the request.
 * The queue that carries it, with its retries, is an adapter; this is the pure part.
 */
import { XMLParser } from "fast-xml-parser";
import { DateTime } from "luxon";
import { z } from "zod";
import type { Department } from "../departments.js";
import type { RequestNote, ServiceRequest } from "../records.js";
import { MAX_DESCRIPTION } from "./post.js";
import { serviceName } from "./services.js";

/**
 * Queues new requests for delivery to their department's endpoint, once per request and
 * department however often it is asked. A department without an endpoint gets nothing.
 */
export interface DeliveryQueue {
  deliver(request: ServiceRequest, department: Department): Promise<void>;
}

/** The endpoint as it may be logged: scheme, host and path, never a query (which may hold a key). */
export function loggableEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.origin}${url.pathname}`;
  } catch {
    return "(not a URL)";
  }
}

/**
 * The origin of an endpoint (scheme, host and port, as `URL.origin` writes them: lower-case
 * host, no default port), which a department's key is configured for; null when it is not an
 * http(s) URL.
 */
export function endpointOrigin(endpoint: string): string | null {
  try {
    const url = new URL(endpoint);
    return url.protocol === "https:" || url.protocol === "http:" ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * The key configured for `endpoint`'s origin, from keys written by origin
 * (`{"https://works.example.ca": "..."}`, as OPEN311_DEPARTMENT_KEYS has them). Keyed by origin
 * and not by department, a key goes only to the system it was made for: whoever can edit
 * departments.yaml can point an endpoint elsewhere, but cannot make the line send a key there.
 *
 * @example keyForEndpoint({ "https://works.example.ca": "k" }, "https://WORKS.example.ca:443/open311/v2/requests.json") // "k"
 */
export function keyForEndpoint(keys: Readonly<Record<string, string>>, endpoint: string): string | undefined {
  const origin = endpointOrigin(endpoint);
  if (!origin) return undefined;
  for (const [configured, key] of Object.entries(keys)) if (endpointOrigin(configured) === origin) return key;
  return undefined;
}

/**
 * The `Idempotency-Key` header sent with every post of a request to a department: the same on
 * every retry, so a department's system that saw a post whose answer never arrived (a timeout)
 * can tell the repeat from a new request. Delivery is at least once; this is how a system keeps
 * it to once.
 *
 * @example idempotencyKey("100123", "Water and Wastewater") // "100123-water-and-wastewater"
 */
export function idempotencyKey(reference: string, department: string): string {
  const slug = department.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "department";
  return `${reference.replace(/[^A-Za-z0-9_-]/g, "_")}-${slug}`;
}

/**
 * The form posted to the department (GeoReport v2 `POST requests.json` fields): the service, the
 * place, what was reported with the line's reference (so the department can quote it in its
 * updates), and how to reach the resident. The department is the City's own: it gets the
 * callback number as `phone`, as the spec's field is meant for. A caller's recording is never
 * sent; it stays with the line. The department's `api_key` is not in it: it is a setting of
 * the line, added when the form is posted, so it is never kept in the queue.
 *
 * @param zone - the City's zone: the time it was made is said in it
 */
export function deliveryForm(request: ServiceRequest, zone: string): Record<string, string> {
  const form: Record<string, string> = {};
  form.service_code = request.service;
  if (request.place) form.address_string = request.place;
  if (request.lat !== null && request.long !== null) {
    form.lat = String(request.lat);
    form.long = String(request.long);
  }
  // When, as the City's clock said it: a clerk reads 00:13, not the UTC of a web form's post.
  const at = DateTime.fromISO(request.requestedAt, { zone }).toISO({ suppressMilliseconds: true });
  const reference = `City 311 reference ${request.reference} (${serviceName(request.service)}, ${channelWords(request.channel)}, ${at}).`;
  const text = request.description?.trim() || serviceName(request.service);
  form.description = `${text.slice(0, MAX_DESCRIPTION - reference.length - 2)}\n\n${reference}`;
  if (request.contactName) {
    const [first, ...rest] = request.contactName.split(/\s+/);
    form.first_name = first!;
    if (rest.length > 0) form.last_name = rest.join(" ");
  }
  if (request.contactEmail) form.email = request.contactEmail;
  if (request.callbackNumber) form.phone = request.callbackNumber;
  return form;
}

function channelWords(channel: ServiceRequest["channel"]): string {
  return channel === "online" ? "filed online" : channel === "after-hours" ? "phoned in after hours" : "phoned in";
}

/** Delivery notes are the line's own word on the request. */
export const LINE_AUTHOR = "line";

/** What a department's answer means for the delivery. */
export type DeliveryOutcome = "delivered" | "retry" | "refused";

/**
 * 2xx: delivered. 408 and 429 (try later), 5xx and anything unexpected: try again. Any other
 * 4xx: the department's system refuses the request itself, and would refuse it again. A
 * redirect is refused too: following it would turn the POST into a GET, and the endpoint in
 * departments.yaml should name where it points.
 */
export function deliveryOutcome(status: number): DeliveryOutcome {
  if (status >= 200 && status < 300) return "delivered";
  if (status === 408 || status === 429) return "retry";
  if (status >= 300 && status < 500) return "refused";
  return "retry";
}

const GeoReportErrors = z.array(z.looseObject({ description: z.string() })).min(1);

/**
 * Why the department's system answered `status`, in a line: the spec's error descriptions when
 * it sent them, else the start of what it sent.
 */
export function answerReason(status: number, body: string, location?: string | null): string {
  if (status >= 300 && status < 400) return `HTTP ${status}, redirected${location ? ` to ${location.slice(0, 200)}` : ""}: set the department's endpoint to where it points`;
  let said = body.replace(/\s+/g, " ").trim().slice(0, 200);
  try {
    const errors = GeoReportErrors.safeParse(JSON.parse(body));
    if (errors.success) said = errors.data.map((error) => error.description).join("; ").slice(0, 300);
  } catch {
    // Not JSON: the text itself says it.
  }
  return said ? `HTTP ${status}: ${said}` : `HTTP ${status}`;
}

/** What the department's system said it made of the request. */
export interface DeliveryReceipt {
  /** The department's own id for it. */
  serviceRequestId?: string;
  /** A batch system's token, to be exchanged for the id later. */
  token?: string;
  serviceNotice?: string;
}

const Id = z.union([z.string(), z.number()]).transform(String);
const ReceiptEntry = z.looseObject({
  service_request_id: Id.optional().catch(undefined),
  token: Id.optional().catch(undefined),
  service_notice: z.string().optional().catch(undefined),
});

/**
 * Reads the department's answer: GeoReport's `[{ service_request_id | token, service_notice }]`
 * in JSON or XML. An answer that says nothing readable is still a delivery (the status said so).
 */
export function readReceipt(body: string, contentType: string | null): DeliveryReceipt {
  let entry: unknown;
  try {
    if (/xml/i.test(contentType ?? "") || body.trimStart().startsWith("<")) {
      const parsed = new XMLParser({ parseTagValue: false }).parse(body) as { service_requests?: { request?: unknown } };
      const request = parsed.service_requests?.request;
      entry = Array.isArray(request) ? request[0] : request;
    } else {
      const parsed: unknown = JSON.parse(body);
      entry = Array.isArray(parsed) ? parsed[0] : parsed;
    }
  } catch {
    return {};
  }
  const read = ReceiptEntry.safeParse(entry);
  if (!read.success) return {};
  const receipt: DeliveryReceipt = {};
  if (read.data.service_request_id) receipt.serviceRequestId = read.data.service_request_id.slice(0, 200);
  if (read.data.token) receipt.token = read.data.token.slice(0, 200);
  if (read.data.service_notice) receipt.serviceNotice = read.data.service_notice.slice(0, 500);
  return receipt;
}

/** The note that says the department has the request, and under which id. */
export function deliveredNote(department: string, receipt: DeliveryReceipt, at: string, attempts: number): RequestNote {
  const as = receipt.serviceRequestId
    ? ` as their request ${receipt.serviceRequestId}`
    : receipt.token
      ? ` (their token ${receipt.token}; they give their own id later)`
      : "";
  const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
  const notice = receipt.serviceNotice ? ` They say: ${receipt.serviceNotice}` : "";
  return { at, author: LINE_AUTHOR, kind: "delivered", text: `Delivered to ${department}${as}${tries}.${notice}` };
}

/** The note that says the request could not be delivered, and why: someone must hand it over another way. */
export function failedNote(department: string, reason: string, at: string): RequestNote {
  return { at, author: LINE_AUTHOR, kind: "delivery-failed", text: `Not delivered to ${department}: ${reason}. Hand it over another way.` };
}
