import { Writable } from "node:stream";
import type { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCall } from "../../src/domain/flow/engine.js";
import { createLogger } from "../../src/logger.js";
import {
  at,
  newCallSid,
  parseTwiml,
  PUBLIC_URL,
  TestLine,
  type Answer,
  type TestCaller,
  type Twiml,
} from "../helpers/line.js";

// What the issue promises when the line itself goes wrong, beyond "Redis is down": any throw in
// the voice path still gives the caller valid TwiML, an apology and a way forward, and the
// error is logged with the CallSid; call state expires; and hostile input at the steps after the
// first menu neither breaks the TwiML nor traps the caller.

const FALLBACK_NUMBER = "+14035550100";
const CALLER = "+14035550123";
const CALLER_READ_BACK = "4 0 3, 5 5 5, 0 1 2 3";
const SIX_HOURS = 6 * 60 * 60;

const WEDNESDAY_MORNING = at("2026-12-02T10:00");
const SATURDAY_NIGHT = at("2026-12-05T02:00");

/** Caller text that would become verbs if it reached the TwiML unescaped. */
const MARKUP = '</Say><Dial>+19005550000</Dial><Say>"&';

/** The web app's log lines, parsed, as pino writes them. */
interface LogLine {
  level: number;
  msg: string;
  callSid?: string;
  err?: { type?: string; message?: string };
}

function capturedLogger(): { log: ReturnType<typeof createLogger>; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split("\n")) if (text.trim()) lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  return { log: createLogger({ level: "debug", destination: sink }), lines };
}

/** An answer Twilio can play: HTTP 200, served as text/xml, a well-formed document rooted at <Response>. */
function playable(answer: Answer): Twiml {
  expect(answer.status).toBe(200);
  expect(answer.contentType).toMatch(/^text\/xml/);
  return parseTwiml(answer.body);
}

/** Sends `params` where the caller's current TwiML sends its answer, and remembers the new TwiML. */
async function answer(caller: TestCaller, params: Record<string, string>, verb = "Gather"): Promise<{ raw: Answer; twiml: Twiml }> {
  const raw = await caller.raw(caller.nextUrl(verb), params);
  const twiml = playable(raw);
  caller.last = twiml;
  caller.lastAnswer = raw;
  return { raw, twiml };
}

/** The hash that holds the call's state: the key under the line's prefix, naming the call, with a `call` field. */
async function callKey(line: TestLine, callSid: string): Promise<string> {
  for (const key of await keysOf(line, callSid)) {
    if ((await line.redis.type(key)) === "hash" && (await line.redis.hexists(key, "call"))) return key;
  }
  throw new Error(`no state kept for ${callSid}`);
}

/** Every key under the line's prefix that names the call. */
async function keysOf(line: TestLine, callSid: string): Promise<string[]> {
  return line.redis.keys(`${line.prefix}*${callSid}*`);
}

/** A line with FALLBACK_NUMBER set, and one without, each with its logs captured. */
let withNumber: { line: TestLine; lines: LogLine[] };
let withoutNumber: { line: TestLine; lines: LogLine[] };

beforeAll(async () => {
  const first = capturedLogger();
  const second = capturedLogger();
  withNumber = { line: await TestLine.start({ fallbackNumber: FALLBACK_NUMBER, log: first.log }), lines: first.lines };
  withoutNumber = { line: await TestLine.start({ log: second.log }), lines: second.lines };
});
afterAll(async () => {
  await withNumber?.line.close();
  await withoutNumber?.line.close();
});

/**
 * Something inside the voice path that throws. `prepare` leaves a call whose next request fails,
 * and returns that request.
 */
interface Breakage {
  name: string;
  prepare(line: TestLine): Promise<{ callSid: string; send(): Promise<Answer> }>;
  /** What the logged error says. */
  error: RegExp;
}

