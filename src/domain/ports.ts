import type { CallState } from "./flow/call-state.js";
import type { EmergencyOverride } from "./hours/index.js";
import type { ReportDraft } from "./flow/actions.js";
import type { CallOutcome } from "./flow/call-state.js";

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
  /** Queues the report (once per call, however often it is asked) and returns its reference. */
  dispatch(draft: ReportDraft): Promise<string>;
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
