import type { Droppable } from "./stale-sends.js";

/**
 * The port through which the worker reaches people: it only sends. Deciding who, when and how
 * often is the worker's job. Implementations: Twilio's REST API, and a console pager for
 * development that keeps what it would have sent.
 */
export interface Pager {
  /** Sends an SMS; resolves with the provider's message id. */
  sendSms(to: string, body: string, options?: SendOptions): Promise<string>;
  /** Places a call that fetches its TwiML from `twimlUrl`; resolves with the provider's call id. */
  placeCall(to: string, twimlUrl: string, options?: SendOptions): Promise<string>;
  /**
   * Whether the send named `key` (its {@link SendOptions.key}) went out or is still to go out,
   * waiting its turn or going out now, whoever asked for it. A pager that sends at once keeps
   * nothing waiting, and leaves this out.
   */
  underway?(key: string): Promise<boolean>;
}

/**
 * What waits when the provider's sending limits hold sends back, first to last: the first page of
 * a new incident (and the supervisors' alarm for a report nobody was paged for), then the later
 * steps of a chain and the alarm when nobody answered, then what only informs the crew ("N more
 * reports", "taken by"), then residents' texts ("a crew has your report"), then notices about
 * days to come (a roster change's "your time on call changed").
 */
export const PAGE_PRIORITIES = ["first-page", "escalation", "update", "resident", "notice"] as const;
export type PagePriority = (typeof PAGE_PRIORITIES)[number];

/** How one send is to be made; a pager that sends at once may ignore it. */
export interface SendOptions {
  /** Where it waits behind others under the sending limits. @defaultValue `"update"` */
  priority?: PagePriority;
  /**
   * Names this one send (an incident, a step, a person, a channel): a pager that queues sends
   * sends it once however often it is asked, and answers a repeated ask with the first answer.
   */
  key?: string;
  /**
   * Set on a send that a taken incident makes pointless (an escalation, "N more reports"): a
   * pager that queues sends drops it, rather than sends it, when its turn comes after the
   * incident moved on (see `whyStale`), and rejects with {@link SendWithdrawnError}.
   */
  droppable?: Droppable;
}

/**
 * A queued send that was not made: the incident it was about was taken or fixed while it waited
 * its turn. Not a failure: the skip is on the incident's record, and nothing is to be retried.
 */
export class SendWithdrawnError extends Error {
  override readonly name = "SendWithdrawnError";
  constructor(readonly reason: string) {
    super(`not sent: ${reason}`);
  }
}

/**
 * A send not waited for to the end because this process is stopping: it stays queued and goes out
 * in its turn. Not a failure: the job that asked for it is handed to the next worker as it was,
 * with no try spent, and finds the same send by its key.
 */
export class PagerStoppedError extends Error {
  override readonly name = "PagerStoppedError";
}

/**
 * Texts the line hands over without waiting for them to go out (a roster change's "your time on
 * call changed", sent from whichever role published it): queued under the sending limits with
 * every other send of the line, and sent in their turn by the worker.
 */
export interface SmsOutbox {
  /**
   * Resolves once the text is handed over (rejects when it could not be). Whoever sends it logs
   * `ifFailed` at error level, with the number masked, should it not go out.
   */
  queueSms(to: string, body: string, options: OutboxOptions): Promise<void>;
}

export interface OutboxOptions {
  /** @defaultValue `"notice"` */
  priority?: PagePriority;
  /** What a person must do when the text cannot be sent, for the log: nobody waits for it. */
  ifFailed: string;
}

/** Why a page could not be sent, in the terms the worker decides on. */
export type PagerFailure =
  /** The number cannot take this page (invalid, not a mobile, unsubscribed): move on, do not retry. */
  | "bad-number"
  /** The provider is failing or limiting us (5xx, 429, timeouts, network): try again later. */
  | "temporary"
  /** Our request or credentials are wrong: retrying will not help, a person must look. */
  | "rejected";

/** What is known of a failed page, beyond its class. */
export interface PagerErrorDetail {
  /** The provider's HTTP status. */
  status?: number;
  /** The provider's error code. */
  code?: number;
  to?: string;
  /** How long the provider asked us to wait before sending again (its `Retry-After`). */
  retryAfterMs?: number;
}

/** A page that did not go out. The one error type the worker sees from any pager. */
export class PagerError extends Error {
  override readonly name = "PagerError";
  constructor(
    readonly failure: PagerFailure,
    message: string,
    readonly detail: PagerErrorDetail = {},
  ) {
    super(message);
  }
}
