import type { CallOutcome } from "./flow/call-state.js";

/** How a queued call left the queue: Twilio's `QueueResult` on the `<Enqueue>` action. */
export type QueueResult = "bridged" | "hangup" | "leave" | "queue-full" | "redirected" | "error" | "system-error" | (string & {});

/** What the City keeps of every call. */
export interface CallRecord {
  callSid: string;
  /** The caller's number, as Twilio gave it: kept for operations, masked in exports. */
  from: string;
  to: string;
  /** Twilio's final CallStatus (`completed`, `busy`, `no-answer`...). */
  status: string;
  /** ISO 8601: when the call reached the line (the period it counts in). */
  startedAt: string;
  endedAt: string;
  durationSeconds: number | null;
  /** The line was closed when the call started, by the hours and override then in force. */
  afterHours: boolean;
  outcome: CallOutcome;
  path: string[];
  flow: string | null;
  flowVersion: number | null;
  /** For a call put in an agent queue: which queue, how long it waited, and how it left. */
  queue: { name: string; waitSeconds: number | null; result: QueueResult | null } | null;
  /** The service request the call made (an urgent report's reference, a voicemail's), if any. */
  reference: string | null;
  category: string | null;
  /** For a voicemail: the recording, and the number to call back. */
  recordingUrl: string | null;
  callbackNumber: string | null;
  /**
   * The call's step when this record was made: Twilio may post the Record or Enqueue action
   * after the status callback, and the record made then (a higher revision) replaces this one.
   */
  revision: number;
}

export type RequestStatus = "open" | "acknowledged" | "closed";
export const REQUEST_STATUSES: readonly RequestStatus[] = ["open", "acknowledged", "closed"];

/** How a request came in: through the day line (a voicemail), the trouble line, or the City's web form. */
export type RequestChannel = "phone" | "after-hours" | "online";

/** The service of every voicemail: a person promised to call back. */
export const CALLBACK_SERVICE = "callback";

/** A service request: an urgent report, a voicemail, or a request from the web form. */
export interface ServiceRequest {
  reference: string;
  /** `power`, `water`, `roads`, `callback`, an agent queue's service... */
  service: string;
  /** The department that handles the service, by `departments.yaml`; null when none does. */
  department: string | null;
  channel: RequestChannel;
  status: RequestStatus;
  /** The last word on its status, for residents and the web form (GeoReport's status_notes). */
  statusDescription: string | null;
  requestedAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** The place as said (or typed), and coordinates when the web form gave them. */
  place: string | null;
  lat: number | null;
  long: number | null;
  description: string | null;
  recordingUrl: string | null;
  callbackNumber: string | null;
  contactName: string | null;
  contactEmail: string | null;
  callSid: string | null;
  /** The urgent incident it belongs to: its own reference, or the one it joined. */
  incident: string | null;
  /** Who filed it: `ivr`, `voicemail`, `open311:<key name>`. */
  source: string;
}

/** Something said or done about a request: who acknowledged or closed it, incident events, a department's update. */
export interface RequestNote {
  at: string;
  author: string;
  kind: string;
  text: string;
}

/** An urgent incident as the City counts it: when it was opened, taken and fixed, and how far the pages went. */
export interface IncidentRecord {
  reference: string;
  category: string;
  openedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  /** Pages beyond the first person: the chain moved on because nobody answered. */
  escalations: number;
  alarm: boolean;
}

/** What the list of requests can be narrowed to; times are ISO 8601. */
/**
 * The years a question to the records may name. PostgreSQL has no year 0, and luxon writes years
 * past 9999 with a sign no database reads: 9998 leaves a day's margin for a last day included.
 * 1900 is the line's own bound, long before anything the City keeps.
 */
export const RECORD_YEARS = { earliest: 1900, latest: 9998 } as const;

