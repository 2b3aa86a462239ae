/**
 * A local stand-in of Twilio's REST API (Messages and Calls), for tests and `npm run
 * bench:dispatch`: the official twilio client talks to it over HTTP once `client.api.baseUrl` is
 * set to its `url`, exactly as it talks to https://api.twilio.com.
 *
 * What it checks, like Twilio: HTTP Basic auth (AccountSid:AuthToken) and the AccountSid in the
 * path (401, code 20003, otherwise); `To`, `From` and `Body` (or `Url`) in a form-encoded body.
 * What it answers, like Twilio: 201 with the snake_case resource, status `queued`; errors as
 * `{ code, message, more_info, status }` with the HTTP status. Nothing is ever sent.
 *
 * @example
 * const twilio = await startTwilioStandIn({ accountSid, authToken });
 * const pager = new TwilioPager({ accountSid, authToken, from, apiUrl: twilio.url });
 * twilio.failNext(1, 503);
 * await twilio.waitFor((requests) => requests.length >= 2, 5_000);
 * await twilio.close();
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Request, type Response } from "express";

const API_VERSION = "2010-04-01";

export interface TwilioStandInOptions {
  accountSid: string;
  authToken: string;
  /** Port on 127.0.0.1. @defaultValue 0 (any free port) */
  port?: number;
}

/** One request to Messages.json or Calls.json, as received, and what the stand-in answered. */
export interface StandInRequest {
  kind: "sms" | "call";
  /** The request path, e.g. `/2010-04-01/Accounts/AC.../Messages.json`. */
  path: string;
  /** The AccountSid in the path. */
  accountSid: string;
  to: string;
  from: string;
  /** `Body` of an SMS. */
  body?: string;
  /** `Url` of a call: where Twilio would fetch the TwiML. */
  url?: string;
  /** `Method` of a call (how `Url` is requested). */
  method?: string;
  /** `StatusCallback`, when given. */
  statusCallback?: string;
  /** Every form parameter, as posted (the first value of a repeated one). */
  params: Record<string, string>;
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
  /** The HTTP status answered: 201 when the SMS or call was accepted. */
  status: number;
  /** The Twilio error code answered, when it was an error. */
  code?: number;
  /** The `SM...` or `CA...` sid answered, when accepted. */
  sid?: string;
}

export interface TwilioStandIn {
  /** Base URL to give `TwilioPager` as `apiUrl` (`client.api.baseUrl`): `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Every request to Messages.json and Calls.json, oldest first, whatever was answered. */
  readonly requests: StandInRequest[];
  /** The SMS that were accepted (answered 201). */
  messages(): StandInRequest[];
  /** The calls that were accepted (answered 201). */
  calls(): StandInRequest[];
  /**
   * Answers the next `count` authenticated requests with `status` and Twilio's error JSON.
   * `code` defaults to 20000 + status (20429, 20500, 20503, as Twilio does). With
   * `retryAfterSeconds`, the answer carries a `Retry-After` header, as Twilio's 429s can.
   */
  failNext(count: number, status?: number, code?: number, options?: { retryAfterSeconds?: number }): void;
  /**
   * Holds the next authenticated request (of `kind`, when given) unanswered until `release()`:
   * a Twilio that is slow to answer, or, never released, one that does not answer at all (the
   * client times out). Holds and `failNext` failures apply in the order they were asked for. A
   * held request is recorded once it is released and answered.
   */
  holdNext(kind?: "sms" | "call"): HeldRequest;
  /**
   * Twilio's API is down: every authenticated request is answered with `status` (503, code
   * 20503, by default) until `up()`, after any failures and holds already asked for.
   */
  down(status?: number): void;
  /** Twilio's API is back. */
  up(): void;
  /** Refuses every SMS and call to `to` with `code` and `status` (default 21211, 400). */
  rejectNumber(to: string, code?: number, status?: number): void;
  /**
   * Resolves with a copy of the requests once `predicate(requests)` holds (checked now and after
   * each request); rejects after `timeoutMs`.
   */
  waitFor(predicate: (requests: readonly StandInRequest[]) => boolean, timeoutMs?: number): Promise<StandInRequest[]>;
  /** Forgets the requests, pending failures and holds, and refused numbers. */
  reset(): void;
  /** Stops listening and drops open connections; pending `waitFor`s reject. */
  close(): Promise<void>;
}

