/**
 * The Reports page's downloads as CSV (RFC 4180, CRLF line ends): calls, with callers' numbers
 * masked, and service requests in GeoReport's bulk columns, without callback numbers or
 * recordings. Every cell goes through `csvCell`, so text a caller or a form gave that a spreadsheet
 * would take for a formula is kept as text.
 */
import { maskPhone } from "../../domain/phone.js";
import { geoReportTime, toGeoReportRequest } from "../../domain/open311/requests.js";
import type { CallRecord, ServiceRequest } from "../../domain/records.js";
import { csvCell } from "../../domain/reports/render-csv.js";

/** The calls download's columns. */
export const CALL_COLUMNS = [
  "call_sid",
  "started_at",
  "ended_at",
  "duration_seconds",
  "after_hours",
  "outcome",
  "status",
  "from_masked",
  "to",
  "queue",
  "queue_wait_seconds",
  "queue_result",
  "path",
  "flow",
  "flow_version",
  "reference",
  "category",
] as const;

/** GeoReport v2's bulk columns, as the issue names them. */
export const REQUEST_COLUMNS = [
  "service_request_id",
  "requested_datetime",
  "updated_datetime",
  "closed_date",
  "status",
  "status_description",
  "service_code",
  "service_name",
  "agency_responsible",
  "address",
  "source",
] as const;

function line(cells: (string | number | null)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

export function csvHeader(columns: readonly string[]): string {
  return line([...columns]);
}

/**
 * One call. The caller's number is masked (`+*********23`); the number called is the City's own
 * line and is kept. Times are ISO 8601 with the offset of `zone`.
 */
export function callCsvRow(call: CallRecord, zone: string): string {
  return line([
    call.callSid,
    geoReportTime(call.startedAt, zone),
    geoReportTime(call.endedAt, zone),
    call.durationSeconds,
    call.afterHours ? "true" : "false",
    call.outcome,
    call.status,
    maskPhone(call.from),
    call.to,
    call.queue?.name ?? null,
    call.queue?.waitSeconds ?? null,
    call.queue?.result ?? null,
    call.path.join(" > "),
    call.flow,
    call.flowVersion,
    call.reference,
    call.category,
  ]);
}

/**
 * One request in GeoReport's bulk columns, from its public view (`toGeoReportRequest`: the
 * callback number scrubbed from the free text, no recording, no contact details). `source` is the
 * channel it came in by: `phone`, `after-hours` or `online`.
 */
export function requestCsvRow(request: ServiceRequest, zone: string, names?: (code: string) => string): string {
  const view = toGeoReportRequest(request, zone, names);
  return line([
    view.service_request_id,
    view.requested_datetime,
    view.updated_datetime,
    request.closedAt ? geoReportTime(request.closedAt, zone) : null,
    view.status,
    view.status_notes,
    view.service_code,
    view.service_name,
    view.agency_responsible,
    view.address,
    request.channel,
  ]);
}
