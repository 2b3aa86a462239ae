/**
 * Promise 1 of the trouble line: once a caller has named the problem and the place, the report
 * reaches the crew, exactly once, whatever happens next. Each case plays a whole call through
 * the real webhook routes, the real BullMQ queue and the real dispatch worker, and counts the
 * pages the Twilio stand-in received.
 */
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { reportJobId } from "../../src/adapters/bullmq/report-queue.js";
import { TwilioPager } from "../../src/adapters/twilio/twilio-pager.js";
import { parseRoster, whoIsOnCall, type Roster } from "../../src/domain/oncall/roster/index.js";
import { startTwilioStandIn, type StandInRequest, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { AUTH_TOKEN, at, TestLine, type TestCaller } from "../helpers/line.js";

const ACCOUNT_SID = `AC${"cd".repeat(16)}`;
const roster: Roster = parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml");
const SATURDAY_NIGHT = at("2026-12-05T02:00");
/** Short, so the case where no status callback ever comes does not take the line's two minutes. */
const HOLD_MS = 1_500;
/** How long a released report waits for a last answer Twilio may still post. */
const GRACE_MS = 700;

let standIn: TwilioStandIn;
let line: TestLine;

beforeAll(async () => {
  standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const pager = new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: "+14035550311", apiUrl: standIn.url });
  line = await TestLine.start({ roster, pager, now: SATURDAY_NIGHT, reportHoldMs: HOLD_MS, reportReleaseGraceMs: GRACE_MS, fallbackNumber: "+14035550999" });
});
afterAll(async () => {
  await line.close();
  await standIn.close();
});
afterEach(() => standIn.reset());

const waterPrimary = whoIsOnCall(roster, "water", SATURDAY_NIGHT).primary!;

let house = 0;
/** A fresh address for each call, so no report joins another test's incident. */
function newAddress(): string {
  house += 1;
  return `${200 + house} Scenic Drive South`;
}

/** A caller who has pressed 2 (water) and said where: the report now exists. */
async function namedWaterAndPlace(place = newAddress()): Promise<{ caller: TestCaller; place: string }> {
  const caller = line.caller("+14035557001");
  await caller.dial();
  await caller.press("2");
  await caller.say(place);
  return { caller, place };
}

/** The reference the line gave the call's report (kept apart from the call's state). */
async function referenceOf(caller: TestCaller): Promise<string> {
  const reference = await line.redis.get(`${line.prefix}reference:${caller.callSid}`);
  if (!reference) throw new Error("no report was filed for this call");
  return reference;
}

/** Waits for the SMS page of the caller's report, then a little more, and returns every SMS page of it. */
async function pagesFor(caller: TestCaller): Promise<StandInRequest[]> {
  const reference = await referenceOf(caller);
  const page = (request: StandInRequest) => request.kind === "sms" && request.to === waterPrimary.phone && (request.body ?? "").includes(`#${reference}`);
  await standIn.waitFor((requests) => requests.some(page), 10_000);
  // Long enough for a second, wrong page to arrive: past the hold and a worker round trip.
  await new Promise((resolve) => setTimeout(resolve, HOLD_MS + 500));
  return standIn.requests.filter(page);
}

/** Where the call's report job stands on the dispatch queue ("delayed" while held), or "none". */
async function reportJobState(caller: TestCaller): Promise<string> {
  const queue = line.dispatchQueue();
  try {
    const job = await queue.getJob(reportJobId(caller.callSid));
    return job ? await job.getState() : "none";
  } finally {
    await queue.close();
  }
}