/** A request `holdNext` is holding. */
export interface HeldRequest {
  /** Resolves with the request's form parameters once it has arrived and is being held. */
  arrived: Promise<Record<string, string>>;
  /** Lets it go on: it is answered as any other request. */
  release(): void;
}

/** What the next requests are answered with, in the order the test asked for them. */
type Upcoming =
  | { fail: { status: number; code: number; retryAfterSeconds?: number } }
  | { hold: { kind: "sms" | "call" | undefined; arrive: (params: Record<string, string>) => void; released: Promise<void> } };

/** Twilio's words for the codes the stand-in answers with. */
const MESSAGES: Record<number, (to: string, from: string) => string> = {
  20003: () => "Authenticate",
  20404: () => "The requested resource was not found",
  20429: () => "Too Many Requests",
  20500: () => "Internal Server Error",
  20503: () => "Service Unavailable",
  21201: () => "No 'To' number is specified",
  21205: () => "Url parameter is required.",
  21211: (to) => `The 'To' number ${to} is not a valid phone number.`,
  21213: () => "No 'From' number is specified",
  21214: () => "'To' phone number cannot be reached",
  21217: () => "Phone number does not appear to be valid",
  21408: (to) => `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`,
  21602: () => "Message body is required.",
  21603: () => "A 'From' phone number is required.",
  21604: () => "A 'To' phone number is required.",
  21606: (_to, from) => `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
  21610: () => "Attempt to send to unsubscribed recipient",
  21612: (to, from) => `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number: ${from} via SMS.`,
  21614: (to) => `'To' number ${to} is not a valid mobile number`,
};

interface ErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

/** An error answer: its JSON body, and a `Retry-After` (seconds) to send with it. */
type ErrorAnswer = ErrorBody & { retryAfterSeconds?: number };

function errorBody(status: number, code: number, to = "", from = ""): ErrorBody {
  const message = MESSAGES[code]?.(to, from) ?? `Twilio error ${code}`;
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/** Twilio's date format (RFC 2822): `Thu, 30 Jul 2015 20:12:31 +0000`. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace("GMT", "+0000");
}

function newSid(prefix: "SM" | "CA"): string {
  return `${prefix}${randomBytes(16).toString("hex")}`;
}

/** Form parameters with repeated keys reduced to their first value. */
function formParams(body: unknown): Record<string, string> {
  const params: Record<string, string> = {};
  if (!body || typeof body !== "object") return params;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string") params[key] = first;
  }
  return params;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** Starts the stand-in on 127.0.0.1 and resolves once it listens. */
export async function startTwilioStandIn(options: TwilioStandInOptions): Promise<TwilioStandIn> {
  const { accountSid, authToken } = options;
  const requests: StandInRequest[] = [];
  const upcoming: Upcoming[] = [];
  let outage: { status: number; code: number } | undefined;
  const refused = new Map<string, { code: number; status: number }>();
  const waiters = new Set<{ check: () => void; fail: (error: Error) => void }>();

  const authorized = (request: Request): boolean => {
    const match = /^Basic\s+(.+)$/i.exec(request.get("authorization") ?? "");
    if (!match?.[1]) return false;
    const credentials = Buffer.from(match[1], "base64").toString("utf8");
    const colon = credentials.indexOf(":");
    if (colon < 0) return false;
    return (
      sameSecret(credentials.slice(0, colon), accountSid) &&
      sameSecret(credentials.slice(colon + 1), authToken) &&
      request.params.accountSid === accountSid
    );
  };

  /** The error to answer for this request, if any, in the order Twilio would find them. */
  const problem = (request: Request, kind: "sms" | "call", params: Record<string, string>): ErrorAnswer | undefined => {
    const to = params.To ?? "";
    const from = params.From ?? "";
    if (!authorized(request)) return errorBody(401, 20003);
    const next = upcoming[0];
    if (next && "fail" in next) {
      upcoming.shift();
      const { status, code, retryAfterSeconds } = next.fail;
      return { ...errorBody(status, code), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
    }
    if (outage) return errorBody(outage.status, outage.code);
    if (kind === "sms") {
      if (!to) return errorBody(400, 21604);
      if (!from && !params.MessagingServiceSid) return errorBody(400, 21603);
      if (!params.Body && !params.MediaUrl && !params.ContentSid) return errorBody(400, 21602);
    } else {
      if (!to) return errorBody(400, 21201);
      if (!from) return errorBody(400, 21213);
      if (!params.Twiml && !params.ApplicationSid && !(params.Url && isHttpUrl(params.Url))) return errorBody(400, 21205);
    }
    const refusal = refused.get(to);
    if (refusal) return errorBody(refusal.status, refusal.code, to, from);
    return undefined;
  };

  const record = (entry: StandInRequest) => {
    requests.push(entry);
    for (const waiter of [...waiters]) waiter.check();
  };

  const handle = (kind: "sms" | "call") => async (request: Request, response: Response) => {
    const params = formParams(request.body);
    const next = upcoming[0];
    if (next && "hold" in next && (next.hold.kind ?? kind) === kind && authorized(request)) {
      upcoming.shift();
      next.hold.arrive(params);
      await next.hold.released;
    }
    const pathSid = String(request.params.accountSid);
    const entry: StandInRequest = {
      kind,
      path: request.path,
      accountSid: pathSid,
      to: params.To ?? "",
      from: params.From ?? "",
      ...(kind === "sms" && params.Body !== undefined ? { body: params.Body } : {}),
      ...(kind === "call" && params.Url !== undefined ? { url: params.Url } : {}),
      ...(kind === "call" && params.Method !== undefined ? { method: params.Method } : {}),
      ...(params.StatusCallback !== undefined ? { statusCallback: params.StatusCallback } : {}),
      params,
      receivedAt: Date.now(),
      status: 201,
    };
    const answer = problem(request, kind, params);
    if (answer) {
      const { retryAfterSeconds, ...error } = answer;
      if (error.status === 401) response.set("WWW-Authenticate", 'Basic realm="Twilio API"');
      if (retryAfterSeconds !== undefined) response.set("Retry-After", String(retryAfterSeconds));
      record({ ...entry, status: error.status, code: error.code });
      response.status(error.status).json(error);
      return;
    }
    const sid = newSid(kind === "sms" ? "SM" : "CA");
    record({ ...entry, sid });
    response.status(201).json(kind === "sms" ? messageResource(sid, pathSid, params) : callResource(sid, pathSid, params));
  };

  const app = express();
  app.disable("x-powered-by");
  app.use(express.urlencoded({ extended: false }));
  app.post(`/${API_VERSION}/Accounts/:accountSid/Messages.json`, handle("sms"));
  app.post(`/${API_VERSION}/Accounts/:accountSid/Calls.json`, handle("call"));
  app.use((request: Request, response: Response) => {
    const body = errorBody(404, 20404);
    response.status(404).json({ ...body, message: `The requested resource ${request.path} was not found` });
  });

  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const accepted = (kind: "sms" | "call") => requests.filter((entry) => entry.kind === kind && entry.status === 201);

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    messages: () => accepted("sms"),
    calls: () => accepted("call"),
    failNext(count, status = 500, code = 20000 + status, options = {}) {
      const { retryAfterSeconds } = options;
      for (let i = 0; i < count; i++) upcoming.push({ fail: { status, code, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) } });
    },
    holdNext(kind) {
      let arrive: (params: Record<string, string>) => void = () => {};
      let release: () => void = () => {};
      const arrived = new Promise<Record<string, string>>((resolve) => (arrive = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      upcoming.push({ hold: { kind, arrive, released } });
      return { arrived, release };
    },
    down(status = 503) {
      outage = { status, code: 20000 + status };
    },
    up() {
      outage = undefined;
    },
    rejectNumber(to, code = 21211, status = 400) {
      refused.set(to, { code, status });
    },
    waitFor(predicate, timeoutMs = 5_000) {
      return new Promise<StandInRequest[]>((resolve, reject) => {
        const waiter = {
          check: () => {
            let done: boolean;
            try {
              done = predicate(requests);
            } catch (error) {
              finish();
              reject(error instanceof Error ? error : new Error(String(error)));
              return;
            }
            if (done) {
              finish();
              resolve([...requests]);
            }
          },
          fail: (error: Error) => {
            finish();
            reject(error);
          },
        };
        const timer = setTimeout(
          () => waiter.fail(new Error(`the Twilio stand-in did not see what was waited for within ${timeoutMs} ms (${requests.length} requests)`)),
          timeoutMs,
        );
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        waiters.add(waiter);
        waiter.check();
      });
    },
    reset() {
      requests.length = 0;
      upcoming.length = 0;
      outage = undefined;
      refused.clear();
    },
    async close() {
      for (const waiter of [...waiters]) waiter.fail(new Error("the Twilio stand-in was closed"));
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Clients keep connections alive; do not wait for them to let go.
        server.closeAllConnections();
      });
    },
  };
}

/** A Message resource as Twilio answers `POST .../Messages.json`. */
function messageResource(sid: string, accountSid: string, params: Record<string, string>) {
  const now = rfc2822(new Date());
  const body = params.Body ?? "";
  return {
    account_sid: accountSid,
    api_version: API_VERSION,
    body,
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: "outbound-api",
    error_code: null,
    error_message: null,
    from: params.From ?? null,
    messaging_service_sid: params.MessagingServiceSid ?? null,
    num_media: "0",
    num_segments: String(Math.max(1, Math.ceil(body.length / 160))),
    price: null,
    price_unit: "USD",
    sid,
    status: "queued",
    subresource_uris: { media: `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}/Media.json` },
    to: params.To,
    uri: `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`,
  };
}

/** A Call resource as Twilio answers `POST .../Calls.json`. */
function callResource(sid: string, accountSid: string, params: Record<string, string>) {
  const now = rfc2822(new Date());
  const base = `/${API_VERSION}/Accounts/${accountSid}/Calls/${sid}`;
  return {
    account_sid: accountSid,
    annotation: null,
    answered_by: null,
    api_version: API_VERSION,
    caller_name: null,
    date_created: now,
    date_updated: now,
    direction: "outbound-api",
    duration: null,
    end_time: null,
    forwarded_from: null,
    from: params.From,
    from_formatted: params.From,
    group_sid: null,
    parent_call_sid: null,
    phone_number_sid: null,
    price: null,
    price_unit: "USD",
    queue_time: "0",
    sid,
    start_time: null,
    status: "queued",
    subresource_uris: {
      notifications: `${base}/Notifications.json`,
      recordings: `${base}/Recordings.json`,
      payments: `${base}/Payments.json`,
      events: `${base}/Events.json`,
      siprec: `${base}/Siprec.json`,
      streams: `${base}/Streams.json`,
      user_defined_message_subscriptions: `${base}/UserDefinedMessageSubscriptions.json`,
      user_defined_messages: `${base}/UserDefinedMessages.json`,
    },
    to: params.To,
    to_formatted: params.To,
    trunk_sid: null,
    uri: `${base}.json`,
  };
}