export interface RequestQuery {
  /** One service, or any of several (an empty list matches none). */
  service?: string | string[];
  /** Services left out. */
  notService?: string[];
  /** One status, or any of several (an empty list matches none). */
  status?: RequestStatus | RequestStatus[];
  department?: string;
  /** The requests of one urgent incident. */
  incident?: string;
  /** Requested at or after. */
  from?: string;
  /** Requested before. */
  to?: string;
  updatedAfter?: string;
  updatedBefore?: string;
  /** Newest first unless `oldest` (a worklist reads oldest first). */
  order?: "newest" | "oldest";
  limit?: number;
  offset?: number;
}

/** A request as it is first kept: open, updated when it was made. */
function opened(fields: Omit<ServiceRequest, "status" | "statusDescription" | "updatedAt" | "closedAt" | "lat" | "long" | "contactName" | "contactEmail" | "description"> & { description: string | null }): ServiceRequest {
  return { ...fields, status: "open", statusDescription: null, updatedAt: fields.requestedAt, closedAt: null, lat: null, long: null, contactName: null, contactEmail: null };
}

/**
 * The service request an urgent report is kept as. `incident` is its own reference when it
 * opened one, or the incident it joined; `afterHours` says which line took it.
 */
export function requestFromReport(
  report: { reference: string; category: string; location: string; locationUnsure?: boolean; recordingUrl?: string; callbackNumber: string | null; callSid: string; receivedAt: string },
  context: { incident: string; department: string | null; afterHours: boolean },
): ServiceRequest {
  const joined = context.incident !== report.reference;
  return opened({
    reference: report.reference,
    service: report.category,
    department: context.department,
    channel: context.afterHours ? "after-hours" : "phone",
    requestedAt: report.receivedAt,
    place: report.location || null,
    description: [
      `Urgent report (${report.category}) from the phone line.`,
      report.locationUnsure ? (report.recordingUrl ? "The place was not clearly heard: listen to the recording." : "The place was not clearly heard: call back to check it.") : "",
      joined ? `Same place as incident ${context.incident}.` : "",
    ]
      .filter(Boolean)
      .join(" "),
    recordingUrl: report.recordingUrl ?? null,
    callbackNumber: report.callbackNumber,
    callSid: report.callSid,
    incident: context.incident,
    source: "ivr",
  });
}

/**
 * The line's own words for a voicemail's request (never the caller's: what they said is in the
 * recording), saying the agent queue they left it from, by the name residents and departments
 * know it by.
 */
export function voicemailDescription(queueName: string | undefined): string {
  return queueName ? `Voicemail left while waiting for ${queueName}: call back.` : PLAIN_VOICEMAIL;
}

/** A voicemail's description when it was not left from an agent queue (on the after-hours line, in a menu). */
export const PLAIN_VOICEMAIL = "Voicemail: call back.";

const QUEUE_VOICEMAIL = /^Voicemail left while waiting for (.+): call back\.$/;

/**
 * The agent queue a voicemail's request was left from, read from the line's words for it: its
 * name, or its code in requests filed before the line named it. Null for any other request.
 */
export function voicemailQueue(request: ServiceRequest): string | null {
  if (request.source !== "voicemail") return null;
  return QUEUE_VOICEMAIL.exec(request.description?.trim() ?? "")?.[1] ?? null;
}

/**
 * The callback request a voicemail is kept as: a person promised to call back. Null when the call
 * left no voicemail.
 *
 * @param queueName - the name of the agent queue it was left from (its code when not given)
 */
export function requestFromVoicemail(call: CallRecord, department: string | null, queueName?: string): ServiceRequest | null {
  if (call.outcome !== "voicemail" || !call.reference || !call.recordingUrl) return null;
  return opened({
    reference: call.reference,
    service: CALLBACK_SERVICE,
    department,
    channel: call.afterHours ? "after-hours" : "phone",
    requestedAt: call.endedAt,
    place: null,
    description: voicemailDescription(call.queue ? (queueName ?? call.queue.name) : undefined),
    recordingUrl: call.recordingUrl,
    callbackNumber: call.callbackNumber,
    callSid: call.callSid,
    incident: null,
    source: "voicemail",
  });
}
