import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express, { type Request, type Response } from "express";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HttpStatusError,
  parseTwiml,
  placeCall,
  ServerUnreachableError,
  SignatureRefusedError,
  TwimlError,
  type CallRequest,
  type CallTranscript,
  type PlaceCallOptions,
  type Prompt,
} from "../../scripts/lib/phone.js";

const { VoiceResponse } = twilio.twiml;
const AUTH_TOKEN = "phone-test-token";
/** The stand-in signs and writes its URLs with a public URL that is not where it listens, as behind a tunnel. */
const PUBLIC_URL = "https://civic.example.test";

/** A request the stand-in server received. */
interface Received {
  path: string;
  params: Record<string, string>;
  signatureValid: boolean;
}

/**
 * A stand-in for Civic Line that answers a short scripted call with canned TwiML: a menu, a
 * voicemail, a queue with a wait URL, then goodbye. It checks every signature as the real
 * server does, over PUBLIC_URL + the path, and answers 403 when one is wrong.
 */
function standInServer(received: Received[]): express.Express {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use((req, res, next) => {
    const params = req.body as Record<string, string>;
    const signatureValid = twilio.validateRequest(AUTH_TOKEN, req.header("X-Twilio-Signature") ?? "", PUBLIC_URL + req.originalUrl, params);
    received.push({ path: req.originalUrl, params, signatureValid });
    if (!signatureValid) {
      res.status(403).type("text/plain").send("Forbidden: missing or invalid X-Twilio-Signature\n");
      return;
    }
    next();
  });
  const twiml = (res: Response, response: InstanceType<typeof VoiceResponse>) => res.type("text/xml").send(response.toString());
  const step = (n: number) => `${PUBLIC_URL}/twilio/voice/step?n=${n}`;
  const waitUrl = `${PUBLIC_URL}/twilio/voice/wait?flow=main&state=queue-billing`;

  app.post("/twilio/voice", (_req, res) => {
    const response = new VoiceResponse();
    response.say("Thank you for calling the City.");
    const gather = response.gather({ input: ["dtmf", "speech"], action: step(1), numDigits: 1, timeout: 5, actionOnEmptyResult: true });
    gather.say("For billing, press 1 or say billing.");
    gather.pause({ length: 1 });
    twiml(res, response);
  });
  app.post("/twilio/voice/step", (req: Request, res) => {
    const response = new VoiceResponse();
    switch (req.query["n"]) {
      case "1":
        response.say("After the tone, leave a message, then press pound.");
        response.record({ action: step(2), maxLength: 60, finishOnKey: "#" });
        response.say("We did not get a recording.");
        break;
      case "2":
        response.say("Please hold for billing.");
        response.enqueue({ action: step(3), waitUrl, waitUrlMethod: "POST" }, "utility-billing");
        break;
      case "3":
        response.say("Goodbye.");
        response.hangup();
        break;
    }
    twiml(res, response);
  });
  app.post("/twilio/voice/wait", (req, res) => {
    const response = new VoiceResponse();
    response.say(`You are number ${String(req.body.QueuePosition)} in line.`);
    if (Number(req.body.QueueTime) >= 300) {
      const gather = response.gather({ input: ["dtmf"], numDigits: 1, timeout: 5, action: `${PUBLIC_URL}/twilio/voice/wait/choice` });
      gather.say("To leave a voicemail instead, press 1.");
    }
    response.play("https://example.test/hold-music.mp3");
    twiml(res, response);
  });
  app.post("/twilio/voice/wait/choice", (req, res) => {
    const response = new VoiceResponse();
    if (req.body.Digits === "1") response.leave();
    else response.redirect({ method: "POST" }, waitUrl);
    twiml(res, response);
  });
  app.post("/twilio/voice/status", (_req, res) => {
    res.status(204).end();
  });
  return app;
}

