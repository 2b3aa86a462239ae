/**
 * What the line tells whoever watches it (the operators' metrics), as narrow interfaces the
 * dispatcher, the crew desk and the webhooks take as options. They say what happened in the
 * domain's own words; the metrics module turns that into counters. Nothing here is awaited and
 * nothing may throw back: watching a call must never change it.
 */
import type { CallOutcome } from "./flow/call-state.js";
import type { Channel } from "./oncall/roster/index.js";

// A Record, so an outcome added to CallOutcome and not here fails the type check.
const OUTCOMES: Record<CallOutcome, true> = {
  "answered-by-ivr": true,
  "queued-to-agent": true,
  "urgent-report": true,
  voicemail: true,
  transferred: true,
  abandoned: true,
};
/** Every way a call can end, for metrics that start each at zero. */
export const CALL_OUTCOMES = Object.keys(OUTCOMES) as readonly CallOutcome[];

/** The channels a page goes out by. */
export const PAGE_CHANNELS = ["sms", "voice"] as const satisfies readonly Channel[];

/** How one attempt to send a page ended. */
export const PAGE_RESULTS = ["sent", "failed", "bad-number", "skipped"] as const;
/**
 * `sent`: the provider took it. `failed`: the provider or the network failed (the job is
 * retried, or the chain moves on). `bad-number`: the number cannot take this channel (the roster
 * needs fixing). `skipped`: an escalation page waiting its turn under the sending limits was
 * dropped, the incident having been taken or fixed meanwhile.
 */
export type PageResult = (typeof PAGE_RESULTS)[number];

/** Why the supervisors' alarm went off. */
export const ALARM_REASONS = ["unanswered", "unhandled-report"] as const;
/** `unanswered`: every round of pages went unanswered. `unhandled-report`: a report's job failed for good, the crew may never have been paged. */
export type AlarmReason = (typeof ALARM_REASONS)[number];

/** How a report met the incidents already open. */
export type ReportOutcome = "new" | "joined";

/** How one attempt to deliver a request to a department ended (the delivery worker's `onResult`). */
export type DeliveryResult = "delivered" | "retrying" | "failed";

/** What the on-call side did: told by the dispatcher and the crew desk. */
export interface OncallObserver {
  /** An urgent report opened a new incident, or joined an open one (a retried job may tell it again). */
  reportFiled(category: string, outcome: ReportOutcome): void;
  /** One attempt to send a page (a step of the chain, or the alarm's page to a supervisor). */
  paged(channel: Channel, result: PageResult): void;
  /** The supervisors' alarm went off (once per incident, or per failed report). */
  alarmRaised(reason: AlarmReason): void;
  /** Someone took an incident, `seconds` after it was opened. */
  acknowledged(channel: Channel, category: string, seconds: number): void;
}

/** What the voice webhooks saw: told once per call, at Twilio's status callback. */
export interface CallObserver {
  callEnded(outcome: CallOutcome): void;
}
