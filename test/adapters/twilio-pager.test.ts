import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTwilioStandIn, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { MAX_RETRY_AFTER_MS, retryAfterMs, TwilioPager, type TwilioPagerOptions } from "../../src/adapters/twilio/twilio-pager.js";
import { PagerError } from "../../src/domain/oncall/pager.js";

// The real twilio client, talking HTTP to the stand-in on 127.0.0.1: Twilio is faked only at its edge.
const ACCOUNT_SID = `AC${"5".repeat(32)}`;
const AUTH_TOKEN = "stand-in-auth-token-4f1d2c9e8a7b";
const FROM = "+14035550311";
const CREW = "+14035550123";
const TWIML_URL = "https://line.example.org/twilio/oncall/page?incident=42";

/** The PagerError a page rejected with (fails the test when it resolved or threw something else). */
async function failureOf(page: Promise<string>): Promise<PagerError> {
  const error = await page.then(
    (sid) => {
      throw new Error(`expected the page to fail, it went out as ${sid}`);
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(PagerError);
  return error as PagerError;
}

describe("TwilioPager", () => {
  let standIn: TwilioStandIn;
  let pager: TwilioPager;
  const pagerWith = (options: Partial<TwilioPagerOptions> = {}) =>
    new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiUrl: standIn.url, timeoutMs: 2_000, ...options });

  beforeAll(async () => {
    standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    pager = pagerWith();
  });
  afterAll(() => standIn.close());
  beforeEach(() => standIn.reset());

  describe("when Twilio accepts the page", () => {
    it("posts the SMS to {apiUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json", async () => {
      await pager.sendSms(CREW, "Water main break at 5th Ave S");
      expect(standIn.requests.map((request) => request.path)).toEqual([`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`]);
    });

    it("sends an SMS with To, From and Body, and resolves with the message sid Twilio answered", async () => {
      const sid = await pager.sendSms(CREW, "Water main break at 5th Ave S & 3rd St");
      const [message] = standIn.messages();
      expect(message).toMatchObject({ to: CREW, from: FROM, body: "Water main break at 5th Ave S & 3rd St" });
      expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
      expect(sid).toBe(message?.sid);
    });

    it("places a call that fetches its TwiML from the URL with POST, and resolves with the call sid", async () => {
      const sid = await pager.placeCall(CREW, TWIML_URL);
      const [call] = standIn.calls();
      expect(call).toMatchObject({ to: CREW, from: FROM, url: TWIML_URL, method: "POST" });
      expect(call?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`);
      expect(sid).toMatch(/^CA[0-9a-f]{32}$/);
      expect(sid).toBe(call?.sid);
    });

    it("asks for no status callback, since nothing would read it", async () => {
      await pager.placeCall(CREW, TWIML_URL);
      expect(standIn.calls()[0]?.params).not.toHaveProperty("StatusCallback");
    });
  });

  describe("when Twilio is failing or limiting us", () => {
    it("a 500 is a temporary failure", async () => {
      standIn.failNext(1, 500);
      const error = await failureOf(pager.sendSms(CREW, "page"));
      expect(error.failure).toBe("temporary");
      expect(error.detail).toEqual({ status: 500, code: 20500, to: CREW });
    });

    it("a 503 on a call is a temporary failure", async () => {
      standIn.failNext(1, 503);
      const error = await failureOf(pager.placeCall(CREW, TWIML_URL));
      expect(error.failure).toBe("temporary");
      expect(error.detail.status).toBe(503);
    });

    it("a 429 is a temporary failure, and the client does not retry it on its own", async () => {
      standIn.failNext(1, 429);
      const error = await failureOf(pager.sendSms(CREW, "page"));
      expect(error.failure).toBe("temporary");
      expect(error.detail).toEqual({ status: 429, code: 20429, to: CREW });
      expect(standIn.requests).toHaveLength(1);
    });

    it("a 429 with Retry-After in seconds says how long Twilio asked us to wait", async () => {
      standIn.failNext(1, 429, 20429, { retryAfterSeconds: 3 });
      const error = await failureOf(pager.sendSms(CREW, "page"));
      expect(error.failure).toBe("temporary");
      expect(error.detail).toEqual({ status: 429, code: 20429, to: CREW, retryAfterMs: 3_000 });
      expect(error.message).toContain("Too Many Requests");
    });

    it("a 503 with Retry-After says so too", async () => {
      standIn.failNext(1, 503, 20503, { retryAfterSeconds: 1 });
      const error = await failureOf(pager.placeCall(CREW, TWIML_URL));
      expect(error.failure).toBe("temporary");
      expect(error.detail.retryAfterMs).toBe(1_000);
    });

    it("the next page goes out once Twilio recovers", async () => {
      standIn.failNext(1, 500);
      await failureOf(pager.sendSms(CREW, "page"));
      await expect(pager.sendSms(CREW, "page")).resolves.toMatch(/^SM/);
    });
  });

  describe("when the number cannot take the page", () => {
    it.each([
      [21211, "invalid To number"],
      [21614, "not a mobile number"],
      [21610, "unsubscribed (STOP)"],
      [21612, "not reachable by SMS from our number"],
      [21408, "region not enabled"],
    ])("code %i (%s) is bad-number, with the status, code and number kept", async (code) => {
      standIn.rejectNumber(CREW, code);
      const error = await failureOf(pager.sendSms(CREW, "page"));
      expect(error.failure).toBe("bad-number");
      expect(error.detail).toEqual({ status: 400, code, to: CREW });
    });

    it.each([21211, 21214, 21217])("a call refused with %i is bad-number", async (code) => {
      standIn.rejectNumber(CREW, code);
      const error = await failureOf(pager.placeCall(CREW, TWIML_URL));
      expect(error.failure).toBe("bad-number");
      expect(error.detail.code).toBe(code);
    });

    it("an empty number is bad-number (21604), not a retry", async () => {
      const error = await failureOf(pager.sendSms("", "page"));
      expect(error.failure).toBe("bad-number");
      expect(error.detail.code).toBe(21604);
    });

    it("masks the number in the message, which quotes Twilio's words", async () => {
      standIn.rejectNumber(CREW, 21211);
      const error = await failureOf(pager.sendSms(CREW, "page"));
      expect(error.message).toContain("21211");
      expect(error.message).not.toContain(CREW);
      expect(error.message).toContain("+*********23");
    });
  });

  describe("when our request or credentials are wrong", () => {
    it("a wrong auth token (401) is rejected, and the error does not carry the token", async () => {
      const token = "wrong-token-do-not-leak-7d3e9a";
      const error = await failureOf(pagerWith({ authToken: token }).sendSms(CREW, "page"));
      expect(error.failure).toBe("rejected");
      expect(error.detail).toEqual({ status: 401, code: 20003, to: CREW });
      const basic = Buffer.from(`${ACCOUNT_SID}:${token}`).toString("base64");
      for (const text of [error.message, String(error.stack), JSON.stringify(error), JSON.stringify(error.detail)]) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(basic);
      }
      expect(error.cause).toBeUndefined();
    });

    it("another account's sid (401) is rejected", async () => {
      const other = `AC${"6".repeat(32)}`;
      const error = await failureOf(pagerWith({ accountSid: other }).sendSms(CREW, "page"));
      expect(error.failure).toBe("rejected");
      expect(error.detail.status).toBe(401);
    });

    it("a From number that cannot send (21606) is rejected: a person must fix the configuration", async () => {
      standIn.rejectNumber(CREW, 21606);
      const error = await failureOf(pager.sendSms(CREW, "page"));
      expect(error.failure).toBe("rejected");
      expect(error.detail.code).toBe(21606);
    });

    it("an unknown 4xx code is rejected", async () => {
      standIn.failNext(1, 403, 20403);
      const error = await failureOf(pager.sendSms(CREW, "page"));
      expect(error.failure).toBe("rejected");
      expect(error.detail).toEqual({ status: 403, code: 20403, to: CREW });
    });
  });

  describe("when Twilio cannot be reached", () => {
    it("nothing listening (connection refused) is a temporary failure", async () => {
      const closed = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
      await closed.close();
      const error = await failureOf(pagerWith({ apiUrl: closed.url }).sendSms(CREW, "page"));
      expect(error.failure).toBe("temporary");
      expect(error.message).toContain("ECONNREFUSED");
      expect(error.detail).toEqual({ to: CREW });
    });

    describe("a server that accepts the connection and never answers", () => {
      let silent: Server;
      const sockets = new Set<Socket>();
      let url: string;

      beforeAll(async () => {
        silent = createServer((socket) => {
          sockets.add(socket);
          socket.on("close", () => sockets.delete(socket));
        });
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
        url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      });
      afterAll(async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      });

      it("is a temporary failure after timeoutMs", async () => {
        const started = Date.now();
        const error = await failureOf(pagerWith({ apiUrl: url, timeoutMs: 300 }).placeCall(CREW, TWIML_URL));
        expect(error.failure).toBe("temporary");
        expect(Date.now() - started).toBeLessThan(5_000);
      });
    });
  });
});

describe("retryAfterMs (Twilio's Retry-After)", () => {
  const now = Date.parse("2026-12-05T09:00:00Z");

  it("reads a number of seconds", () => {
    expect(retryAfterMs("2", now)).toBe(2_000);
    expect(retryAfterMs("0", now)).toBe(0);
  });

  it("reads an HTTP date as the time until then", () => {
    expect(retryAfterMs("Sat, 05 Dec 2026 09:00:05 GMT", now)).toBe(5_000);
    expect(retryAfterMs("Sat, 05 Dec 2026 08:59:00 GMT", now)).toBe(0);
  });

  it("believes no more than a minute, so a bad value cannot hold every page for hours", () => {
    expect(retryAfterMs("86400", now)).toBe(MAX_RETRY_AFTER_MS);
    expect(MAX_RETRY_AFTER_MS).toBe(60_000);
  });

  it("is undefined when there is none or it cannot be read", () => {
    for (const value of [undefined, "", "soon", "-1", ["abc"]]) expect(retryAfterMs(value, now)).toBeUndefined();
  });
});

describe("the Twilio stand-in", () => {
  let standIn: TwilioStandIn;
  const basic = (sid: string, token: string) => `Basic ${Buffer.from(`${sid}:${token}`).toString("base64")}`;
  const post = (path: string, form: Record<string, string>, authorization = basic(ACCOUNT_SID, AUTH_TOKEN)) =>
    fetch(`${standIn.url}${path}`, {
      method: "POST",
      headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
  const messagesPath = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;

  beforeAll(async () => {
    standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  });
  afterAll(() => standIn.close());
  beforeEach(() => standIn.reset());

  it("answers 201 with Twilio's snake_case message resource", async () => {
    const response = await post(messagesPath, { To: CREW, From: FROM, Body: "hello" });
    expect(response.status).toBe(201);
    const resource = (await response.json()) as Record<string, unknown>;
    expect(resource).toMatchObject({ account_sid: ACCOUNT_SID, to: CREW, from: FROM, body: "hello", status: "queued" });
    expect(resource.uri).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${String(resource.sid)}.json`);
    expect(resource.date_created).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  });

  it("answers 401 with Twilio's error JSON without Basic auth", async () => {
    const response = await post(messagesPath, { To: CREW, From: FROM, Body: "hello" }, "");
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      code: 20003,
      message: "Authenticate",
      more_info: "https://www.twilio.com/docs/errors/20003",
      status: 401,
    });
  });

  it("answers 401 when the AccountSid in the path is not the authenticated one", async () => {
    const response = await post(`/2010-04-01/Accounts/AC${"6".repeat(32)}/Messages.json`, { To: CREW, From: FROM, Body: "hi" });
    expect(response.status).toBe(401);
  });

  it("answers 400 with 21602 for an SMS without a body", async () => {
    const response = await post(messagesPath, { To: CREW, From: FROM });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 21602, status: 400 });
  });

  it("answers 404 with 20404 elsewhere", async () => {
    const response = await post("/2010-04-01/Accounts/x/Faxes.json", {});
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 20404, status: 404 });
  });

  it("keeps every request, refused ones too, with what it answered", async () => {
    await post(messagesPath, { To: CREW, From: FROM, Body: "one" }, basic(ACCOUNT_SID, "nope"));
    await post(messagesPath, { To: CREW, From: FROM, Body: "two" });
    expect(standIn.requests.map((request) => [request.body, request.status])).toEqual([
      ["one", 401],
      ["two", 201],
    ]);
    expect(standIn.messages().map((message) => message.body)).toEqual(["two"]);
  });

  it("waitFor resolves once the requests satisfy the predicate", async () => {
    const waiting = standIn.waitFor((requests) => requests.length >= 2, 2_000);
    await post(messagesPath, { To: CREW, From: FROM, Body: "one" });
    await post(messagesPath, { To: CREW, From: FROM, Body: "two" });
    await expect(waiting).resolves.toHaveLength(2);
  });

  it("answers a failure with Retry-After when asked to", async () => {
    standIn.failNext(1, 429, 20429, { retryAfterSeconds: 2 });
    const response = await post(messagesPath, { To: CREW, From: FROM, Body: "hello" });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(await response.json()).toMatchObject({ code: 20429, status: 429 });
  });

  it("waitFor rejects after its timeout", async () => {
    await expect(standIn.waitFor(() => false, 50)).rejects.toThrow(/within 50 ms/);
  });
});
