import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startTwilioStandIn, type StandInRequest, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { reportJobId } from "../../src/adapters/bullmq/report-queue.js";
import { SEND_PRIORITY } from "../../src/adapters/bullmq/send-queues.js";
import type { PageResult } from "../../src/domain/observers.js";
import { TwilioPager } from "../../src/adapters/twilio/twilio-pager.js";
import type { Pager, SendOptions } from "../../src/domain/oncall/pager.js";
import { whoIsOnCall, type Channel, type Roster } from "../../src/domain/oncall/roster/index.js";
import { MAX_TEXT_SEGMENTS, pagingBoundMs, smsSegments, type SendingRates } from "../../src/domain/oncall/sending-limits.js";
import type { IncidentStore } from "../../src/domain/ports.js";
import { JOBS, pageJobId } from "../../src/oncall/jobs.js";
import { finished, rosterWithSlowWater, runNextStep } from "../helpers/escalation.js";
import { AUTH_TOKEN, at, newCallSid, TestLine } from "../helpers/line.js";

const ACCOUNT_SID = `AC${"8".repeat(32)}`;
const FROM = "+14035550311";
const NIGHT = at("2026-12-05T02:00");

/** The test roster with every step's wait ten minutes long: no escalation comes by itself while a test runs. */
function slowRoster(): Roster {
  const roster = rosterWithSlowWater();
  const categories = Object.fromEntries(
    Object.entries(roster.categories).map(([name, crew]) => [
      name,
      { ...crew, escalation: { ...crew.escalation, steps: crew.escalation.steps.map((step) => ({ ...step, waitMs: 10 * 60_000 })) } },
    ]),
  );
  return { ...roster, categories };
}
const roster = slowRoster();
const onCall = (category: string) => whoIsOnCall(roster, category, NIGHT);

let standIn: TwilioStandIn;
let twilio: TwilioPager;

beforeAll(async () => {
  standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  twilio = new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiUrl: standIn.url });
});
afterAll(() => standIn.close());
afterEach(() => standIn.reset());

/** Files a report exactly as the voice webhook does; resolves with its reference and CallSid. */
async function fileReport(line: TestLine, category: string, location: string): Promise<{ reference: string; callSid: string }> {
  const callSid = newCallSid();
  const reference = await line.reports.dispatch({ category, location, callbackNumber: "+14035550123", callSid, receivedAt: NIGHT.toISO()! });
  return { reference, callSid };
}

const aboutReference = (reference: string) => (request: StandInRequest) =>
  (request.body ?? "").includes(`#${reference}`) || (request.url ?? "").includes(`ref=${reference}&`);

