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
export type ResolveResult =
  | { outcome: "resolved"; was: "open" | "acknowledged" }
  | { outcome: "missing" }
  | { outcome: "resolved-already" }
  /** Someone else holds it, and the person asking is not a supervisor of the category. */
  | { outcome: "held-by"; by: string; at: string }
  /** Nobody has taken it, and the person asking was not paged for it. */
  | { outcome: "not-taken" };

/** Who marks an incident fixed, and what the roster lets them do. */
export interface Resolver {
  name: string;
  phone: string;
  /** A supervisor of the incident's category may close it whoever holds it. */
  supervisor: boolean;
  /** Whether they may close it while nobody holds it (they were paged for it, or supervise it). */
  mayCloseUntaken: boolean;
}

/** Where incidents live, shared by the worker and every web instance. Every racing change is atomic. */
export interface IncidentStore {
  /**
   * Opens an incident for the report, or joins the one keyed by category and `placeKey` (empty:
   * never joins) while it is open, or acknowledged less than `joinWindowMs` before `now`.
   */
  openOrJoin(report: UrgentReport, placeKey: string, now: string, joinWindowMs: number): Promise<OpenResult>;
  get(reference: string): Promise<Incident | null>;
  /** The incident a reference belongs to: its own, or the one a joined report joined; null when none. */
  lookup(reference: string): Promise<string | null>;
  /** Just the status (null: no such incident), for re-checking cheaply while a page job runs. */
  status(reference: string): Promise<IncidentStatus | null>;
  /** Keeps who a step paged, once: a step recorded already keeps its first person, which is returned. */
  recordStep(reference: string, step: PlannedStep): Promise<PlannedStep>;
  addEvent(reference: string, event: IncidentEvent): Promise<void>;
  /**
   * Every round of pages went unanswered: the incident takes no more repeat reports. A report of
   * the same place opens a new incident, which pages whoever is on call by then.
   */
  endChain(reference: string, at: string): Promise<void>;
  /** Takes an open incident for `by`, once; says who holds it otherwise. */
  acknowledge(reference: string, by: { name: string; phone: string }, at: string): Promise<AcknowledgeResult>;
  /** Marks it fixed and frees its place, when `by` may; says why not otherwise. */
  resolve(reference: string, by: Resolver, at: string): Promise<ResolveResult>;
  /** Joined reports the holder has not been told about yet. */
  unsummarized(reference: string): Promise<number>;
  markSummarized(reference: string, count: number): Promise<void>;
  /** Marks a page (a step's channel, a resident's SMS) as sent, or claimed for sending; false when it already was. */
  markSent(reference: string, step: number, channel: string): Promise<boolean>;
  /** Takes a mark back, so a retried job sends what a temporary failure kept from going out. */
  unmarkSent(reference: string, step: number, channel: string): Promise<void>;
  wasSent(reference: string, step: number, channel: string): Promise<boolean>;
  /** Notes that `phone` was paged for (or took) an incident, for replies that leave the reference out. */
  notePage(phone: string, reference: string, at: string): Promise<void>;
  /** The incidents `phone` was paged for or took in the last days, newest first. */
  crewIncidents(phone: string): Promise<string[]>;
  /** The references of the reports filed with `phone` as the callback number, newest first. */
  residentReports(phone: string): Promise<string[]>;
  recent(count: number): Promise<Incident[]>;
}

/** The documents supervisors edit: call flows (by name), the hours, and the on-call rosters. */
export type DocumentKind = "flow" | "hours" | "oncall";

/** One published version of a document: its YAML source as written, and who published it, when and why. */
export interface DocumentVersion {
  kind: DocumentKind;
  name: string;
  /** 1, 2, 3, ... per document; a rollback publishes an old source as a new version. */
  version: number;
  source: string;
  author: string;
  /** ISO 8601. */
  at: string;
  message: string;
}

export type PublishResult =
  | { outcome: "published"; version: number }
  /** `baseVersion` was given and is not the live version: someone published meanwhile. */
  | { outcome: "conflict"; live: number };

/**
 * Where published documents live, with their history, shared by every instance. It stores what
 * it is given: checking a document before it is published is the caller's work.
 */
export interface DocumentStore {
  /** A number that grows with every publish of any document: an instance that saw it unchanged has nothing to reload. */
  generation(): Promise<number>;
  /** The live version, or null when nothing was ever published under that name. */
  live(kind: DocumentKind, name: string): Promise<DocumentVersion | null>;
  version(kind: DocumentKind, name: string, version: number): Promise<DocumentVersion | null>;
  /** Every version, newest first, without the sources. */
  history(kind: DocumentKind, name: string): Promise<Omit<DocumentVersion, "source">[]>;
  /** The documents of a kind and their live versions, by name. */
  list(kind: DocumentKind): Promise<Omit<DocumentVersion, "source">[]>;
  /** Publishes a new live version, atomically; refused when `baseVersion` is not the live one. */
  publish(
    kind: DocumentKind,
    name: string,
    change: { source: string; author: string; message: string; at: string; baseVersion?: number },
  ): Promise<PublishResult>;
}