const BREAKAGES: Breakage[] = [
  {
    name: "the stored call is in a state the flow no longer has",
    error: /old-recycling-menu/,
    async prepare(line) {
      const callSid = newCallSid();
      const call = {
        ...newCall(line.flows.main, { callSid, caller: CALLER, now: line.now }),
        state: "old-recycling-menu",
        entering: false,
        step: 3,
        path: ["greeting", "old-recycling-menu"],
      };
      expect(await line.calls.save(call, 0, '<?xml version="1.0" encoding="UTF-8"?><Response/>')).toBe(true);
      return { callSid, send: () => line.caller(CALLER, callSid).raw("/twilio/voice/step?n=3", { Digits: "2" }) };
    },
  },
  {
    name: "the call store cannot read the stored call (damaged in Redis)",
    error: /JSON/,
    async prepare(line) {
      const caller = line.caller(CALLER);
      await caller.dial();
      await line.redis.hset(await callKey(line, caller.callSid), "call", '{"callSid": "CA');
      return { callSid: caller.callSid, send: () => caller.raw(caller.nextUrl(), { Digits: "1" }) };
    },
  },
  {
    name: "Redis answers the call store with an error",
    error: /WRONGTYPE/,
    async prepare(line) {
      const caller = line.caller(CALLER);
      await caller.dial();
      const key = await callKey(line, caller.callSid);
      await line.redis.multi().del(key).rpush(key, "not a call").expire(key, 60).exec();
      return { callSid: caller.callSid, send: () => caller.raw(caller.nextUrl(), { Digits: "1" }) };
    },
  },
];

/** Error-level lines that name the call. */
const errorsFor = (lines: LogLine[], callSid: string) => lines.filter((entry) => entry.level >= 50 && entry.callSid === callSid);

