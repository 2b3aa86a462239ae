/**
 * Whatever Twilio (or anyone holding the line's auth token) posts, in any order, the line answers
 * with TwiML it can read or a clean 4xx: never a 5xx, never a stack trace, and a call is never
 * left in a state a proper next step cannot go on from. Property-based (fast-check): random
 * parameters, encodings, lengths, repeated and missing fields, against every /twilio route,
 * signed exactly as Twilio signs them, on the real line with real Redis.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsolePager } from "../../src/adapters/console-pager.js";
import { parseRoster } from "../../src/domain/oncall/roster/index.js";
import { createLogger } from "../../src/logger.js";
import { at, newCallSid, TestLine, type Answer } from "../helpers/line.js";

const roster = parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml");
/** Runs per property: enough to find what a careless parser does, few enough for the suite's time (FUZZ_RUNS for a longer hunt). */
const RUNS = Number(process.env.FUZZ_RUNS) || 120;

/** The fields Twilio posts to voice and SMS webhooks, and a few it never does. */
const FIELDS = [
  "CallSid", "AccountSid", "From", "To", "CallStatus", "Direction", "ApiVersion", "Digits", "SpeechResult", "Confidence",
  "RecordingUrl", "RecordingDuration", "RecordingSid", "QueueResult", "QueueTime", "DialCallStatus", "CallDuration",
  "MessageSid", "Body", "NumMedia", "ErrorCode", "ErrorUrl", "__proto__", "constructor", "toString", "hasOwnProperty",
] as const;

/** Text as a careless or hostile client sends it: any characters, markup, huge, empty, numbers, near-valid ids. */
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", " ", "0", "-1", "1e309", "NaN", "9".repeat(40), "<Say>hi</Say>", "]]>&amp;<!--", "%00", "\u0000", "\ud800", "null", "[]", "{}"),
  fc.constantFrom("+14035550123", "+1403555012", "anonymous", "client:alice", "sip:a@b"),
  fc.stringMatching(/^CA[0-9a-f]{32}$/),
  fc.stringMatching(/^[0-9*#]{0,12}$/),
  fc.integer().map(String),
  fc.string({ minLength: 2_000, maxLength: 30_000 }),
);

/** A webhook's parameters: some of Twilio's fields and some others, each any text. */
const params = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 12 })), text, { maxKeys: 12 });

/** A query value as a URL can carry it (a lone surrogate cannot be percent-encoded). */
const q = (value: string) => encodeURIComponent(value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"));

/** Every route Twilio posts to, with query strings as Twilio sends them and as nobody should. */
const path = fc.oneof(
  fc.constant("/twilio/voice"),
  fc.oneof(fc.nat(50).map(String), text).map((n) => `/twilio/voice/step?n=${q(n)}`),
  fc.tuple(text, text, fc.oneof(fc.constant(""), fc.nat(9).map(String))).map(([flow, state, v]) => `/twilio/voice/wait?flow=${q(flow)}&state=${q(state)}${v ? `&v=${v}` : ""}`),
  fc.constant("/twilio/voice/wait/choice"),
  fc.constant("/twilio/voice/status"),
  fc.constant("/twilio/voice/fallback"),
  fc.constant("/twilio/sms"),
  fc.constant("/twilio/page"),
  fc.oneof(fc.constant(""), text).map((ref) => `/twilio/page/answer?ref=${q(ref)}`),
  text.map((rest) => `/twilio/${q(rest)}`),
);

const xml = new XMLParser({ ignoreAttributes: false });

/** What every answer must be: a clean refusal, nothing, or TwiML that parses, and never a trace of the code. */
function expectClean(answer: Answer, what: string): void {
  expect(answer.status, what).toBeLessThan(500);
  expect(answer.body, what).not.toMatch(/\n\s+at [\w.<>]+ \(|Error: |TypeError|ReferenceError|node_modules/);
  if (answer.status === 200 && answer.contentType?.includes("xml")) {
    expect(XMLValidator.validate(answer.body), what).toBe(true);
    expect(xml.parse(answer.body), what).toHaveProperty("Response");
  }
}

describe("the Twilio routes, fuzzed", { timeout: 120_000 }, () => {
  let line: TestLine;
  /**
   * What the line logged at error level: a webhook that fails answers 200 with the apology (the
   * caller must hear something), so only its log tells a crash from an answer.
   */
  const errors: { msg: string; err?: { message?: string } }[] = [];
  /**
   * Asserts nothing failed since the last asking, but what is logged at error on purpose: Twilio's
   * own word that its fallback URL was used, and a signed request with no call behind it (no CallSid).
   */
  const noErrorLogged = (what: string) => {
    const failed = errors.splice(0).filter((entry) => !entry.msg.startsWith("Twilio used the fallback URL") && entry.err?.message !== "the request has no valid CallSid");
    expect(failed.map((entry) => `${entry.msg}: ${entry.err?.message ?? ""}`), what).toEqual([]);
  };

  beforeAll(async () => {
    const log = createLogger({ level: "error", destination: { write: (entry: string) => void errors.push(JSON.parse(entry)) } });
    line = await TestLine.start({ roster, now: at("2026-12-05T02:00"), log });
    line.startWorker(new ConsolePager({ redis: line.redis, logger: createLogger({ level: "silent" }), keyPrefix: line.prefix }));
  }, 30_000);
  afterAll(async () => {
    await line?.close();
  });

  it("answer any parameters on any route with TwiML or a clean 4xx, signed or not", async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(path, params, fc.boolean(), async (route, fields, signed) => {
        const answer = await line.post(route, fields, signed ? {} : { signature: "bad" });
        expectClean(answer, `${route} ${JSON.stringify(fields).slice(0, 300)}`);
        noErrorLogged(`${route} ${JSON.stringify(fields).slice(0, 300)}`);
        if (!signed) expect(answer.status).toBe(403);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      }),
      { numRuns: RUNS },
    );
    // The fuzz reached the routes themselves, not only the signature check.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(RUNS / 10);
  });

  it("answer any order of steps on one call, and leave the call where a proper step goes on from", async () => {
    const step = fc.record({ path, fields: params });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), fc.boolean(), async (steps, dayTime) => {
        line.now = dayTime ? at("2026-12-02T10:00") : at("2026-12-05T02:00");
        const callSid = newCallSid();
        const caller = { CallSid: callSid, From: "+14035550123", To: "+14035550311", AccountSid: `AC${"0".repeat(32)}` };
        expectClean(await line.post("/twilio/voice", { ...caller, CallStatus: "ringing" }), "the call's start");
        noErrorLogged("the call's start");
        for (const { path: route, fields } of steps) {
          // The call's own CallSid, most of the time: the state the steps act on is this call's.
          const answer = await line.post(route, { ...fields, CallSid: Math.random() < 0.8 ? callSid : (fields.CallSid ?? "") });
          expectClean(answer, `${route} ${JSON.stringify(fields).slice(0, 300)}`);
          noErrorLogged(`${route} ${JSON.stringify(fields).slice(0, 300)}`);
        }
        // Whatever happened, Twilio's next proper request for this call is answered with TwiML.
        const stored = await line.calls.load(callSid);
        const next = stored ? `/twilio/voice/step?n=${stored.call.step}` : "/twilio/voice";
        const answer = await line.post(next, { ...caller, CallStatus: "in-progress", Digits: "1" });
        expect(answer.status).toBe(200);
        expect(xml.parse(answer.body)).toHaveProperty("Response");
        // Answered by the flow, not by the apology of a webhook that failed.
        noErrorLogged("the next proper step");
      }),
      { numRuns: Math.round(RUNS / 3) },
    );
  });
});
