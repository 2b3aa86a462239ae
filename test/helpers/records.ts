/**
 * Records as the line keeps them, for tests to store, render or hand to the worker: complete domain
 * objects whose defaults are plain and unremarkable, so that a test names only what it is about.
 * Whatever a test checks, it passes: a default is never the thing under test.
 *
 * @example
 * await store.addRequest(voicemailRequest({ reference: "7001", requestedAt: instant("2026-11-30T10:00") }));
 * await store.addCall(callRecord({ callSid: "CA02", outcome: "queued-to-agent", queue: { name: "general", waitSeconds: 30, result: "bridged" } }));
 */
import { randomBytes } from "node:crypto";
import { DateTime } from "luxon";
import type { UrgentReport } from "../../src/domain/report.js";
import { CALLBACK_SERVICE, type CallRecord, type ServiceRequest } from "../../src/domain/records.js";

// Not imported from ./line.js, whose web app and queues pure domain tests have no use for.
const ZONE = "America/Edmonton";
const newCallSid = () => `CA${randomBytes(16).toString("hex")}`;

/** Wednesday 2 December 2026, 10:00 in Lethbridge (the test line's own default moment), as the records keep it. */
export const DEFAULT_MOMENT = "2026-12-02T17:00:00.000Z";

/** A time in Lethbridge as the records keep it (an ISO instant in UTC): `instant("2026-11-30T10:00")`. */
export function instant(local: string): string {
  return DateTime.fromISO(local, { zone: ZONE }).toUTC().toISO()!;
}

/** Where Twilio keeps a voicemail's recording, named after the request it made. */
export function recordingOf(reference: string): string {
  return `https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE${reference}`;
}

/**
 * A service request, open since `requestedAt` (by default {@link DEFAULT_MOMENT}; `updatedAt` follows
 * it unless given), filed by the phone line's IVR, with no department, place, contact or call.
 */
export function serviceRequest(fields: Pick<ServiceRequest, "reference" | "service"> & Partial<ServiceRequest>): ServiceRequest {
  const requestedAt = fields.requestedAt ?? DEFAULT_MOMENT;
  return {
    department: null,
    channel: "phone",
    status: "open",
    statusDescription: null,
    requestedAt,
    updatedAt: requestedAt,
    closedAt: null,
    place: null,
    lat: null,
    long: null,
    description: null,
    recordingUrl: null,
    callbackNumber: null,
    contactName: null,
    contactEmail: null,
    callSid: null,
    incident: null,
    source: "ivr",
    ...fields,
  };
}

/**
 * The callback request a voicemail left on the day line is kept as: for 311 Customer Service (who
 * take callbacks in flows/departments.yaml), with its recording ({@link recordingOf} the reference)
 * and +14035550123 to call back. No call is linked to it unless `callSid` says which: the reports
 * join requests to calls by it.
 */
export function voicemailRequest(fields: Pick<ServiceRequest, "reference"> & Partial<ServiceRequest>): ServiceRequest {
  return serviceRequest({
    service: CALLBACK_SERVICE,
    department: "311 Customer Service",
    recordingUrl: recordingOf(fields.reference),
    callbackNumber: "+14035550123",
    source: "voicemail",
    ...fields,
  });
}

/** A request a resident filed on the City's web form (Open311 under the key `web-form`). */
export function onlineRequest(fields: Pick<ServiceRequest, "reference" | "service"> & Partial<ServiceRequest>): ServiceRequest {
  return serviceRequest({ channel: "online", source: "open311:web-form", ...fields });
}

/**
 * A completed call from +14035550123 to the line, answered by the IVR of flows/main.yaml (version 1)
 * in business hours: started at {@link DEFAULT_MOMENT} unless `startedAt` says when, lasting a minute
 * unless `durationSeconds` says otherwise, and ended then unless `endedAt` is given. A new CallSid
 * unless `callSid` names it.
 */
export function callRecord(fields: Partial<CallRecord> = {}): CallRecord {
  const startedAt = fields.startedAt ?? DEFAULT_MOMENT;
  const durationSeconds = fields.durationSeconds === undefined ? 60 : fields.durationSeconds;
  return {
    callSid: newCallSid(),
    from: "+14035550123",
    to: "+14035550311",
    status: "completed",
    startedAt,
    endedAt: DateTime.fromISO(startedAt, { setZone: true })
      .plus({ seconds: durationSeconds ?? 0 })
      .toUTC()
      .toISO()!,
    durationSeconds,
    afterHours: false,
    outcome: "answered-by-ivr",
    path: ["greeting", "day-menu"],
    flow: "main",
    flowVersion: 1,
    queue: null,
    reference: null,
    category: null,
    recordingUrl: null,
    callbackNumber: null,
    revision: 0,
    ...fields,
  };
}

/**
 * The record of a call that ended in a voicemail, as the status callback leaves it once the
 * recording is in: the request's reference, its recording, and the caller's number to call back.
 */
export function voicemailCall(fields: { reference: string } & Partial<CallRecord>): CallRecord {
  return callRecord({
    outcome: "voicemail",
    path: ["greeting", "day-menu", "voicemail"],
    recordingUrl: recordingOf(fields.reference),
    callbackNumber: fields.from ?? "+14035550123",
    ...fields,
  });
}

/**
 * An urgent report as the dispatcher files it: water at 301 Scenic Drive South, from +14035550123 on
 * a new call, received at {@link DEFAULT_MOMENT} unless `receivedAt` says when.
 */
export function urgentReport(fields: Pick<UrgentReport, "reference"> & Partial<UrgentReport>): UrgentReport {
  return {
    category: "water",
    location: "301 Scenic Drive South",
    callbackNumber: "+14035550123",
    callSid: newCallSid(),
    receivedAt: DEFAULT_MOMENT,
    ...fields,
  };
}
