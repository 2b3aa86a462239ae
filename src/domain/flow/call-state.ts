/** How a call ended, as the City counts it. */
export type CallOutcome =
  | "answered-by-ivr"
  | "queued-to-agent"
  | "urgent-report"
  | "voicemail"
  | "transferred"
  | "abandoned";

/**
 * The call's time in an agent queue, as the City counts it: which queue, and (once the caller
 * left it) how long they waited and how it ended (Twilio's `QueueResult`: `bridged` is an agent
 * answering, `hangup` the caller giving up, `leave` the voicemail offer taken...).
 */
export interface QueueVisit {
  name: string;
  result?: string;
  waitSeconds?: number;
}

/**
 * Everything the line remembers about one call between webhooks. It lives in Redis keyed by
 * CallSid, so any web instance can answer the next request.
 */
export interface CallState {
  callSid: string;
  flow: string;
  /**
   * The published version of the flow the call started on: a call finishes on the version it
   * started with, whatever is published meanwhile. Absent for a flow that was never published.
   */
  flowVersion?: number;
  /** The state the call is in: waiting for the caller's answer, or about to be entered (`entering`). */
  state: string;
  /** True when `state` has not been entered yet (after a redirect). */
  entering: boolean;
  /** Responses the line has given; every action URL carries it so a retried request can be recognised. */
  step: number;
  /** Failed tries (silence, wrong key) at the current state. */
  attempts: number;
  /** A collect state waiting for the caller to confirm what it heard, or a menu its choice. */
  confirming: boolean;
  /** The key of the menu choice heard by speech, waiting for the caller's yes. */
  choice?: string;
  /** A collect state asked where exactly, after an answer that named no street. */
  followedUp?: boolean;
  /**
   * The dispatch state whose report has been filed and is held: the caller named the problem
   * and the place, so the report reaches the crew even if the call ends now. Each later step
   * brings it up to date; reaching that dispatch state, or the end of the call, releases it.
   */
  heldReport?: string;
  /** Values collected so far (`location`, `callbackNumber`, `category`, `reference`, ...). */
  vars: Record<string, string>;
  /** The states the call went through, in order. */
  path: string[];
  /** The number the call came from, as Twilio gave it. */
  caller: string;
  startedAt: string;
  /** The line was closed when the call started (by the hours and override then in force). */
  afterHours?: boolean;
  outcome?: CallOutcome;
  /** The last agent queue the call was put in. */
  queue?: QueueVisit;
  ended: boolean;
}

/**
 * What came back from the caller (or from Twilio on the caller's behalf) with a webhook. The
 * Twilio adapter fills it from the request parameters, already cleaned of markup-breaking and
 * oversized text.
 */
export interface CallerReply {
  digits?: string;
  speech?: string;
  /** 0..1 when Twilio sends it. */
  confidence?: number;
  recordingUrl?: string;
  recordingDuration?: number;
  queueResult?: string;
  /** Seconds the caller spent in the queue (`QueueTime`). */
  queueTime?: number;
  dialStatus?: string;
}