/** Starts an app on an ephemeral 127.0.0.1 port. */
async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((resolve) => {
    const started = app.listen(0, "127.0.0.1", () => resolve(started));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

/** An answerer that plays a script, keeps the prompts it was asked, and hangs up when the script runs out. */
function script(...answers: (string | null)[]) {
  const prompts: Prompt[] = [];
  const answer = async (prompt: Prompt) => {
    prompts.push(prompt);
    return answers.length > 0 ? (answers.shift() ?? null) : null;
  };
  return { prompts, answer };
}

/** The params of the one request to `path` (path without the query when `query` is false). */
function postedTo(received: Received[], path: string): Record<string, string>[] {
  return received.filter((request) => request.path === path).map((request) => request.params);
}

describe("placeCall", () => {
  const received: Received[] = [];
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    ({ server, url: baseUrl } = await listen(standInServer(received)));
  });
  afterAll(() => close(server));

  async function call(answers: (string | null)[], options: Partial<PlaceCallOptions> = {}) {
    received.length = 0;
    const { prompts, answer } = script(...answers);
    const transcript = await placeCall({
      baseUrl,
      publicUrl: PUBLIC_URL,
      authToken: AUTH_TOKEN,
      from: "+14035550123",
      to: "+14035550311",
      answer,
      ...options,
    });
    return { transcript, prompts, requests: [...received] };
  }

  describe("a call through the menu, a voicemail and the queue, leaving the queue for voicemail", () => {
    let transcript: CallTranscript;
    let prompts: Prompt[];
    let requests: Received[];

    beforeAll(async () => {
      ({ transcript, prompts, requests } = await call(["1", "The streetlight on 5th Avenue is out", "w", "1"]));
    });

    it("hears every Say, Play and Pause in order, with the queue around them", () => {
      expect(transcript.heard).toEqual([
        "🔊 Thank you for calling the City.",
        "🔊 For billing, press 1 or say billing.",
        "… 1 s pause",
        "🔊 After the tone, leave a message, then press pound.",
        "📼 beep (recording)",
        "🔊 Please hold for billing.",
        '⏳ In queue "utility-billing"',
        "🔊 You are number 1 in line.",
        "♪ https://example.test/hold-music.mp3",
        "⏳ 10 minutes pass (10 minutes in line)",
        "🔊 You are number 1 in line.",
        "🔊 To leave a voicemail instead, press 1.",
        '⏳ You leave the queue "utility-billing"',
        "🔊 Goodbye.",
      ]);
    });

    it("asks for each kind of input with what the TwiML allows", () => {
      expect(prompts.map((prompt) => prompt.kind)).toEqual(["gather", "record", "queue", "gather"]);
      expect(prompts[0]).toMatchObject({ kind: "gather", input: ["dtmf", "speech"], numDigits: 1, onHold: false, problem: null });
      expect(prompts[1]).toMatchObject({ kind: "record", maxLength: 60, finishOnKey: "#" });
      expect(prompts[2]).toMatchObject({ kind: "queue", queue: "utility-billing", waited: 0 });
      expect(prompts[3]).toMatchObject({ kind: "gather", input: ["dtmf"], onHold: true });
    });

    it("signs every request so that the server's check passes, and sends it to the base URL", () => {
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.every((request) => request.signatureValid)).toBe(true);
      expect(transcript.requests.every((request) => request.sentTo.startsWith(baseUrl))).toBe(true);
      expect(transcript.requests.every((request) => request.url.startsWith(PUBLIC_URL))).toBe(true);
    });

    it("sends Twilio's call parameters on every request, ringing first", () => {
      expect(transcript.callSid).toMatch(/^CA[0-9a-f]{32}$/);
      for (const { params } of requests) {
        expect(params).toMatchObject({
          CallSid: transcript.callSid,
          From: "+14035550123",
          To: "+14035550311",
          Direction: "inbound",
          ApiVersion: "2010-04-01",
        });
        expect(params["AccountSid"]).toMatch(/^AC[0-9a-f]{32}$/);
      }
      expect(requests.map((request) => request.params["CallStatus"])).toEqual([
        "ringing",
        ...Array<string>(requests.length - 2).fill("in-progress"),
        "completed",
      ]);
    });

    it("posts the keys pressed at the menu as Digits", () => {
      const [menu] = postedTo(requests, "/twilio/voice/step?n=1");
      expect(menu).toMatchObject({ Digits: "1" });
      expect(menu).not.toHaveProperty("SpeechResult");
    });

    it("posts the recording's URL, duration and finish key", () => {
      const [recording] = postedTo(requests, "/twilio/voice/step?n=2");
      expect(recording?.["RecordingUrl"]).toMatch(/^https:\/\/api\.twilio\.com\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Recordings\/RE[0-9a-f]{32}$/);
      expect(recording).toMatchObject({ RecordingDuration: "3", Digits: "#" });
    });

    it("asks the wait URL at once, and again after the wait with the time waited", () => {
      const waits = postedTo(requests, "/twilio/voice/wait?flow=main&state=queue-billing");
      expect(waits.map((params) => [params["QueuePosition"], params["QueueTime"]])).toEqual([
        ["1", "0"],
        ["1", "600"],
      ]);
      expect(waits[0]).toHaveProperty("QueueSid");
      expect(waits[0]).toHaveProperty("CurrentQueueSize", "1");
    });

    it("posts the hold gather's keys to its action, and QueueResult=leave after <Leave/>", () => {
      expect(postedTo(requests, "/twilio/voice/wait/choice")).toEqual([expect.objectContaining({ Digits: "1" })]);
      const [result] = postedTo(requests, "/twilio/voice/step?n=3");
      expect(result).toMatchObject({ QueueResult: "leave", QueueTime: "600" });
      expect(result?.["QueueSid"]).toMatch(/^QU[0-9a-f]{32}$/);
    });

    it("ends at <Hangup/> and posts the status callback with the call's simulated length", () => {
      expect(transcript.end).toMatchObject({ reason: "hangup-verb", steps: requests.length - 1 });
      const last = requests.at(-1);
      expect(last?.path).toBe("/twilio/voice/status");
      expect(last?.params).toMatchObject({ CallStatus: "completed", CallDuration: String(transcript.end.durationSeconds) });
      expect(transcript.end.durationSeconds).toBeGreaterThan(600);
    });
  });

  describe("at a gather that takes keys and speech", () => {
    it("posts words as SpeechResult with a Confidence, and no Digits", async () => {
      const { requests } = await call(["billing"]);
      const [menu] = postedTo(requests, "/twilio/voice/step?n=1");
      expect(menu).toMatchObject({ SpeechResult: "billing", Confidence: "0.9" });
      expect(menu).not.toHaveProperty("Digits");
    });

    it("posts silence with neither Digits nor SpeechResult, since actionOnEmptyResult is set", async () => {
      const { requests } = await call([""]);
      const [menu] = postedTo(requests, "/twilio/voice/step?n=1");
      expect(menu).toBeDefined();
      expect(menu).not.toHaveProperty("Digits");
      expect(menu).not.toHaveProperty("SpeechResult");
    });

    it("posts only up to numDigits keys", async () => {
      const { requests } = await call(["123#"]);
      expect(postedTo(requests, "/twilio/voice/step?n=1")[0]).toMatchObject({ Digits: "1" });
    });

    it("gives every call a fresh CallSid", async () => {
      const first = await call([null]);
      const second = await call([null]);
      expect(first.transcript.callSid).not.toBe(second.transcript.callSid);
    });
  });

  describe("when the caller hangs up", () => {
    it("at the menu: posts nothing to the gather's action, only the status callback", async () => {
      const { transcript, requests } = await call([null]);
      expect(requests.map((request) => request.path)).toEqual(["/twilio/voice", "/twilio/voice/status"]);
      expect(transcript.end).toMatchObject({ reason: "caller-hung-up", steps: 1 });
    });

    it("in the queue: posts QueueResult=hangup to the Enqueue action, then the status callback", async () => {
      const { transcript, requests } = await call(["1", "hello", "h"]);
      expect(postedTo(requests, "/twilio/voice/step?n=3")).toEqual([expect.objectContaining({ QueueResult: "hangup" })]);
      expect(requests.at(-1)?.path).toBe("/twilio/voice/status");
      expect(transcript.heard).not.toContain("🔊 Goodbye.");
      expect(transcript.end.reason).toBe("caller-hung-up");
    });

    it("when the signal is aborted: stops at the next prompt", async () => {
      const hangUp = new AbortController();
      hangUp.abort();
      const { transcript, prompts } = await call(["1"], { signal: hangUp.signal });
      expect(prompts).toEqual([]);
      expect(transcript.end.reason).toBe("caller-hung-up");
    });
  });

  describe("in the queue", () => {
    it("posts QueueResult=bridged when an agent answers", async () => {
      const { transcript, requests } = await call(["1", "hello", "a"]);
      expect(postedTo(requests, "/twilio/voice/step?n=3")).toEqual([expect.objectContaining({ QueueResult: "bridged", QueueTime: "0" })]);
      expect(transcript.heard).toContain("👤 An agent answers: you are talking to utility-billing");
    });

    it("asks again when the answer is not a queue choice", async () => {
      const { prompts } = await call(["1", "hello", "x", "a"]);
      expect(prompts.slice(2).map((prompt) => prompt.problem)).toEqual([null, expect.stringMatching(/a .*w .*h/)]);
    });
  });

  describe("at a recording", () => {
    it("makes no request for an empty recording and goes on with the next verb, as Twilio does", async () => {
      const { transcript, requests } = await call(["1", ""]);
      expect(postedTo(requests, "/twilio/voice/step?n=2")).toEqual([]);
      expect(transcript.heard.slice(-2)).toEqual(["📼 nothing was recorded: Twilio goes on with the next verb", "🔊 We did not get a recording."]);
      expect(transcript.end.reason).toBe("twiml-ended");
    });

    it("posts RecordingDuration=0 without a URL when asked to post empty recordings", async () => {
      const { requests } = await call(["1", ""], { postEmptyRecordings: true });
      const [recording] = postedTo(requests, "/twilio/voice/step?n=2");
      expect(recording).toMatchObject({ RecordingDuration: "0" });
      expect(recording).not.toHaveProperty("RecordingUrl");
    });
  });

  describe("at a gather that takes only keys", () => {
    it("asks again, saying why, when the caller speaks", async () => {
      const { prompts, requests } = await call(["1", "hello", "w", "yes please", "1"]);
      const holdPrompts = prompts.filter((prompt) => prompt.kind === "gather" && prompt.onHold);
      expect(holdPrompts.map((prompt) => prompt.problem)).toEqual([null, expect.stringContaining("only takes keys")]);
      expect(postedTo(requests, "/twilio/voice/wait/choice")).toEqual([expect.objectContaining({ Digits: "1" })]);
    });
  });

  describe("when the server will not take the call", () => {
    it("rejects with a signature error naming TWILIO_AUTH_TOKEN and PUBLIC_URL when the token is wrong", async () => {
      const attempt = call(["1"], { authToken: "not-the-token" });
      await expect(attempt).rejects.toThrow(SignatureRefusedError);
      await expect(attempt).rejects.toThrow(/refused the request's signature: 403[\s\S]*TWILIO_AUTH_TOKEN and PUBLIC_URL/);
    });

    it("rejects with a signature error when the public URL is not the server's", async () => {
      await expect(call(["1"], { publicUrl: baseUrl })).rejects.toThrow(SignatureRefusedError);
    });

    it("rejects, saying how to start a server, when nothing listens", async () => {
      const { server: closed, url } = await listen(express());
      await close(closed);
      const attempt = call([], { baseUrl: url, publicUrl: url });
      await expect(attempt).rejects.toThrow(ServerUnreachableError);
      await expect(attempt).rejects.toThrow(`No Civic Line server answers at ${url}. Start one with \`npm run dev\`.`);
    });
  });

  describe("when the server answers something that is not TwiML", () => {
    let other: Server;
    let otherUrl: string;

    beforeAll(async () => {
      const app = express();
      app.post("/twilio/voice", (_req, res) => {
        res.type("text/html").send("<html><body>Cannot POST</body></html>");
      });
      app.post("/twilio/voice/status", (_req, res) => {
        res.status(204).end();
      });
      ({ server: other, url: otherUrl } = await listen(app));
    });
    afterAll(() => close(other));

    it("rejects, quoting the answer", async () => {
      const attempt = call([], { baseUrl: otherUrl, publicUrl: otherUrl });
      await expect(attempt).rejects.toThrow(TwimlError);
      await expect(attempt).rejects.toThrow(/not XML \(Twilio error 12300\):\n<html>/);
    });
  });

  describe("when the server fails", () => {
    it("rejects with the status and the body", async () => {
      const app = express();
      app.post("/twilio/voice", (_req, res) => {
        res.status(500).type("text/plain").send("Internal error\n");
      });
      const { server: failing, url } = await listen(app);
      try {
        const attempt = call([], { baseUrl: url, publicUrl: url });
        await expect(attempt).rejects.toThrow(HttpStatusError);
        await expect(attempt).rejects.toThrow(/HTTP 500 Internal Server Error\nInternal error/);
      } finally {
        await close(failing);
      }
    });

    it("says the call ended when only the status callback fails", async () => {
      const app = express();
      app.post("/twilio/voice", (_req, res) => {
        const response = new VoiceResponse();
        response.hangup();
        res.type("text/xml").send(response.toString());
      });
      app.post("/twilio/voice/status", (_req, res) => {
        res.status(500).type("text/plain").send("could not keep the call record\n");
      });
      const { server: failing, url } = await listen(app);
      try {
        await expect(call([], { baseUrl: url, publicUrl: url })).rejects.toThrow(
          /^The call ended, but its status callback failed\.\nPOST .*\/twilio\/voice\/status failed: HTTP 500/,
        );
      } finally {
        await close(failing);
      }
    });
  });

  it("records every request with the URL signed and the parameters sent", async () => {
    const { transcript } = await call(["billing", "hi", "a"]);
    const purposes = transcript.requests.map((request: CallRequest) => request.purpose);
    expect(purposes).toEqual(["start", "gather", "record", "queue-wait", "queue-result", "status"]);
    expect(transcript.requests[1]?.url).toBe(`${PUBLIC_URL}/twilio/voice/step?n=1`);
  });
});

