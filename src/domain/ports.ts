import type { CallState } from "./flow/call-state.js";
import type { EmergencyOverride } from "./hours/index.js";
import type { ReportDraft } from "./flow/actions.js";
import type { CallOutcome } from "./flow/call-state.js";
import type { Incident, IncidentEvent, IncidentStatus, PlannedStep } from "./oncall/incident.js";
import type { UrgentReport } from "./report.js";

/** A call as stored, with the TwiML last sent for it (replayed when Twilio retries). */
export interface StoredCall {
  call: CallState;
  twiml: string;
}

/** Where live calls are kept between webhooks. */
export interface CallStore {
  load(callSid: string): Promise<StoredCall | null>;
  /**
   * Saves the call and the TwiML answered for it, only if nobody saved a newer step since
   * `expectedStep` was read. False means another request got there first.
   */
  save(call: CallState, expectedStep: number, twiml: string): Promise<boolean>;
}

/** The supervisor's emergency override, shared by every instance. */
export interface OverrideStore {
  get(): Promise<EmergencyOverride | null>;
  set(override: EmergencyOverride): Promise<void>;
  clear(): Promise<void>;
}

/** Files urgent reports for the on-call crew. Idempotent per call. */
export interface ReportQueue {
  /**
   * Queues the report (once per call, however often it is asked) and returns its reference.
   * `hold`: the caller is still adding to it; keep it back a little, and send it as it is if
   * nothing more comes. Asked again for the same call, it brings a held report up to date.
   */
  dispatch(draft: ReportDraft, options?: { hold?: boolean }): Promise<string>;
  /** Sends the call's held report now (the call ended); false when there is none held. */
  release(callSid: string): Promise<boolean>;
}

/** What the City keeps of every call. */
export interface CallRecord {
  callSid: string;
  from: string;
  to: string;
  status: string;
  startedAt: string | null;
  endedAt: string;
  durationSeconds: number | null;
  outcome: CallOutcome;
  path: string[];
  reference: string | null;
  category: string | null;
}

export interface CallRecords {
  /** Keeps the record once per call: a retried status callback adds nothing. */
  add(record: CallRecord): Promise<boolean>;
  recent(count: number): Promise<CallRecord[]>;
}

export type OpenResult = { outcome: "new" | "joined" | "existing"; reference: string };
export type AcknowledgeResult =
  | { outcome: "acknowledged" }
  | { outcome: "missing" }
  | { outcome: "acknowledged-already" | "resolved-already"; by: string; at: string };

/** Where incidents live, shared by the worker and every web instance. Every racing change is atomic. */
export interface IncidentStore {
  /** Opens an incident for the report, or joins the open one keyed by category and `placeKey` (empty: never joins). */
  openOrJoin(report: UrgentReport, placeKey: string, plan: PlannedStep[], now: string): Promise<OpenResult>;
  get(reference: string): Promise<Incident | null>;
  /** Just the status (null: no such incident), for re-checking cheaply while a page job runs. */
  status(reference: string): Promise<IncidentStatus | null>;
  addEvent(reference: string, event: IncidentEvent): Promise<void>;
  /** Takes an open incident for `by`, once; says who holds it otherwise. */
  acknowledge(reference: string, by: string, at: string): Promise<AcknowledgeResult>;
  /** Marks it fixed and frees its place; returns the status it had. */
  resolve(reference: string, by: string, at: string): Promise<IncidentStatus | "missing">;
  /** Joined reports the holder has not been told about yet. */
  unsummarized(reference: string): Promise<number>;
  markSummarized(reference: string, count: number): Promise<void>;
  /** Marks a page (a step's channel, a resident's SMS) as sent, or claimed for sending; false when it already was. */
  markSent(reference: string, step: number, channel: string): Promise<boolean>;
  /** Takes a mark back, so a retried job sends what a temporary failure kept from going out. */
  unmarkSent(reference: string, step: number, channel: string): Promise<void>;
  wasSent(reference: string, step: number, channel: string): Promise<boolean>;
  setLatestPage(phone: string, reference: string): Promise<void>;
  latestPage(phone: string): Promise<string | null>;
  recent(count: number): Promise<Incident[]>;
}