describe("when something inside the voice webhook throws", () => {
  describe.each(BREAKAGES)("because $name", (breakage) => {
    it("apologises in business hours and enqueues the caller in the flow's fallback queue", async () => {
      const { line } = withNumber;
      line.now = WEDNESDAY_MORNING;
      const { send } = await breakage.prepare(line);
      const twiml = playable(await send());
      expect(twiml.says[0]).toMatch(/sorry/i);
      expect(twiml.verbs).toContain("Enqueue");
      expect(twiml.text("Enqueue")).toBe(line.flows.main.fallbackQueue);
      expect(twiml.attrs("Enqueue")!.waitUrl).toMatch(new RegExp(`^${PUBLIC_URL}/twilio/voice/wait`));
      expect(twiml.verbs).not.toContain("Dial");
    });

    it("apologises after hours and dials FALLBACK_NUMBER when it is set", async () => {
      const { line } = withNumber;
      line.now = SATURDAY_NIGHT;
      const { send } = await breakage.prepare(line);
      const twiml = playable(await send());
      expect(twiml.says[0]).toMatch(/sorry/i);
      expect(twiml.verbs).toContain("Dial");
      expect(twiml.text("Dial")).toBe(FALLBACK_NUMBER);
      expect(twiml.verbs).not.toContain("Enqueue");
    });

    it("apologises after hours and says a polite goodbye when FALLBACK_NUMBER is not set", async () => {
      const { line } = withoutNumber;
      line.now = SATURDAY_NIGHT;
      const { send } = await breakage.prepare(line);
      const twiml = playable(await send());
      expect(twiml.says[0]).toMatch(/sorry/i);
      expect(twiml.says.slice(1).join(" ")).toMatch(/call (us )?again|goodbye/i);
      expect(twiml.verbs.at(-1)).toBe("Hangup");
      expect(twiml.verbs).not.toContain("Dial");
      expect(twiml.verbs).not.toContain("Enqueue");
      expect(twiml.verbs).not.toContain("Gather");
    });

    it("logs the error at error level with the CallSid", async () => {
      const { line, lines } = withNumber;
      line.now = SATURDAY_NIGHT;
      const { callSid, send } = await breakage.prepare(line);
      expect(errorsFor(lines, callSid)).toEqual([]);
      playable(await send());
      const [logged, ...more] = errorsFor(lines, callSid);
      expect(more).toEqual([]);
      expect(logged!.err?.message).toMatch(breakage.error);
    });
  });

  describe("the fallback follows the City's hours at their edges", () => {
    const STATE_GONE = BREAKAGES[0]!;
    it.each<[string, DateTime, "queue" | "dial"]>([
      ["07:59:59 on a weekday", at("2026-12-02T07:59:59"), "dial"],
      ["08:00:00 on a weekday", at("2026-12-02T08:00:00"), "queue"],
      ["16:29:59 on a weekday", at("2026-12-02T16:29:59"), "queue"],
      ["16:30:00 on a weekday", at("2026-12-02T16:30:00"), "dial"],
      ["11:00 on Christmas Day, a Friday", at("2026-12-25T11:00"), "dial"],
    ])("at %s it routes to the %s", async (_, now, route) => {
      const { line } = withNumber;
      line.now = now;
      const { send } = await STATE_GONE.prepare(line);
      const twiml = playable(await send());
      expect(twiml.says[0]).toMatch(/sorry/i);
      if (route === "queue") expect(twiml.text("Enqueue")).toBe(line.flows.main.fallbackQueue);
      else expect(twiml.text("Dial")).toBe(FALLBACK_NUMBER);
    });
  });

  describe("because the urgent report cannot be queued", () => {
    /**
     * Breaks the counter references come from (the report queue's `<prefix>reference-counter`,
     * made a hash so INCR fails), so filing the report throws inside the webhook.
     */
    async function withBrokenReferences<T>(line: TestLine, run: () => Promise<T>): Promise<T> {
      const counter = `${line.prefix}reference-counter`;
      await line.redis.multi().del(counter).hset(counter, "not", "a counter").exec();
      try {
        return await run();
      } finally {
        await line.redis.del(counter);
      }
    }

    /** The caller names the problem and the place: the moment the report is filed. */
    async function confirmReport(line: TestLine): Promise<{ caller: TestCaller; raw: Answer }> {
      line.now = SATURDAY_NIGHT;
      const caller = line.caller(CALLER);
      await caller.dial();
      await caller.press("2");
      const raw = await withBrokenReferences(line, () =>
        caller.raw(caller.nextUrl(), { SpeechResult: "5th Avenue and 13th Street South", Confidence: "0.9" }),
      );
      return { caller, raw };
    }

    it("apologises and dials FALLBACK_NUMBER, logging the error with the CallSid", async () => {
      const { line, lines } = withNumber;
      const { caller, raw } = await confirmReport(line);
      const twiml = playable(raw);
      expect(twiml.says[0]).toMatch(/sorry/i);
      expect(twiml.text("Dial")).toBe(FALLBACK_NUMBER);
      const logged = errorsFor(lines, caller.callSid);
      expect(logged.length).toBeGreaterThan(0);
      expect(logged.every((entry) => /WRONGTYPE/.test(entry.err?.message ?? ""))).toBe(true);
    });

    it("logs what the caller reported at error level, so a person can act on it, with the number masked", async () => {
      const { line, lines } = withNumber;
      const { caller } = await confirmReport(line);
      const unfiled = errorsFor(lines, caller.callSid).find((entry) => /URGENT REPORT NOT FILED/.test(String(entry.msg)));
      // Redis refused the command: it will not run it later, so a person acts on it now.
      expect(unfiled?.msg).toMatch(/act on it by hand/);
      expect(unfiled?.msg).not.toMatch(/filed late/);
      expect(unfiled).toMatchObject({
        report: { category: "water", location: "5th Avenue and 13th Street South", callSid: caller.callSid },
      });
      expect(JSON.stringify(unfiled)).not.toContain(CALLER);
    });

    it("dials FALLBACK_NUMBER in business hours too: a person must hear an urgent report, and the agents' queue is no place for it", async () => {
      const { line } = withNumber;
      line.now = WEDNESDAY_MORNING;
      const caller = line.caller(CALLER);
      await caller.dial();
      await caller.press("9");
      await caller.press("2");
      const raw = await withBrokenReferences(line, () =>
        caller.raw(caller.nextUrl(), { SpeechResult: "5th Avenue and 13th Street South", Confidence: "0.9" }),
      );
      const twiml = playable(raw);
      expect(twiml.text("Dial")).toBe(FALLBACK_NUMBER);
      expect(twiml.verbs).not.toContain("Enqueue");
    });

    it("says so differently when the report was filed at an earlier step: it still reaches the crew", async () => {
      const { line, lines } = withNumber;
      line.now = SATURDAY_NIGHT;
      const caller = line.caller(CALLER);
      await caller.dial();
      await caller.press("2");
      await caller.say("5th Avenue and 13th Street South");
      // The call's own reference made unreadable, so bringing the filed report up to date throws.
      const ownReference = `${line.prefix}reference:${caller.callSid}`;
      await line.redis.multi().del(ownReference).hset(ownReference, "not", "a reference").exec();
      const raw = await caller.raw(caller.nextUrl(), { Digits: "1" });
      expect(playable(raw).text("Dial")).toBe(FALLBACK_NUMBER);
      const messages = errorsFor(lines, caller.callSid).map((entry) => String(entry.msg));
      expect(messages.some((message) => /filed earlier could not be brought up to date/.test(message))).toBe(true);
      expect(messages.some((message) => /NOT FILED/.test(message))).toBe(false);
    });

    it("apologises and says goodbye when FALLBACK_NUMBER is not set", async () => {
      const { line } = withoutNumber;
      const twiml = playable((await confirmReport(line)).raw);
      expect(twiml.says[0]).toMatch(/sorry/i);
      expect(twiml.verbs.at(-1)).toBe("Hangup");
      expect(twiml.verbs).not.toContain("Dial");
    });
  });
});

