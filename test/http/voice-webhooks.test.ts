import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, newCallSid, parseTwiml, TestLine } from "../helpers/line.js";

let line: TestLine;
beforeAll(async () => {
  line = await TestLine.start();
});
afterAll(async () => {
  await line.close();
});

const WEEKDAY_MORNING = at("2026-12-02T10:00"); // a Wednesday
const SATURDAY_NIGHT = at("2026-12-05T02:00");

describe("the voice webhook", () => {
  describe("signatures", () => {
    const params = { CallSid: newCallSid(), From: "+14035550123", To: "+14035550311" };

    it("refuses a request with no signature, before any state is written", async () => {
      const answer = await line.post("/twilio/voice", params, { signature: null });
      expect(answer.status).toBe(403);
      expect(await line.calls.load(params.CallSid)).toBeNull();
    });

    it("refuses a forged signature", async () => {
      const answer = await line.post("/twilio/voice", params, { signature: "bm90IGEgc2lnbmF0dXJl" });
      expect(answer.status).toBe(403);
      expect(await line.calls.load(params.CallSid)).toBeNull();
    });

    it("refuses a request signed with another account's token", async () => {
      const answer = await line.post("/twilio/voice", params, { token: "someone-elses-token" });
      expect(answer.status).toBe(403);
    });

    it("refuses a signature made for other parameters than those sent", async () => {
      const answer = await line.post("/twilio/voice", { ...params, From: "+19995550000" }, {
        signature: (await import("twilio")).default.getExpectedTwilioSignature(
          "test-auth-token-0123456789abcdef",
          "https://line.example.org/twilio/voice",
          params,
        ),
      });
      expect(answer.status).toBe(403);
    });

    it("refuses unsigned requests on every Twilio route", async () => {
      for (const path of ["/twilio/voice/step?n=1", "/twilio/voice/status", "/twilio/voice/wait", "/twilio/voice/fallback"]) {
        expect((await line.post(path, params, { signature: null })).status).toBe(403);
      }
    });

    it("answers a correctly signed request with TwiML served as text/xml", async () => {
      line.now = WEEKDAY_MORNING;
      const answer = await line.post("/twilio/voice", params);
      expect(answer.status).toBe(200);
      expect(answer.contentType).toMatch(/^text\/xml/);
      expect(parseTwiml(answer.body).verbs).toContain("Gather");
    });
  });

  describe("in business hours", () => {
    it("greets, gives the 9-1-1 line, then offers the topics menu", async () => {
      line.now = WEEKDAY_MORNING;
      const twiml = await line.caller().dial();
      expect(twiml.says[0]).toMatch(/City of Lethbridge/);
      expect(twiml.says[1]).toBe("If this is a life-threatening emergency, hang up and dial 9-1-1.");
      expect(twiml.attrs("Gather")).toMatchObject({ input: "dtmf speech", numDigits: "1", actionOnEmptyResult: "true" });
      expect(twiml.says.join(" ")).toMatch(/utility billing.*press 1/);
    });

    it.each([
      ["1", "utility-billing"],
      ["2", "waste-recycling"],
      ["3", "roads-transit"],
      ["4", "bylaw-parking"],
      ["0", "general"],
    ])("pressing %s puts the caller in the %s queue", async (key, queue) => {
      line.now = WEEKDAY_MORNING;
      const caller = line.caller();
      await caller.dial();
      const twiml = await caller.press(key);
      expect(twiml.text("Enqueue")).toBe(queue);
      expect(twiml.attrs("Enqueue")!.waitUrl).toMatch(/^https:\/\/line\.example\.org\/twilio\/voice\/wait\?/);
    });

    it.each([
      ["I have a question about my utility bill", "utility-billing"],
      ["Garbage.", "waste-recycling"],
      ["snow removal on my street", "roads-transit"],
      ["PARKING", "bylaw-parking"],
      ["can I talk to an agent please", "general"],
    ])("saying %j puts the caller in the %s queue", async (speech, queue) => {
      line.now = WEEKDAY_MORNING;
      const caller = line.caller();
      await caller.dial();
      expect((await caller.say(speech)).text("Enqueue")).toBe(queue);
    });

    it("sends a caller who stays silent three times to the general queue", async () => {
      line.now = WEEKDAY_MORNING;
      const caller = line.caller();
      await caller.dial();
      expect((await caller.silence()).says[0]).toBe("Sorry, I didn't catch that.");
      await caller.silence();
      const twiml = await caller.silence();
      expect(twiml.text("Enqueue")).toBe("general");
    });

    describe("waiting in a queue", () => {
      it("tells the caller their place in line and plays the hold loop", async () => {
        const caller = line.caller();
        line.now = WEEKDAY_MORNING;
        await caller.dial();
        const queued = await caller.press("1");
        const hold = parseTwiml(
          (await caller.raw(queued.attrs("Enqueue")!.waitUrl!, { QueuePosition: "3", QueueTime: "40", QueueSid: "QU0" })).body,
        );
        expect(hold.says[0]).toBe("You are number 3 in line. Thank you for waiting.");
        expect(hold.verbs).not.toContain("Gather");
      });

      it("offers a voicemail after the longest wait, and takes it when the caller presses 1", async () => {
        const caller = line.caller();
        line.now = WEEKDAY_MORNING;
        await caller.dial();
        const queued = await caller.press("1");
        const hold = parseTwiml(
          (await caller.raw(queued.attrs("Enqueue")!.waitUrl!, { QueuePosition: "2", QueueTime: "301", QueueSid: "QU0" })).body,
        );
        expect(hold.says.join(" ")).toMatch(/voicemail.*press 1/);
        const choice = parseTwiml((await caller.raw(hold.attrs("Gather")!.action!, { Digits: "1" })).body);
        expect(choice.verbs).toEqual(["Leave"]);

        caller.last = queued;
        const voicemail = await caller.leaveQueue("leave");
        expect(voicemail.verbs).toContain("Record");
        const thanks = await caller.record();
        expect(thanks.says[0]).toMatch(/call you back on the next business day/);
        expect(thanks.verbs.at(-1)).toBe("Hangup");
        expect((await line.calls.load(caller.callSid))!.call.outcome).toBe("voicemail");
      });

      it("hangs up cleanly after an agent has taken the call", async () => {
        const caller = line.caller();
        line.now = WEEKDAY_MORNING;
        await caller.dial();
        await caller.press("2");
        const after = await caller.leaveQueue("bridged");
        expect(after.verbs).toEqual(["Hangup"]);
        expect((await line.calls.load(caller.callSid))!.call.outcome).toBe("queued-to-agent");
      });
    });
  });

  describe("after hours", () => {
    it("gives the hours and the trouble line's menu", async () => {
      line.now = SATURDAY_NIGHT;
      const twiml = await line.caller().dial();
      expect(twiml.says.join(" ")).toMatch(/open Monday to Friday, 8 a\.m\. to 4:30 p\.m\..*after-hours trouble line/);
      expect(twiml.says.join(" ")).toMatch(/power outage, press 1/);
    });

    it("names the holiday on a City holiday", async () => {
      line.now = at("2026-12-25T11:00");
      const twiml = await line.caller().dial();
      expect(twiml.says).toContain("City offices are closed today for Christmas Day.");
    });

    describe("an urgent report", () => {
      it("takes the place and callback number, queues exactly one job, and reads back its reference", async () => {
        line.now = SATURDAY_NIGHT;
        const caller = line.caller("+14035550123");
        await caller.dial();
        expect((await caller.press("2")).says.join(" ")).toMatch(/where the problem is/);
        const readBack = await caller.say("5th Avenue and 13th Street South");
        expect(readBack.says.join(" ")).toMatch(/I heard 5th Avenue and 13th Street South/);
        const confirm = await caller.press("1");
        expect(confirm.says.join(" ")).toMatch(/4 0 3, 5 5 5, 0 1 2 3/);
        const redirect = await caller.press("1");
        expect(redirect.verbs).toEqual(["Redirect"]);
        const done = await caller.follow();

        const queue = line.dispatchQueue();
        const jobs = await queue.getJobs(["waiting", "delayed", "active", "completed"]);
        await queue.close();
        const mine = jobs.filter((job) => job.data.callSid === caller.callSid);
        expect(mine).toHaveLength(1);
        const job = mine[0]!;
        expect(job.id).toBe(`report-${caller.callSid}`);
        expect(job.data).toMatchObject({
          category: "water",
          location: "5th Avenue and 13th Street South",
          locationConfirmed: true,
          callbackNumber: "+14035550123",
          callSid: caller.callSid,
          receivedAt: "2026-12-05T02:00:00.000-07:00",
        });
        expect(job.data.reference).toMatch(/^\d{6}$/);

        const spoken = job.data.reference.split("").join(" ");
        expect(done.says.join(" ").replace(/,/g, "")).toContain(spoken);
        expect(done.says.join(" ")).toMatch(/on-call crew has been notified/);
        expect(done.verbs.at(-1)).toBe("Hangup");
      });

      it("records the place as audio when speech fails twice, and takes a keyed-in callback number", async () => {
        line.now = SATURDAY_NIGHT;
        const caller = line.caller("anonymous");
        await caller.dial();
        await caller.press("1");
        await caller.silence();
        const record = await caller.silence();
        expect(record.verbs).toContain("Record");
        const askNumber = await caller.record("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE9", "6");
        expect(askNumber.says.join(" ")).toMatch(/key in a phone number/);
        const readBack = await caller.press("4035559876");
        expect(readBack.says.join(" ")).toMatch(/4 0 3, 5 5 5, 9 8 7 6/);
        await caller.press("1");
        await caller.follow();

        const queue = line.dispatchQueue();
        const job = await queue.getJob(`report-${caller.callSid}`);
        await queue.close();
        expect(job!.data).toMatchObject({
          category: "power",
          recordingUrl: "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE9",
          callbackNumber: "+14035559876",
        });
      });
    });

    it("repeats the urgent menu once, then asks a caller who never answers to record the problem", async () => {
      line.now = SATURDAY_NIGHT;
      const caller = line.caller();
      await caller.dial();
      await caller.silence();
      await caller.silence();
      const again = await caller.silence();
      expect(again.says[0]).toBe("Let's try once more.");
      expect(again.verbs).toContain("Gather");
      await caller.silence();
      const recording = await caller.silence();
      expect(recording.says.join(" ")).toMatch(/tell us what the problem is and where it is/);
      expect(recording.verbs).toContain("Record");
    });
  });

  describe("retried webhooks", () => {
    it("answers a repeated request for an answered step with the same TwiML, without advancing", async () => {
      line.now = WEEKDAY_MORNING;
      const caller = line.caller();
      await caller.dial();
      const url = caller.nextUrl();
      const first = await caller.retry(url, { Digits: "1" });
      const again = await caller.retry(url, { Digits: "3" });
      expect(again.xml).toBe(first.xml);
      expect((await line.calls.load(caller.callSid))!.call.step).toBe(2);
    });

    it("queues one job however often the confirming request is retried, even at once", async () => {
      line.now = SATURDAY_NIGHT;
      const caller = line.caller();
      await caller.dial();
      await caller.press("3");
      await caller.say("Whoop-Up Drive near the bridge");
      await caller.press("1");
      const url = caller.nextUrl();
      const answers = await Promise.all([1, 2, 3].map(() => caller.raw(url, { Digits: "1" })));
      expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
      caller.last = parseTwiml(answers[0]!.body);
      const done = await caller.follow();
      const doneAgain = await caller.retry(url.replace(/n=\d+/, `n=${Number(/n=(\d+)/.exec(url)![1]) + 1}`), {});
      expect(doneAgain.xml).toBe(done.xml);

      const queue = line.dispatchQueue();
      const jobs = (await queue.getJobs(["waiting", "active", "completed", "delayed"])).filter(
        (job) => job.data.callSid === caller.callSid,
      );
      await queue.close();
      expect(jobs).toHaveLength(1);
    });

    it("replays the greeting when Twilio retries the first request", async () => {
      line.now = WEEKDAY_MORNING;
      const caller = line.caller();
      const first = await caller.dial();
      expect((await caller.dial()).xml).toBe(first.xml);
    });

    it("starts a call cleanly when a mid-flow request names a call it does not know", async () => {
      line.now = WEEKDAY_MORNING;
      const caller = line.caller();
      const twiml = await caller.retry("/twilio/voice/step?n=7", { Digits: "1" });
      expect(twiml.says[0]).toMatch(/Thank you for calling/);
    });
  });

  describe("bad input", () => {
    const inputs: [string, Record<string, string>][] = [
      ["letters as digits", { Digits: "abc" }],
      ["500 digits", { Digits: "1".repeat(500) }],
      ["20 KB of speech", { SpeechResult: "water ".repeat(3_400) }],
      ["20,000 characters of non-Latin speech", { SpeechResult: "水道管".repeat(6_700) }],
      ["hundreds of fields Twilio may add", Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`Extra${i}`, "x"]))],
      ["control characters in speech", { SpeechResult: "power\u0000\u0007\u001b[31m\uffff out" }],
      ["markup in speech", { SpeechResult: '</Say><Dial>+19005550000</Dial><Say>"&' }],
      ["a lone surrogate", { SpeechResult: "water \ud800 main" }],
      ["a confidence that is not a number", { SpeechResult: "roads", Confidence: "high" }],
    ];

    it.each(inputs)("answers %s with valid TwiML", async (_, params) => {
      line.now = SATURDAY_NIGHT;
      const caller = line.caller();
      await caller.dial();
      const answer = await caller.raw(caller.nextUrl(), params);
      expect(answer.status).toBe(200);
      const twiml = parseTwiml(answer.body);
      expect(twiml.verbs.length).toBeGreaterThan(0);
      expect(twiml.verbs).not.toContain("Dial");
    });

    it("never lets a caller's words become TwiML", async () => {
      line.now = SATURDAY_NIGHT;
      const caller = line.caller();
      await caller.dial();
      await caller.press("3");
      await caller.say('</Say><Dial>+19005550000</Dial> & "Main"');
      const stored = await line.calls.load(caller.callSid);
      expect(stored!.call.vars.location).toBe('</Say><Dial>+19005550000</Dial> & "Main"');
      expect(stored!.twiml).not.toContain("<Dial>");
    });

    it("keeps at most a thousand characters of speech", async () => {
      line.now = SATURDAY_NIGHT;
      const caller = line.caller();
      await caller.dial();
      await caller.press("3");
      await caller.say("x".repeat(20_000));
      const stored = await line.calls.load(caller.callSid);
      expect(stored!.call.vars.location!.length).toBeLessThanOrEqual(1_000);
    });
  });

  describe("the emergency override", () => {
    it("speaks the supervisor's message right after the 9-1-1 line", async () => {
      line.now = WEEKDAY_MORNING;
      await line.overrides.set({ message: "Due to the storm, crews are working on outages across the city." });
      try {
        const twiml = await line.caller().dial();
        expect(twiml.says.slice(1, 4)).toEqual([
          "If this is a life-threatening emergency, hang up and dial 9-1-1.",
          "Here is an important message from the City.",
          "Due to the storm, crews are working on outages across the city.",
        ]);
      } finally {
        await line.overrides.clear();
      }
    });

    it("sends callers to the trouble line when a supervisor closes the line in business hours", async () => {
      line.now = WEEKDAY_MORNING;
      await line.overrides.set({ mode: "closed" });
      try {
        const twiml = await line.caller().dial();
        expect(twiml.says.join(" ")).toMatch(/closed right now.*power outage, press 1/);
      } finally {
        await line.overrides.clear();
      }
    });
  });

  describe("the fallback URL", () => {
    it("answers without touching state: the general queue in business hours", async () => {
      line.now = WEEKDAY_MORNING;
      const callSid = newCallSid();
      const twiml = parseTwiml((await line.post("/twilio/voice/fallback", { CallSid: callSid, ErrorCode: "11200" })).body);
      expect(twiml.says[0]).toMatch(/sorry/i);
      expect(twiml.text("Enqueue")).toBe("general");
      expect(await line.calls.load(callSid)).toBeNull();
    });
  });
});

describe("health checks", () => {
  it("says the process is up", async () => {
    expect((await line.get("/healthz")).status).toBe(200);
  });

  it("says it is ready while Redis answers", async () => {
    expect(JSON.parse((await line.get("/readyz")).body)).toMatchObject({ status: "ready" });
  });
});
