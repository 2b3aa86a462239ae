import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";
// The client is CommonJS: its default export is `.default` seen from here.
import type ResponseModule from "twilio/lib/http/response.js";
import { PagerError, type Pager, type PagerFailure } from "../../domain/oncall/pager.js";
import { maskPhone } from "../../domain/phone.js";

/** How TwilioPager is set up. */
export interface TwilioPagerOptions {
  accountSid: string;
  /** Used only for HTTP Basic auth; it never appears in an error or a log line. */
  authToken: string;
  /** The Twilio number pages come from, in E.164. */
  from: string;
  /**
   * Base URL of Twilio's `api` domain (Messages and Calls), for a local stand-in or a proxy. The
   * client then posts to `${apiUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json`.
   * @defaultValue `https://api.twilio.com`
   */
  apiUrl?: string;
  /**
   * How long one request may take before the page counts as a temporary failure.
   * @defaultValue 10_000
   */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Twilio error codes that mean this number cannot take this page, so the worker moves on to the
 * next person instead of retrying. Meanings from https://www.twilio.com/docs/api/errors/{code}.
 */
export const BAD_NUMBER_CODES: ReadonlyMap<number, string> = new Map([
  [21211, "invalid 'To' phone number"],
  [21214, "'To' phone number cannot be reached (voice)"],
  [21217, "phone number does not appear to be valid (voice)"],
  [21265, "'To' number cannot be a short code"],
  // Geo permissions are set per destination country: other crew members' numbers still work.
  [21408, "permission to send to this region is not enabled"],
  // In practice an empty number in the roster: the official client always form-encodes.
  [21604, "'To' phone number is required"],
  [21610, "the recipient replied STOP (unsubscribed)"],
  [21612, "'To' number is not reachable via SMS from this 'From' number"],
  [21614, "'To' number is not a valid mobile number"],
  [21635, "'To' number cannot be a landline"],
]);

/** Error codes of Node and axios for a request that got no HTTP answer. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_NETWORK",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

type PageKind = "sms" | "call";

/** The longest `Retry-After` believed: a bad or hostile value must not hold every page for hours. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * How long Twilio's `Retry-After` asks us to wait, in milliseconds: a number of seconds, or an
 * HTTP date. Undefined when there is none or it cannot be read; at most {@link MAX_RETRY_AFTER_MS}.
 */
export function retryAfterMs(value: unknown, now: number = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== "string" || text.trim() === "") return undefined;
  // RFC 9110: delay-seconds, or an HTTP-date (always in GMT).
  const ms = /^\s*\d+\s*$/.test(text) ? Number(text) * 1000 : /GMT\s*$/.test(text) ? Date.parse(text) - now : NaN;
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS) : undefined;
}

/** A 429 or 5xx from Twilio that said how long to wait before sending again. */
class RetryAfterException extends twilio.RestException {
  constructor(
    response: { statusCode: number; body: unknown },
    readonly retryAfterMs: number,
  ) {
    super(response);
  }
}

/**
 * The twilio client's HTTP client, keeping what its errors drop: the official client turns a
 * failed answer into a RestException without its headers, so Twilio's `Retry-After` would be lost.
 * A 429 or 5xx that carries one is thrown here, as the same RestException with `retryAfterMs`.
 */
class RetryAfterRequestClient extends twilio.RequestClient {
  override async request<TData>(options: RequestClient.RequestOptions<TData>): Promise<ResponseModule.default<TData>> {
    const response = await super.request<TData>(options);
    if (response.statusCode === 429 || response.statusCode >= 500) {
      const wait = retryAfterMs((response.headers as Record<string, unknown> | undefined)?.["retry-after"]);
      if (wait !== undefined) throw new RetryAfterException(response, wait);
    }
    return response;
  }
}

/** What an HTTP failure from the twilio client carries (RestException, or its RFC 9457 sibling). */
interface HttpFailure {
  status: number;
  code?: number;
  message: string;
  retryAfterMs?: number;
}

function httpFailure(error: unknown): HttpFailure | undefined {
  if (error instanceof RetryAfterException) return { status: error.status, code: error.code, message: error.message, retryAfterMs: error.retryAfterMs };
  if (error instanceof twilio.RestException) return { status: error.status, code: error.code, message: error.message };
  // Twilio's newer RFC 9457 answers come as TwilioServiceException, which twilio does not export.
  // Axios errors can carry a `status` too, but the client accepts every HTTP status, so an axios
  // error is always one without an answer.
  if (error instanceof Error && !isAxiosError(error)) {
    const { status, code } = error as { status?: unknown; code?: unknown };
    if (typeof status === "number") {
      return { status, code: typeof code === "number" && code > 0 ? code : undefined, message: error.message };
    }
  }
  return undefined;
}

function isAxiosError(error: Error): boolean {
  return (error as { isAxiosError?: unknown }).isAxiosError === true;
}

