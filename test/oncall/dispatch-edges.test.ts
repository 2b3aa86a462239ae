import { readFileSync } from "node:fs";
import type { Job, Queue, Worker } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TwilioPager } from "../../src/adapters/twilio/twilio-pager.js";
import type { Pager } from "../../src/domain/oncall/pager.js";
import { parseRoster, whoIsOnCall, type Roster } from "../../src/domain/oncall/roster/index.js";
import { createLogger } from "../../src/logger.js";
import { moreReportsJobId, notifyResidentsJobId, pageJobId } from "../../src/oncall/jobs.js";
import { startTwilioStandIn, type StandInRequest, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { AUTH_TOKEN, at, newCallSid, parseTwiml, PUBLIC_URL, TestLine } from "../helpers/line.js";

// The worker's decisions where things go wrong or race: provider failures of one channel,
// acknowledgements that land mid-step, people who take only voice, and concurrent jobs.

const ACCOUNT_SID = `AC${"ef".repeat(16)}`;
const FROM = "+14035550311";
const NOW = at("2026-12-05T02:00");
const UPDATE_WINDOW_MS = 500;

const fixture = parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml");
const water = fixture.categories.water!;
/** The test roster, with water's supervisor on voice only and one round, so water's alarm comes within seconds. */
const roster: Roster = {
  ...fixture,
  categories: {
    ...fixture.categories,
    water: { ...water, supervisor: { ...water.supervisor, channels: ["voice"] }, escalation: { ...water.escalation, rounds: 1 } },
  },
};
const onCall = (category: string) => whoIsOnCall(roster, category, NOW);
// At NOW: roads pages Ben (SMS and voice), then Tomás; power's primary, Jen, takes voice only.
const roads = onCall("roads");
const power = onCall("power");

/** What the pager is about to send; a test's hook may act on it (acknowledge, make Twilio fail it) or hold it. */
type Page = { kind: "sms" | "call"; to: string; text: string };
let hook: ((page: Page) => Promise<void> | void) | undefined;
/** The Twilio pager the pages go through: straight to the stand-in, unless a test says otherwise. */
let direct: Pager;
let via: Pager;
/** What the pager says when asked whether a page is still on its way (nothing ever is, unless a test says). */
let underway: (key: string) => Promise<boolean> = async () => false;

let standIn: TwilioStandIn;
let line: TestLine;
/** The line's dispatch queue, to look at the jobs the worker scheduled. */
let queue: Queue;
let worker: Worker;
const logs: { level: number; msg: string }[] = [];

beforeAll(async () => {
  standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  direct = new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiUrl: standIn.url });
  via = direct;
  line = await TestLine.start({ roster, now: NOW });

  // The real worker on the line's queue, with the real Twilio pager behind the hook.
  const pager: Pager = {
    async sendSms(to, body) {
      await hook?.({ kind: "sms", to, text: body });
      return via.sendSms(to, body);
    },
    async placeCall(to, url) {
      await hook?.({ kind: "call", to, text: url });
      return via.placeCall(to, url);
    },
    underway: (key) => underway(key),
  };
  worker = line.startWorker(pager, {
    updateWindowMs: UPDATE_WINDOW_MS,
    log: createLogger({ level: "warn", destination: { write: (entry: string) => void logs.push(JSON.parse(entry)) } }),
    retries: { attempts: 4, delayMs: 250 },
  });
  queue = line.dispatchQueue();
});
afterAll(async () => {
  await queue.close();
  await line.close();
  await standIn.close();
});
afterEach(() => {
  hook = undefined;
  underway = async () => false;
  via = direct;
  standIn.reset();
  logs.length = 0;
});

let placeNumber = 0;
/** A fresh place, so reports in different tests never join each other's incidents. */
function newPlace(): string {
  placeNumber += 1;
  return `${200 + placeNumber} Mayor Magrath Drive South`;
}

async function report(category: string, location: string, callbackNumber = "+14035550123"): Promise<string> {
  return line.reports.dispatch({ category, location, callbackNumber, callSid: newCallSid(), receivedAt: line.now.toISO()! });
}