describe("placeCall at a transfer", () => {
  const received: Received[] = [];
  let server: Server;
  let baseUrl: string;

  /** A line that says hello through a relative Redirect, then transfers the caller with <Dial>. */
  beforeAll(async () => {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use((req, res, next) => {
      const params = req.body as Record<string, string>;
      const signatureValid = twilio.validateRequest(AUTH_TOKEN, req.header("X-Twilio-Signature") ?? "", PUBLIC_URL + req.originalUrl, params);
      received.push({ path: req.originalUrl, params, signatureValid });
      if (signatureValid) next();
      else res.status(403).send("Forbidden\n");
    });
    const send = (res: Response, response: InstanceType<typeof VoiceResponse>) => res.type("text/xml").send(response.toString());
    app.post("/twilio/voice", (_req, res) => {
      const response = new VoiceResponse();
      response.redirect({ method: "POST" }, "voice/transfer?from=start");
      send(res, response);
    });
    app.post("/twilio/voice/transfer", (_req, res) => {
      const response = new VoiceResponse();
      response.say("Connecting you to the on-call supervisor.");
      response.dial({ action: `${PUBLIC_URL}/twilio/voice/after-dial`, timeout: 20 }, "+14035550100");
      send(res, response);
    });
    app.post("/twilio/voice/after-dial", (req, res) => {
      const response = new VoiceResponse();
      response.say(req.body.DialCallStatus === "completed" ? "Goodbye." : "Nobody answered. Goodbye.");
      send(res, response);
    });
    app.post("/twilio/voice/status", (_req, res) => {
      res.status(204).end();
    });
    ({ server, url: baseUrl } = await listen(app));
  });
  afterAll(() => close(server));

  async function call(...answers: (string | null)[]) {
    received.length = 0;
    const { prompts, answer } = script(...answers);
    const transcript = await placeCall({ baseUrl, publicUrl: PUBLIC_URL, authToken: AUTH_TOKEN, from: "+14035550123", to: "+14035550311", answer });
    return { transcript, prompts, requests: [...received] };
  }

  it("follows a relative Redirect, resolved against the document's URL and signed as resolved", async () => {
    const { transcript, requests } = await call("c");
    expect(transcript.requests[1]).toMatchObject({ purpose: "redirect", url: `${PUBLIC_URL}/twilio/voice/transfer?from=start` });
    expect(requests.every((request) => request.signatureValid)).toBe(true);
  });

  it("posts DialCallStatus=completed when the other end answers", async () => {
    const { transcript, prompts, requests } = await call("c");
    expect(prompts).toEqual([expect.objectContaining({ kind: "dial", number: "+14035550100" })]);
    expect(postedTo(requests, "/twilio/voice/after-dial")).toEqual([expect.objectContaining({ DialCallStatus: "completed", DialCallDuration: "60" })]);
    expect(transcript.heard.at(-1)).toBe("🔊 Goodbye.");
    expect(transcript.end.reason).toBe("twiml-ended");
  });

  it("posts DialCallStatus=no-answer when nobody answers", async () => {
    const { transcript, requests } = await call("n");
    expect(postedTo(requests, "/twilio/voice/after-dial")).toEqual([expect.objectContaining({ DialCallStatus: "no-answer" })]);
    expect(transcript.heard).toContain("☎ No answer from +14035550100");
  });
});