function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isAxiosError(error)) return true;
  const { code } = error as { code?: unknown };
  return typeof code === "string" && NETWORK_CODES.has(code);
}

/** The failure class of an HTTP answer from Twilio. */
function classify(status: number, code: number | undefined): PagerFailure {
  if (status === 429 || status >= 500) return "temporary";
  if (code !== undefined && BAD_NUMBER_CODES.has(code)) return "bad-number";
  return "rejected";
}

/** Phone numbers in free text (Twilio's messages quote them) masked like the logger masks fields. */
function maskNumbers(text: string): string {
  return text.replace(/\+?\d{7,15}/g, (number) => maskPhone(number));
}

/**
 * Turns whatever the twilio client threw into the one error the worker understands. This is the
 * only place Twilio failures are translated:
 *
 * - HTTP 429 or 5xx: `temporary`, with Twilio's `Retry-After` as `detail.retryAfterMs` when it gave one;
 * - a code in {@link BAD_NUMBER_CODES}: `bad-number`;
 * - any other 4xx (20003 authentication, 21606 a `From` that cannot send, ...): `rejected`;
 * - no HTTP answer (refused, reset, timed out), or an answer that does not parse: `temporary`;
 * - anything else (a bug on our side, such as a missing parameter): `rejected`.
 *
 * The original error is not kept as `cause`: an axios error holds the request headers, and with
 * them the auth token. Phone numbers in the message are masked; `detail.to` keeps the number.
 */
export function toPagerError(error: unknown, kind: PageKind, to: string, secret?: string): PagerError {
  const what = `${kind === "sms" ? "SMS" : "call"} to ${maskPhone(to)}`;
  const scrub = (text: string) => {
    const masked = maskNumbers(text);
    return secret ? masked.split(secret).join("[redacted]") : masked;
  };
  const http = httpFailure(error);
  if (http) {
    const failure = classify(http.status, http.code);
    const answer = `Twilio answered ${http.status}${http.code ? ` (${http.code})` : ""}`;
    return new PagerError(failure, `${what} failed: ${answer}: ${scrub(http.message)}`, {
      status: http.status,
      ...(http.code !== undefined ? { code: http.code } : {}),
      to,
      ...(http.retryAfterMs !== undefined && failure === "temporary" ? { retryAfterMs: http.retryAfterMs } : {}),
    });
  }
  if (isNetworkFailure(error)) {
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === "string" ? code : "no answer";
    return new PagerError("temporary", `${what} failed: Twilio could not be reached (${reason})`, { to });
  }
  if (error instanceof SyntaxError) {
    return new PagerError("temporary", `${what} failed: Twilio's answer could not be read`, { to });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PagerError("rejected", `${what} failed: ${scrub(message)}`, { to });
}

/**
 * The pager that reaches people through Twilio's REST API with the official client.
 *
 * The client's own 429 retries are off (`autoRetry: false`): retrying is the worker's decision,
 * made with BullMQ's attempts and backoff, on a `temporary` failure; Twilio's `Retry-After` comes
 * with the failure (`detail.retryAfterMs`), for the send queue to pause on. Sending limits are
 * not kept here: the send queues keep them (see `startSendWorkers`).
 *
 * @example
 * const pager = new TwilioPager({ accountSid, authToken, from: "+14035550311" });
 * const sid = await pager.sendSms("+14035550123", "Water main break at 5th Ave S");
 */
export class TwilioPager implements Pager {
  readonly #client: twilio.Twilio;
  readonly #from: string;
  readonly #authToken: string;

  constructor(options: TwilioPagerOptions) {
    // The client takes its timeout and retries from its HTTP client when it is given one.
    this.#client = twilio(options.accountSid, options.authToken, {
      httpClient: new RetryAfterRequestClient({ autoRetry: false, timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS }),
    });
    if (options.apiUrl) {
      this.#client.api.baseUrl = options.apiUrl;
      // The client rewrites the hostname when an edge or region is set (TWILIO_EDGE and
      // TWILIO_REGION are read from the environment), which would break a stand-in's URL.
      this.#client.edge = undefined;
      this.#client.region = undefined;
    }
    this.#from = options.from;
    this.#authToken = options.authToken;
  }

  async sendSms(to: string, body: string): Promise<string> {
    try {
      const message = await this.#client.messages.create({ to, from: this.#from, body });
      return message.sid;
    } catch (error) {
      throw toPagerError(error, "sms", to, this.#authToken);
    }
  }

  async placeCall(to: string, twimlUrl: string): Promise<string> {
    try {
      // No status callback: nothing of the chain waits for how a call ended (an unanswered call
      // is an unacknowledged page), so nothing would read one.
      const call = await this.#client.calls.create({ to, from: this.#from, url: twimlUrl, method: "POST" });
      return call.sid;
    } catch (error) {
      throw toPagerError(error, "call", to, this.#authToken);
    }
  }
}