/** A text from `from` to the line, and its reply. */
const text = (from: string, body: string): Promise<string> => line.text(from, body, FROM);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once BullMQ has finished the job: completed, or failed with no retry left. */
async function finished(jobId: string): Promise<Job> {
  for (;;) {
    const job = await queue.getJob(jobId);
    if (job?.finishedOn) return job;
    await sleep(50);
  }
}

const to = (phone: string, kind: "sms" | "call" = "sms") => (request: StandInRequest) => request.to === phone && request.kind === kind;
const about = (reference: string) => (request: StandInRequest) => (request.body ?? request.url ?? "").includes(reference);
/** The reference a page SMS is about. */
const referenceIn = (page: Page) => /#(\d+)/.exec(page.text)?.[1];

describe("paging when things go wrong or race", () => {
  describe("when a step's call fails every attempt", () => {
    it("waits the step's wait before the next step when its SMS went out", async () => {
      hook = (page) => {
        if (page.kind === "call" && page.to === roads.primary!.phone) standIn.failNext(1, 503);
      };
      const reference = await report("roads", newPlace());
      await finished(pageJobId(reference, 0));
      const next = await queue.getJob(pageJobId(reference, 1));
      expect(next!.delay).toBe((await line.incidents.get(reference))!.plan[0]!.waitMs);
      await text(roads.primary!.phone, `ACK ${reference}`);
    });

    it("moves on at once when whether its page is still on its way cannot be told (Redis failing): the next person is paged, not nobody", async () => {
      hook = (page) => {
        if (page.to === roads.primary!.phone) standIn.failNext(1, 503);
      };
      underway = async () => {
        throw new Error("Connection is closed.");
      };
      const reference = await report("roads", newPlace());
      await finished(pageJobId(reference, 0));
      expect((await queue.getJob(pageJobId(reference, 1)))!.delay ?? 0).toBe(0);
      expect(logs.map((entry) => entry.msg)).toContain("could not tell whether a page is still on its way: the chain moves on as if it were not");
      await standIn.waitFor((requests) => requests.some((request) => to(roads.backup!.phone)(request) && about(reference)(request)));
      await text(roads.backup!.phone, `ACK ${reference}`);
    });

    it("moves on at once when none of its channels went out (a bad number is not reached)", async () => {
      hook = (page) => {
        if (page.to !== roads.primary!.phone) return;
        if (page.kind === "sms") standIn.failNext(1, 400, 21614);
        else standIn.failNext(1, 503);
      };
      const reference = await report("roads", newPlace());
      await finished(pageJobId(reference, 0));
      expect((await queue.getJob(pageJobId(reference, 1)))!.delay ?? 0).toBe(0);
      await standIn.waitFor((requests) => requests.some((request) => to(roads.backup!.phone)(request) && about(reference)(request)));
      await text(roads.backup!.phone, `ACK ${reference}`);
    });
  });

  describe("an acknowledgement that arrives while a step is paging", () => {
    let reference: string;
    let requests: StandInRequest[];
    beforeAll(async () => {
      hook = async (page) => {
        // Someone else takes it while the primary's SMS is on its way.
        if (page.kind === "sms" && page.to === roads.primary!.phone) await text(roads.supervisor.phone, `ACK ${referenceIn(page)}`);
      };
      reference = await report("roads", newPlace());
      await finished(pageJobId(reference, 0));
      requests = [...standIn.requests];
    });
    afterAll(async () => {
      await text(roads.supervisor.phone, `DONE ${reference}`);
    });

    it("places no call after the SMS it was sending", () => {
      expect(requests.filter(to(roads.primary!.phone)).filter(about(reference))).toHaveLength(1);
      expect(requests.filter(to(roads.primary!.phone, "call"))).toEqual([]);
    });

    it("schedules no next step", async () => {
      expect(await queue.getJob(pageJobId(reference, 1))).toBeUndefined();
    });
  });

  describe("a supervisor who takes voice pages only", () => {
    it("is called with the alarm, which they can take by pressing 1, and never texted", async () => {
      const supervisor = onCall("water").supervisor;
      const reference = await report("water", newPlace());
      const requests = await standIn.waitFor((all) => all.filter(to(supervisor.phone, "call")).filter(about(reference)).length >= 2, 15_000);
      const alarm = requests.filter(to(supervisor.phone, "call")).filter(about(reference))[1]!;
      const step = (await line.incidents.get(reference))!.plan.findIndex((planned) => planned.role === "supervisor");
      expect(alarm.url).toBe(`${PUBLIC_URL}/twilio/page?ref=${reference}&step=${step}`);
      expect((await line.incidents.get(reference))!.events.map((event) => event.kind)).toContain("alarm");
      expect(requests.filter(to(supervisor.phone))).toEqual([]);

      const taken = parseTwiml((await line.post(`/twilio/page/answer?ref=${reference}&step=${step}`, { CallSid: newCallSid(), Digits: "1" })).body);
      expect(taken.says[0]).toMatch(new RegExp(`Thank you, ${supervisor.name}`));
      expect((await line.incidents.get(reference))!).toMatchObject({ status: "acknowledged", acknowledgedBy: supervisor.name });
      await text(supervisor.phone, `DONE ${reference}`);
    });
  });

  describe("a holder who takes voice pages only, when more reports come in", () => {
    it("is not called, nor texted, just to hear the count", async () => {
      const jen = power.primary!;
      expect(jen.channels).toEqual(["voice"]);
      const place = newPlace();
      const reference = await report("power", place);
      await standIn.waitFor((requests) => requests.some((request) => to(jen.phone, "call")(request) && about(reference)(request)));
      await text(jen.phone, `ACK ${reference}`);
      await report("power", place);
      await finished(moreReportsJobId(reference, Math.floor(line.now.toMillis() / UPDATE_WINDOW_MS)));
      expect(standIn.requests.filter((request) => request.to === jen.phone).map((request) => request.kind)).toEqual(["call"]);
      await text(jen.phone, `DONE ${reference}`);
    });
  });

  describe("a report that joins before anyone has been paged", () => {
    it("still gets its update to the holder, once the first page is out", async () => {
      // The primary's page is held until the update job has run once.
      let updateRan: () => void = () => {};
      const ran = new Promise<void>((resolve) => (updateRan = resolve));
      const onUpdate = (job: Job | undefined) => job?.name === "more-reports" && updateRan();
      worker.on("failed", onUpdate).on("completed", onUpdate);
      hook = async (page) => {
        if (page.kind === "sms" && page.to === roads.primary!.phone) await ran;
      };
      try {
        const place = newPlace();
        const reference = await report("roads", place);
        await report("roads", place);
        const requests = await standIn.waitFor((all) => all.some((request) => (request.body ?? "").includes("1 more report")), 5_000);
        expect(requests.find((request) => (request.body ?? "").includes("1 more report"))!.to).toBe(roads.primary!.phone);
        await text(roads.primary!.phone, `DONE ${reference}`);
      } finally {
        worker.off("failed", onUpdate).off("completed", onUpdate);
      }
    });
  });

  describe("the residents who reported it", () => {
    describe("one whose neighbour's report joins just as the crew takes it", () => {
      it("is told once, not by both jobs", async () => {
        const [first, neighbour] = ["+14035550791", "+14035550792"];
        // The ACK's job holds its SMS to the first resident until the joining report's job sends one too.
        let heldOne = false;
        let holding: () => void = () => {};
        let release: () => void = () => {};
        const held = new Promise<void>((resolve) => (holding = resolve));
        const released = new Promise<void>((resolve) => (release = resolve));
        hook = async (page) => {
          if (page.kind !== "sms" || (page.to !== first && page.to !== neighbour)) return;
          if (page.to === first && !heldOne) {
            heldOne = true;
            holding();
            await released;
          } else release();
        };
        const place = newPlace();
        const reference = await report("power", place, first);
        await standIn.waitFor((requests) => requests.some((request) => to(power.primary!.phone, "call")(request) && about(reference)(request)));
        await text(power.supervisor.phone, `ACK ${reference}`);
        await held;
        const joined = await report("power", place, neighbour);
        await finished(notifyResidentsJobId(reference));
        await finished(`${notifyResidentsJobId(reference)}-${joined}`);
        expect(standIn.messages().filter(to(first))).toHaveLength(1);
        expect(standIn.messages().filter(to(neighbour))).toHaveLength(1);
        await text(power.supervisor.phone, `DONE ${reference}`);
      });
    });

    describe("one whose SMS fails for a moment", () => {
      it("is told on the retry", async () => {
        const resident = "+14035550793";
        let failed = false;
        hook = (page) => {
          if (page.to === resident && !failed) {
            failed = true;
            standIn.failNext(1, 503);
          }
        };
        const reference = await report("power", newPlace(), resident);
        await standIn.waitFor((requests) => requests.some((request) => to(power.primary!.phone, "call")(request) && about(reference)(request)));
        await text(power.supervisor.phone, `ACK ${reference}`);
        await standIn.waitFor((requests) => requests.some((request) => to(resident)(request) && request.status === 201), 10_000);
        expect(standIn.requests.filter(to(resident)).map((request) => request.status)).toEqual([503, 201]);
        await text(power.supervisor.phone, `DONE ${reference}`);
      });
    });
  });

  describe("a number that cannot take SMS, when the same step's call fails for a moment", () => {
    it("is texted and recorded as a bad number once, not again on each retry", async () => {
      const ben = roads.primary!;
      let callFailed = false;
      hook = (page) => {
        if (page.to !== ben.phone) return;
        if (page.kind === "sms") standIn.failNext(1, 400, 21614);
        else if (!callFailed) {
          callFailed = true;
          standIn.failNext(1, 503);
        }
      };
      const reference = await report("roads", newPlace());
      expect((await finished(pageJobId(reference, 0))).returnvalue).toBe(`paged ${ben.name}`);
      expect(standIn.requests.filter(to(ben.phone))).toHaveLength(1);
      const events = (await line.incidents.get(reference))!.events.filter((event) => event.kind === "bad-number");
      expect(events).toEqual([expect.objectContaining({ phone: ben.phone, channel: "sms" })]);
      await text(ben.phone, `ACK ${reference}`);
    });
  });

  describe("when Twilio rejects our request (credentials, sender number)", () => {
    let reference: string;
    let requests: StandInRequest[];
    let errors: typeof logs;
    beforeAll(async () => {
      hook = (page) => {
        if (page.to === roads.primary!.phone) standIn.failNext(1, 400, 21606);
      };
      reference = await report("roads", newPlace());
      await finished(pageJobId(reference, 0));
      requests = await standIn.waitFor((all) => all.some((request) => to(roads.backup!.phone)(request) && about(reference)(request)));
      errors = logs.filter((entry) => entry.level >= 50);
    });
    afterAll(async () => {
      await text(roads.backup!.phone, `DONE ${reference}`);
    });

    it("does not retry it", () => {
      expect(requests.filter((request) => request.to === roads.primary!.phone)).toEqual([expect.objectContaining({ status: 400, code: 21606 })]);
    });

    it("moves on to the next person at once", async () => {
      expect((await queue.getJob(pageJobId(reference, 1)))!.delay ?? 0).toBe(0);
    });

    it("logs an error for the operators", () => {
      expect(errors).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/rejected/) }));
    });
  });

  describe("when Twilio answers 429, then does not answer in time", () => {
    it("retries until the page goes out, once", async () => {
      via = new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiUrl: standIn.url, timeoutMs: 500 });
      standIn.failNext(1, 429);
      // Never released: the client gives up on it after its 500 ms.
      const unanswered = standIn.holdNext();
      const ben = roads.primary!;
      const reference = await report("roads", newPlace());
      await standIn.waitFor((requests) => requests.some((request) => to(ben.phone)(request) && about(reference)(request) && request.status === 201), 10_000);
      expect(standIn.requests.filter(to(ben.phone)).filter(about(reference)).map((request) => request.status)).toEqual([429, 201]);
      expect((await unanswered.arrived).To).toBe(ben.phone);
      await text(ben.phone, `ACK ${reference}`);
    });
  });
});
