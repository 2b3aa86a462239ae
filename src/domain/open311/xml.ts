/**
 * GeoReport v2 in XML, in the spec's element names (`<services><service>`, `<service_requests>
 * <request>`, `<errors><error>`), built by fast-xml-parser's XMLBuilder, which escapes every
 * value: nothing a resident typed reaches the document as markup.
 */
import { XMLBuilder } from "fast-xml-parser";
import type { GeoReportError } from "./errors.js";
import type { GeoReportRequest } from "./requests.js";
import type { GeoReportService } from "./services.js";

const builder = new XMLBuilder({ ignoreAttributes: true, format: true, suppressEmptyNode: false, processEntities: true });

const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

/** Characters XML 1.0 cannot hold at all, escaped or not (control characters a form could post). */
const NOT_XML = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Every string in `value` without the characters XML cannot hold. */
function xmlSafe(value: unknown): unknown {
  if (typeof value === "string") return value.replace(NOT_XML, "");
  if (Array.isArray(value)) return value.map(xmlSafe);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, xmlSafe(inner)]));
  return value;
}

function document(root: Record<string, unknown>): string {
  return DECLARATION + (builder.build(xmlSafe(root)) as string);
}

/** `services.xml`. */
export function servicesXml(services: GeoReportService[]): string {
  return document({ services: { service: services } });
}

/** `requests.xml` (and a single request's). */
export function requestsXml(requests: GeoReportRequest[]): string {
  return document({ service_requests: { request: requests } });
}

/** The answer to a posted request: `<service_requests><request>` with its id and notice. */
export function postedXml(posted: { service_request_id: string; service_notice: string | null; account_id: string | null }[]): string {
  return document({ service_requests: { request: posted } });
}

/** An error answer. */
export function errorsXml(errors: GeoReportError[]): string {
  return document({ errors: { error: errors } });
}