describe("the priority and key of each send the dispatcher makes", () => {
  /** A pager that keeps what it was asked to send, with the options it was asked with. */
  const sent: { kind: "sms" | "call"; to: string; what: string; options: SendOptions | undefined }[] = [];
  const recording: Pager = {
    sendSms: async (to, body, options) => {
      sent.push({ kind: "sms", to, what: body, options });
      return `SM${randomBytes(16).toString("hex")}`;
    },
    placeCall: async (to, url, options) => {
      sent.push({ kind: "call", to, what: url, options });
      return `CA${randomBytes(16).toString("hex")}`;
    },
  };
  let line: TestLine;
  let queue: Queue;

  beforeAll(async () => {
    line = await TestLine.start({ roster, now: NIGHT });
    line.startWorker(recording, { updateWindowMs: 300 });
    queue = line.dispatchQueue();
  });
  afterAll(async () => {
    await queue.close();
    await line.close();
  });
  afterEach(() => {
    sent.length = 0;
  });

  const until = async (predicate: () => boolean) => {
    while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  /** What the incident's sends are named by: its reference and when it opened. */
  const keyOf = async (reference: string) => `${reference}-${Date.parse((await line.incidents.get(reference))!.createdAt)}`;
  const sendsAbout = (reference: string) => sent.filter((send) => send.what.includes(`#${reference}`) || send.what.includes(`ref=${reference}&`));

  it("pages an incident's first step as a first page, each channel with a key of its own", async () => {
    const { reference } = await fileReport(line, "roads", "1 Priority Place");
    const primary = onCall("roads").primary!;
    await finished(queue, pageJobId(reference, 0));
    const key = await keyOf(reference);
    expect(sendsAbout(reference).map(({ kind, to, options }) => ({ kind, to, options }))).toEqual([
      { kind: "sms", to: primary.phone, options: { priority: "first-page", key: `page-${key}-0-sms`, droppable: { incident: reference, kind: "first-page", step: 0, name: primary.name } } },
      { kind: "call", to: primary.phone, options: { priority: "first-page", key: `page-${key}-0-voice`, droppable: { incident: reference, kind: "first-page", step: 0, name: primary.name } } },
    ]);
  });

  it("pages later steps as escalations, tells the holder of more reports and the others paged who took it as updates, and residents last", async () => {
    // Water texts residents once a crew has their report; roads does not.
    const { reference } = await fileReport(line, "water", "2 Priority Place");
    const { primary, backup } = onCall("water");
    await finished(queue, pageJobId(reference, 0));
    expect(await runNextStep(queue, reference, 1)).toMatch(/^paged/);
    expect(sendsAbout(reference).filter((send) => send.to === backup!.phone).map((send) => send.options)).toEqual(
      ["sms", "voice"].map((channel) => ({
        priority: "escalation",
        key: expect.stringMatching(new RegExp(`^page-${reference}-\\d+-1-${channel}$`)),
        droppable: { incident: reference, kind: "escalation", step: 1, name: backup!.name },
      })),
    );

    await fileReport(line, "water", "2 Priority Place");
    await until(() => sent.some((send) => /more report/i.test(send.what)));
    const key = await keyOf(reference);
    expect(sent.find((send) => /more report/i.test(send.what))!.options).toEqual({
      priority: "update",
      key: `more-${key}-2-1`,
      droppable: { incident: reference, kind: "more-reports" },
    });

    await line.text(backup!.phone, `ACK ${reference}`, FROM);
    const resident = () => sent.find((send) => send.to === "+14035550123");
    const taken = () => sent.find((send) => send.to === primary!.phone && send.options?.key?.startsWith("taken-"));
    await until(() => Boolean(resident() && taken()));
    expect(resident()!.options).toEqual({ priority: "resident", key: `resident-+14035550123-${key}` });
    expect(taken()!.options).toEqual({ priority: "update", key: `taken-${primary!.phone}-${key}` });
  });

  it("pages the supervisor's alarm, once every round went unanswered, as an escalation", async () => {
    const { reference } = await fileReport(line, "roads", "3 Priority Place");
    await finished(queue, pageJobId(reference, 0));
    let step = 1;
    let outcome = "";
    while (outcome !== "alarm") outcome = await runNextStep(queue, reference, step++);
    const supervisor = roster.categories.roads!.supervisor;
    const alarm = sent.filter((send) => send.to === supervisor.phone && send.options?.key?.includes("alarm"));
    expect(alarm.length).toBeGreaterThan(0);
    expect(alarm.every((send) => send.options?.priority === "escalation" && send.options.droppable?.kind === "escalation")).toBe(true);
  });

  it("texts the supervisors about a report nobody was paged for as a first page", async () => {
    const jobId = `alarm-report-${newCallSid()}`;
    await queue.add(JOBS.reportAlarm, { report: { category: "roads", location: "4 Priority Place" }, reason: "the report's job failed", key: `report-${jobId}` }, { jobId });
    await finished(queue, jobId);
    const supervisor = roster.categories.roads!.supervisor;
    expect(sent.filter((send) => send.to === supervisor.phone).map((send) => send.options?.priority)).toEqual(["first-page"]);
  });
});

describe("a send waiting its turn when the incident is taken meanwhile", () => {
  let line: TestLine;
  let queue: Queue;
  let sends: Queue[];
  const paged: [Channel, PageResult][] = [];
  const { primary, backup } = onCall("roads");

  beforeAll(async () => {
    line = await TestLine.start({ roster, now: NIGHT });
    line.startWorker(twilio, {
      sendingRates: { callsPerSecond: 20, smsPerSecond: 20 },
      updateWindowMs: 300,
      observe: { reportFiled: () => {}, alarmRaised: () => {}, paged: (channel, result) => void paged.push([channel, result]) },
    });
    queue = line.dispatchQueue();
    sends = Object.values(line.sendQueueNames).map((name) => new Queue(name, { connection: line.redis }));
  });
  afterAll(async () => {
    for (const sendQueue of sends) await sendQueue.close();
    await queue.close();
    await line.close();
  });

  // Sending held (BullMQ's pause of both send queues), as a storm's backlog would hold it.
  const holdSending = () => Promise.all(sends.map((sendQueue) => sendQueue.pause()));
  const letSendingGo = () => Promise.all(sends.map((sendQueue) => sendQueue.resume()));
  const waiting = async (priority: number) =>
    (await Promise.all(sends.map((sendQueue) => sendQueue.getJobs(["prioritized", "wait"])))).flat().filter((job) => job.opts.priority === priority);

  it("drops an escalation page when its turn comes, and notes the skip on the incident", async () => {
    const { reference } = await fileReport(line, "roads", "1 Taken Place");
    await finished(queue, pageJobId(reference, 0));
    await holdSending();
    await (await queue.getJob(pageJobId(reference, 1)))!.promote();
    await vi.waitFor(async () => expect(await waiting(SEND_PRIORITY.escalation)).toHaveLength(1), { timeout: 5_000, interval: 20 });

    expect(await line.text(primary!.phone, `ACK ${reference}`, FROM)).toMatch(/is yours/);
    await letSendingGo();

    expect((await finished(queue, pageJobId(reference, 1))).returnvalue).toBe("stopped: taken while paging");
    expect(standIn.requests.filter((request) => request.to === backup!.phone)).toEqual([]);
    expect((await line.incidents.get(reference))!.events.filter((event) => event.kind === "skipped")).toEqual([
      {
        at: expect.any(String),
        kind: "skipped",
        step: 1,
        name: backup!.name,
        phone: backup!.phone,
        channel: "sms",
        detail: `page by text dropped at its turn: #${reference} was taken by ${primary!.name}`,
      },
    ]);
    expect(paged).toContainEqual(["sms", "skipped"]);
  });

  it("drops a first page when its turn comes after a supervisor marked the incident fixed: nobody is phoned for it", async () => {
    await holdSending();
    const { reference } = await fileReport(line, "roads", "3 Fixed Place");
    // The text waits its turn; the call is asked for once the text has gone.
    await vi.waitFor(async () => expect(await waiting(SEND_PRIORITY["first-page"])).toHaveLength(1), { timeout: 5_000, interval: 20 });

    expect(await line.incidents.resolve(reference, { name: "Sam Supervisor", phone: "", supervisor: true, mayCloseUntaken: true }, line.now.toUTC().toISO()!)).toMatchObject({ outcome: "resolved" });
    await letSendingGo();

    expect((await finished(queue, pageJobId(reference, 0))).returnvalue).toBe("stopped: taken while paging");
    expect(standIn.requests.filter((request) => request.body?.includes(`#${reference}`) || request.url?.includes(`ref=${reference}&`))).toEqual([]);
    expect((await line.incidents.get(reference))!.events.filter((event) => event.kind === "skipped").map((event) => event.detail)).toEqual([
      `page by text dropped at its turn: #${reference} was marked fixed`,
    ]);
  });

  it('tells "N more reports" to whoever took the incident, not to the one it was written to, who hears who took it', async () => {
    const { reference } = await fileReport(line, "roads", "2 Taken Place");
    await finished(queue, pageJobId(reference, 0));
    await holdSending();
    await fileReport(line, "roads", "2 Taken Place");
    await vi.waitFor(async () => expect(await waiting(SEND_PRIORITY.update)).toHaveLength(1), { timeout: 5_000, interval: 20 });
    expect((await waiting(SEND_PRIORITY.update))[0]!.data.to).toBe(primary!.phone);

    // The backup, crew of the same category, takes it while the update waits.
    expect(await line.text(backup!.phone, `ACK ${reference}`, FROM)).toMatch(/is yours/);
    await letSendingGo();

    const told = (text: RegExp) => (request: StandInRequest) => request.kind === "sms" && request.status === 201 && text.test(request.body ?? "");
    const requests = await standIn.waitFor((all) => all.some(told(/more report/)) && all.some(told(/was taken by/)), 10_000);
    expect(requests.filter(told(/more report/)).map((request) => request.to)).toEqual([backup!.phone]);
    expect(requests.filter(told(/was taken by/)).map((request) => request.to)).toEqual([primary!.phone]);
    // Noted once the update job has heard its send went out.
    const events = await vi.waitFor(
      async () => {
        const now = (await line.incidents.get(reference))!.events;
        expect(now.some((event) => event.kind === "update")).toBe(true);
        return now;
      },
      { timeout: 5_000, interval: 20 },
    );
    expect(events.filter((event) => event.kind === "skipped")).toEqual([
      {
        at: expect.any(String),
        kind: "skipped",
        phone: primary!.phone,
        channel: "sms",
        detail: `"more reports" text dropped at its turn: #${reference} was taken by ${backup!.name}, who is told the count instead`,
      },
    ]);
    expect(events.filter((event) => event.kind === "update")).toEqual([{ at: expect.any(String), kind: "update", phone: backup!.phone, detail: "1 more" }]);
  });
});

describe("a page job that dies after its send went out, before it marked it sent", () => {
  let line: TestLine;
  let queue: Queue;
  /** Armed, the next step 0 SMS mark fails, as a worker killed between the send and its mark. */
  let dieAfterSending = false;

  beforeAll(async () => {
    line = await TestLine.start({ roster, now: NIGHT });
    line.startWorker(twilio, {
      sendingRates: { callsPerSecond: 20, smsPerSecond: 20 },
      retries: { attempts: 3, delayMs: 100 },
      incidents: (store) =>
        Object.assign(Object.create(store) as IncidentStore, {
          markSent: async (...args: Parameters<IncidentStore["markSent"]>) => {
            const [, step, channel] = args;
            if (step === 0 && channel === "sms" && dieAfterSending) {
              dieAfterSending = false;
              throw new Error("the worker died here");
            }
            return store.markSent(...args);
          },
        }),
    });
    queue = line.dispatchQueue();
  });
  afterAll(async () => {
    await queue.close();
    await line.close();
  });

  it("does not page twice when it is retried: its send is found sent by its key", async () => {
    dieAfterSending = true;
    const { reference: filed } = await fileReport(line, "water", "1 Crash Crescent");
    const job = await finished(queue, pageJobId(filed, 0));
    // It died once, after the send, and then completed.
    expect(dieAfterSending).toBe(false);
    expect([job.failedReason, job.attemptsMade, job.returnvalue]).toEqual(["the worker died here", 2, expect.stringMatching(/^paged/)]);
    const primary = onCall("water").primary!;
    expect(standIn.requests.filter(aboutReference(filed)).map((request) => [request.to, request.status])).toEqual([[primary.phone, 201]]);
    expect((await line.incidents.get(filed))!.events.filter((event) => event.kind === "paged")).toHaveLength(1);
  });

  it("sends again when the send itself failed: a retried page job really retries", async () => {
    standIn.failNext(1, 503);
    const { reference } = await fileReport(line, "water", "2 Crash Crescent");
    await finished(queue, pageJobId(reference, 0));
    expect(standIn.requests.filter(aboutReference(reference)).map((request) => request.status)).toEqual([503, 201]);
  });
});

describe("a report filed while many pages wait their turn to send", () => {
  let line: TestLine;
  let queue: Queue;

  beforeAll(async () => {
    line = await TestLine.start({ roster, now: NIGHT });
    // Two dispatch jobs at a time and two SMS a second: page jobs pile up on the dispatch queue.
    line.startWorker(twilio, { sendingRates: { callsPerSecond: 2, smsPerSecond: 2 }, concurrency: 2 });
    queue = line.dispatchQueue();
  });
  afterAll(async () => {
    await queue.close();
    await line.close();
  });

  it("is taken before the page jobs already waiting, so its incident opens at once", { timeout: 30_000 }, async () => {
    const pagesWaiting = async () => (await queue.getJobs(["wait", "prioritized"])).filter((job) => job.name === JOBS.page);
    for (let n = 1; n <= 6; n++) await fileReport(line, "water", `${n} Backlog Boulevard`);
    await vi.waitFor(async () => expect((await pagesWaiting()).length).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 10 });
    const { callSid } = await fileReport(line, "water", "7 Backlog Boulevard");
    const waiting = await pagesWaiting();
    expect(waiting.length).toBeGreaterThanOrEqual(2);
    const report = await finished(queue, reportJobId(callSid));
    for (const page of waiting) {
      const done = await finished(queue, page.id!);
      expect(done.processedOn!).toBeGreaterThanOrEqual(report.processedOn!);
    }
    // Every incident is paged in the end, its first person once.
    await standIn.waitFor((requests) => requests.length >= 7, 10_000);
    expect(new Set(standIn.requests.map((request) => request.body)).size).toBe(7);
  });
});

