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
export interface RequestQuery {
  service?: string;
  status?: RequestStatus;
  department?: string;
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