describe("call state in Redis", () => {
  it("is kept under the line's prefix, keyed by the CallSid, with a TTL of at most six hours", async () => {
    const { line } = withNumber;
    line.now = WEDNESDAY_MORNING;
    const caller = line.caller(CALLER);
    await caller.dial();
    await caller.press("1");
    const keys = await keysOf(line, caller.callSid);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const ttl = await line.redis.ttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(SIX_HOURS);
    }
    expect((await line.calls.load(caller.callSid))!.call.state).toBe("queue-billing");
  });

  it("leaves nothing behind that outlives six hours once an urgent call has ended", async () => {
    const { line } = withNumber;
    line.now = SATURDAY_NIGHT;
    const caller = line.caller(CALLER);
    await caller.dial();
    await caller.press("3");
    await caller.say("Whoop-Up Drive near the bridge");
    await caller.press("1");
    await caller.press("1");
    await caller.follow();
    expect((await caller.hangUp("80")).status).toBe(204);
    const keys = await keysOf(line, caller.callSid);
    expect(keys.length).toBeGreaterThan(1);
    for (const key of keys) {
      const ttl = await line.redis.ttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(SIX_HOURS);
    }
  });
});

describe("bad input after the first menu", () => {
  /** Checks an answer to hostile input: playable, and none of the caller's markup in it. */
  function safe(raw: Answer): Twiml {
    const twiml = playable(raw);
    expect(twiml.verbs.length).toBeGreaterThan(0);
    expect(raw.body).not.toContain("<Dial");
    expect(raw.body).not.toContain("9005550000");
    expect(twiml.verbs).not.toContain("Dial");
    return twiml;
  }

  describe("at the after-hours location step (speech)", () => {
    async function atLocation(): Promise<TestCaller> {
      const { line } = withNumber;
      line.now = SATURDAY_NIGHT;
      const caller = line.caller(CALLER);
      await caller.dial();
      const asked = await caller.press("1");
      expect(asked.attrs("Gather")!.input).toBe("speech");
      return caller;
    }

    it.each<[string, Record<string, string>]>([
      ["markup in speech", { SpeechResult: MARKUP }],
      ["control characters in speech", { SpeechResult: "\u0000\u0007\u001b[31m\uffff" }],
      ["20 KB of speech", { SpeechResult: "Scenic Drive ".repeat(1_600) }],
      ["a lone surrogate", { SpeechResult: "\ud800" }],
      ["letters keyed where speech was asked for", { Digits: "abc" }],
      ["500 digits where speech was asked for", { Digits: "4".repeat(500) }],
      ["a confidence that is markup", { SpeechResult: "Scenic Drive", Confidence: "<b>" }],
    ])("answers %s with valid TwiML and none of the caller's markup", async (_, params) => {
      const caller = await atLocation();
      safe((await answer(caller, params)).raw);
    });

    it("after two unusable answers, records the place instead of asking again", async () => {
      const caller = await atLocation();
      const once = await answer(caller, { SpeechResult: "\u0000\u0007" });
      expect(once.twiml.verbs).toContain("Gather");
      const twice = await answer(caller, { SpeechResult: "\u001b\u0008" });
      expect(twice.twiml.verbs).toContain("Record");
      expect(twice.twiml.verbs).not.toContain("Gather");
    });

    it("moves on to the callback number when the recording fails too", async () => {
      const caller = await atLocation();
      await answer(caller, { SpeechResult: "\u0000" });
      await answer(caller, { SpeechResult: "\u0000" });
      const next = await answer(caller, { RecordingUrl: "javascript:alert(1)", RecordingDuration: "abc", Digits: "hangup" }, "Record");
      safe(next.raw);
      expect(next.twiml.says.join(" ")).toContain(CALLER_READ_BACK);
      expect(next.twiml.verbs).toContain("Gather");
    });
  });

  describe("at the callback-number confirmation", () => {
    async function atConfirmation(): Promise<TestCaller> {
      const { line } = withNumber;
      line.now = SATURDAY_NIGHT;
      const caller = line.caller(CALLER);
      await caller.dial();
      await caller.press("2");
      await caller.say("Stafford Drive and 3rd Avenue South");
      const confirm = await caller.press("1");
      expect(confirm.says.join(" ")).toContain(CALLER_READ_BACK);
      return caller;
    }

    it.each<[string, Record<string, string>]>([
      ["letters as digits", { Digits: "abc" }],
      ["500 digits", { Digits: "4035559876".repeat(50) }],
      ["control characters", { Digits: "\u0000\u0007\u001b" }],
      ["control characters between the keys", { Digits: "403\u0000555\u00079876" }],
      ["markup as digits", { Digits: MARKUP }],
      ["a number too short to be one", { Digits: "12345" }],
      ["speech where keys were asked for", { SpeechResult: MARKUP }],
    ])("answers %s with valid TwiML, still offering the caller's own number", async (_, params) => {
      const caller = await atConfirmation();
      const { raw, twiml } = await answer(caller, params);
      safe(raw);
      expect(twiml.says.join(" ")).toContain(CALLER_READ_BACK);
      expect(twiml.verbs).toContain("Gather");
      expect((await withNumber.line.calls.load(caller.callSid))!.call.vars.callbackNumber).toBe(CALLER);
    });

    it("after three unusable answers, still files the report with the caller's number and reads its reference", async () => {
      const { line } = withNumber;
      const caller = await atConfirmation();
      await answer(caller, { Digits: "abc" });
      await answer(caller, { Digits: "9".repeat(500) });
      const third = await answer(caller, { Digits: "\u0000" });
      expect(third.twiml.verbs).toEqual(["Redirect"]);
      const done = await answer(caller, {}, "Redirect");
      expect(done.twiml.says.join(" ")).toMatch(/on-call crew has been notified/);
      expect(done.twiml.verbs.at(-1)).toBe("Hangup");

      const queue = line.dispatchQueue();
      const job = await queue.getJob(`report-${caller.callSid}`);
      await queue.close();
      expect(job!.data).toMatchObject({ category: "water", callbackNumber: CALLER, location: "Stafford Drive and 3rd Avenue South" });
    });
  });

  describe("a caller who answers every prompt after choosing an urgent problem with garbage", () => {
    const GARBAGE: Record<string, string>[] = [
      { Digits: "abc" },
      { SpeechResult: "\u0000\u0007" },
      { Digits: "1".repeat(500) },
      { Digits: "\u001b[31m" },
      {},
    ];

    it.each<[string, string, string | null]>([
      ["with a caller ID", CALLER, CALLER],
      ["with a withheld number", "anonymous", null],
    ])("%s reaches a goodbye within fifteen answers, and the report still reaches the crew", async (_, from, callback) => {
      const { line } = withNumber;
      line.now = SATURDAY_NIGHT;
      const caller = line.caller(from);
      await caller.dial();
      let twiml = await caller.press("1");
      let answers = 0;
      while (twiml.verbs.at(-1) !== "Hangup" && answers < 15) {
        const garbage = GARBAGE[answers % GARBAGE.length]!;
        if (twiml.verbs.includes("Gather")) twiml = (await answer(caller, garbage)).twiml;
        else if (twiml.verbs.includes("Record")) twiml = (await answer(caller, { RecordingDuration: "abc", Digits: "hangup" }, "Record")).twiml;
        else twiml = (await answer(caller, {}, "Redirect")).twiml;
        answers += 1;
      }
      expect(twiml.verbs.at(-1)).toBe("Hangup");
      expect(twiml.says.join(" ")).toMatch(/reference number is/);

      const queue = line.dispatchQueue();
      const job = await queue.getJob(`report-${caller.callSid}`);
      await queue.close();
      expect(job!.data).toMatchObject({ category: "power", callbackNumber: callback });
    });
  });

  describe("while waiting in an agent queue", () => {
    /** A caller in the billing queue and the wait URL Twilio requests for them. */
    async function inQueue(): Promise<{ caller: TestCaller; waitUrl: string }> {
      const { line } = withNumber;
      line.now = WEDNESDAY_MORNING;
      const caller = line.caller(CALLER);
      await caller.dial();
      const queued = await caller.press("1");
      return { caller, waitUrl: queued.attrs("Enqueue")!.waitUrl! };
    }

    const HOLD_ANNOUNCEMENT = /^(You are number [1-9]\d* in line\. )?Thank you for waiting\.$/;

    it.each<[string, Record<string, string>]>([
      ["letters", { QueuePosition: "abc", QueueTime: "abc" }],
      ["negative numbers", { QueuePosition: "-3", QueueTime: "-40" }],
      ["NaN and Infinity", { QueuePosition: "NaN", QueueTime: "Infinity" }],
      ["markup", { QueuePosition: MARKUP, QueueTime: MARKUP }],
      ["control characters", { QueuePosition: "\u0000\u0007", QueueTime: "\u001b" }],
      ["500 digits", { QueuePosition: "9".repeat(500), QueueTime: "9".repeat(500) }],
      ["nothing at all", {}],
    ])("answers a QueuePosition and QueueTime of %s with a hold turn that keeps the caller in line", async (_, params) => {
      const { caller, waitUrl } = await inQueue();
      const raw = await caller.raw(waitUrl, { QueueSid: "QU0", ...params });
      const twiml = safe(raw);
      expect(twiml.says[0]).toMatch(HOLD_ANNOUNCEMENT);
      expect(twiml.verbs.some((verb) => verb === "Play" || verb === "Pause")).toBe(true);
      for (const away of ["Leave", "Hangup", "Enqueue", "Redirect"]) expect(twiml.verbs).not.toContain(away);
    });

    it.each(["2.5", "1e308", "0x10", "999999999999999", " 3"])("reads out no place in line for a QueuePosition of %j", async (position) => {
      const { caller, waitUrl } = await inQueue();
      const twiml = safe(await caller.raw(waitUrl, { QueueSid: "QU0", QueuePosition: position, QueueTime: "30" }));
      expect(twiml.says[0]).toBe("Thank you for waiting.");
    });

    it("answers a wait URL whose flow and state are garbage with the plain hold turn", async () => {
      const { caller } = await inQueue();
      const raw = await caller.raw(`/twilio/voice/wait?flow=${encodeURIComponent(MARKUP)}&state=${encodeURIComponent("../\u0000<x>")}`, {
        QueuePosition: "2",
        QueueTime: "30",
      });
      const twiml = safe(raw);
      expect(twiml.says[0]).toMatch(HOLD_ANNOUNCEMENT);
      expect(twiml.verbs).not.toContain("Leave");
    });

    it.each<[string, Record<string, string>]>([
      ["letters", { Digits: "abc" }],
      ["500 digits", { Digits: "1".repeat(500) }],
      ["control characters", { Digits: "\u0000\u0007" }],
      ["markup", { Digits: MARKUP }],
      ["silence", {}],
    ])("keeps a caller who answers the voicemail offer with %s in line", async (_, params) => {
      const { caller, waitUrl } = await inQueue();
      const offer = safe(await caller.raw(waitUrl, { QueueSid: "QU0", QueuePosition: "2", QueueTime: "301" }));
      const choiceUrl = offer.attrs("Gather")!.action!;
      const twiml = safe(await caller.raw(choiceUrl, params));
      expect(twiml.verbs).not.toContain("Leave");
      expect(twiml.verbs.at(-1)).toBe("Redirect");
      expect(twiml.text("Redirect")).toBe(waitUrl);
    });

    it("sends a caller whose queue ends with a result Twilio never sends to the voicemail, not round again", async () => {
      const { caller } = await inQueue();
      const { raw, twiml } = await answer(caller, { QueueResult: MARKUP, QueueSid: "QU0", QueueTime: "abc" }, "Enqueue");
      safe(raw);
      expect(twiml.verbs).toContain("Record");
      expect(twiml.verbs).not.toContain("Enqueue");
    });
  });
});