describe("a burst of 60 incidents", () => {
  const rates: SendingRates = { callsPerSecond: 20, smsPerSecond: 20 };
  const COUNT = 60;
  let line: TestLine;
  let queue: Queue;

  beforeAll(async () => {
    line = await TestLine.start({ roster, now: NIGHT });
    line.startWorker(twilio, { sendingRates: rates });
    queue = line.dispatchQueue();
  });
  afterAll(async () => {
    await queue.close();
    await line.close();
  });

  it("pages every incident's first person within the bound the limits allow, and each page once", { timeout: 30_000 }, async () => {
    const primary = onCall("roads").primary!;
    expect(primary.channels).toEqual(["sms", "voice"]);
    // What the line itself takes on top of the limits: filing 60 reports, opening 60 incidents.
    const margin = 2_500;

    const started = Date.now();
    const references: string[] = [];
    for (let n = 1; n <= COUNT; n++) references.push((await fileReport(line, "roads", `${n} Storm Street`)).reference);
    const longest = pagingBoundMs({ sms: COUNT * MAX_TEXT_SEGMENTS, calls: COUNT }, rates);
    const requests = await standIn.waitFor((all) => all.filter((request) => request.status === 201).length >= 2 * COUNT, longest + 10_000);
    // Each text takes the limit's interval once for each of its segments, as Twilio counts them.
    const segments = requests.filter((request) => request.kind === "sms").reduce((sum, request) => sum + smsSegments(request.body!), 0);
    expect(segments).toBeGreaterThanOrEqual(COUNT);
    const bound = pagingBoundMs({ sms: segments, calls: COUNT }, rates);
    const last = Math.max(...requests.map((request) => request.receivedAt));
    expect(last - started).toBeLessThanOrEqual(bound + margin);

    for (const reference of references) await finished(queue, pageJobId(reference, 0));
    expect(standIn.requests.every((request) => request.status === 201 && request.to === primary.phone)).toBe(true);
    for (const reference of references) {
      const pages = standIn.requests.filter(aboutReference(reference));
      expect(pages.map((request) => request.kind).sort()).toEqual(["call", "sms"]);
    }
    expect(standIn.requests).toHaveLength(2 * COUNT);
  });
});