describe("a caller who has named the problem and the place", () => {
  describe("and hangs up while the place is read back to them", () => {
    it("is paged to the crew once, as soon as Twilio says the call ended", async () => {
      const { caller, place } = await namedWaterAndPlace();
      expect(caller.last!.says.join(" ")).toContain(`I heard ${place}`);
      expect(await reportJobState(caller)).toBe("delayed");
      await caller.hangUp();
      const queue = line.dispatchQueue();
      const job = await queue.getJob(reportJobId(caller.callSid));
      await queue.close();
      // Released: no longer held for the caller's next answer, only for the short grace.
      expect(job!.delay).toBe(GRACE_MS);
      expect(await pagesFor(caller)).toHaveLength(1);
    });
  });

  describe("and hangs up while asked to confirm the callback number", () => {
    it("is paged once, with the place marked as confirmed", async () => {
      const { caller, place } = await namedWaterAndPlace();
      await caller.press("1");
      expect(caller.last!.says.join(" ")).toContain("The crew may call you back");
      await caller.hangUp();
      const pages = await pagesFor(caller);
      expect(pages).toHaveLength(1);
      expect(pages[0]!.body).toContain(`At (caller confirmed): ${place}`);
    });
  });

  describe("and hangs up while keying in a different number", () => {
    it("is paged once, with the caller's own number to call back", async () => {
      const { caller, place } = await namedWaterAndPlace();
      await caller.press("1");
      await caller.press("2");
      expect(caller.last!.says.join(" ")).toContain("Please key in a phone number");
      await caller.hangUp();
      const pages = await pagesFor(caller);
      expect(pages).toHaveLength(1);
      expect(pages[0]!.body).toContain(`At (caller confirmed): ${place}`);
      expect(pages[0]!.body).toContain("403-555-7001");
    });
  });

  describe("and stays on to the end of the call", () => {
    it("is paged once, even when the status callback comes afterwards", async () => {
      const { caller, place } = await namedWaterAndPlace();
      await caller.press("1");
      await caller.press("1");
      await caller.follow();
      expect(caller.last!.says.join(" ")).toContain("Your reference number is");
      await caller.hangUp();
      expect(await pagesFor(caller)).toHaveLength(1);
    });
  });

  describe("and Twilio asks again for the step that heard the place (a retry)", () => {
    it("is paged once", async () => {
      const place = newAddress();
      const caller = line.caller("+14035557001");
      await caller.dial();
      await caller.press("2");
      const url = caller.nextUrl("Gather");
      await caller.retry(url, { SpeechResult: place, Confidence: "0.9" });
      await caller.retry(url, { SpeechResult: place, Confidence: "0.9" });
      await caller.hangUp();
      expect(await pagesFor(caller)).toHaveLength(1);
    });
  });

  describe("and the status callback never arrives", () => {
    it("is paged once the hold runs out, with no request from Twilio at all", async () => {
      const { caller, place } = await namedWaterAndPlace();
      await caller.press("1");
      // The caller's phone died: nothing more comes from Twilio. The report is held, then goes.
      expect(await reportJobState(caller)).toBe("delayed");
      expect(await pagesFor(caller)).toHaveLength(1);
    });
  });

  describe("and a later step fails (the call's state in Redis is damaged)", () => {
    it("hears the fallback, and the crew is still paged once", async () => {
      const { caller, place } = await namedWaterAndPlace();
      await line.redis.set(`${line.prefix}call:${caller.callSid}`, "{not json");
      const answer = await caller.raw(caller.nextUrl("Gather"), { Digits: "1" });
      expect(answer.status).toBe(200);
      expect(answer.body).toContain("<Dial");
      expect(await pagesFor(caller)).toHaveLength(1);
    });
  });
});

describe("a caller whose place could not be understood, who hangs up while recording it", () => {
  it("is paged once with the recording, which Twilio sends even after a hang-up", async () => {
    const caller = line.caller("+14035557002");
    await caller.dial();
    await caller.press("2");
    await caller.silence();
    await caller.silence();
    expect(caller.last!.verbs).toContain("Record");
    await caller.record("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE77", "4", "hangup");
    await caller.hangUp();
    const pages = await pagesFor(caller);
    expect(pages).toHaveLength(1);
    // The recording's address is for the voice page, never the SMS.
    expect(pages[0]!.body).not.toContain("api.twilio.com");
  });
});

describe("a caller who hangs up mid-recording, when Twilio's status callback comes before the recording", () => {
  it("is paged once, with the recording that came last", async () => {
    const caller = line.caller("+14035557004");
    await caller.dial();
    await caller.press("2");
    await caller.say("fifth and something", "0.3");
    await caller.say("fifth and the other one", "0.28");
    expect(caller.last!.verbs).toContain("Record");
    await caller.hangUp();
    await caller.record("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE78", "5", "hangup");
    const pages = await pagesFor(caller);
    expect(pages).toHaveLength(1);
    expect(pages[0]!.body).toContain("Heard (unsure): fifth and the other one");
    expect(pages[0]!.body).toMatch(/recorded/i);
  });
});

describe("a caller who hangs up before naming a place", () => {
  it("files nothing: there is nothing a crew could act on", async () => {
    const caller = line.caller("+14035557003");
    await caller.dial();
    await caller.press("2");
    await caller.hangUp();
    expect(await reportJobState(caller)).toBe("none");
  });
});
