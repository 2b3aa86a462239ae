/**
 * The port through which the worker reaches people: it only sends. Deciding who, when and how
 * often is the worker's job. Implementations: Twilio's REST API, and a console pager for
 * development that keeps what it would have sent.
 */
export interface Pager {
  /** Sends an SMS; resolves with the provider's message id. */
  sendSms(to: string, body: string): Promise<string>;
  /** Places a call that fetches its TwiML from `twimlUrl`; resolves with the provider's call id. */
  placeCall(to: string, twimlUrl: string): Promise<string>;
}

/** Why a page could not be sent, in the terms the worker decides on. */
export type PagerFailure =
  /** The number cannot take this page (invalid, not a mobile, unsubscribed): move on, do not retry. */
  | "bad-number"
  /** The provider is failing or limiting us (5xx, 429, timeouts, network): try again later. */
  | "temporary"
  /** Our request or credentials are wrong: retrying will not help, a person must look. */
  | "rejected";

/** A page that did not go out. The one error type the worker sees from any pager. */
export class PagerError extends Error {
  override readonly name = "PagerError";
  constructor(
    readonly failure: PagerFailure,
    message: string,
    readonly detail: { status?: number; code?: number; to?: string } = {},
  ) {
    super(message);
  }
}