describe("parseTwiml", () => {
  const where = "POST /twilio/voice";

  it("keeps verb order and nesting, and decodes entities", () => {
    const response = new VoiceResponse();
    response.say("Fish & chips <today>");
    response.gather({ action: "https://x.test/a?n=1&b=2" }).pause({ length: 2 });
    response.hangup();
    const root = parseTwiml(response.toString(), "text/xml; charset=utf-8", where);
    expect(root.children.map((verb) => verb.name)).toEqual(["Say", "Gather", "Hangup"]);
    expect(root.children[0]?.text).toBe("Fish & chips <today>");
    expect(root.children[1]?.attributes["action"]).toBe("https://x.test/a?n=1&b=2");
    expect(root.children[1]?.children[0]).toMatchObject({ name: "Pause", attributes: { length: "2" } });
  });

  it("refuses XML that does not parse", () => {
    expect(() => parseTwiml("<Response><Say>hi</Response>", "text/xml", where)).toThrow(/does not parse \(Twilio error 12100\)/);
  });

  it("refuses white space before <?xml", () => {
    expect(() => parseTwiml('\n<?xml version="1.0"?><Response/>', "text/xml", where)).toThrow(/white space before <\?xml/);
  });

  it("refuses a root other than <Response>", () => {
    expect(() => parseTwiml("<Reply><Say>hi</Say></Reply>", "text/xml", where)).toThrow(/root is not <Response> \(Twilio error 12102\)/);
  });
});
