import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startTwilioStandIn, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { openSendQueues, RateLimitedPager, type SendQueues } from "../../src/adapters/bullmq/rate-limited-pager.js";
import { SendQueueOutbox, startSendWorkers, type SendWorkers } from "../../src/adapters/bullmq/send-queues.js";
import { createWorkerConnection } from "../../src/adapters/redis/connections.js";
import { TwilioPager } from "../../src/adapters/twilio/twilio-pager.js";
import { PagerError, PagerStoppedError, SendWithdrawnError, type PagePriority } from "../../src/domain/oncall/pager.js";
import type { ScreenedSend, SendScreen } from "../../src/domain/oncall/stale-sends.js";
import type { SendingRates } from "../../src/domain/oncall/sending-limits.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { REDIS_URL } from "../helpers/line.js";

// Real Redis and BullMQ, the real twilio client, and Twilio faked only at its HTTP edge. Every
// test has send queues of its own, so none sees another's jobs or rate limit.
const ACCOUNT_SID = `AC${"7".repeat(32)}`;
const AUTH_TOKEN = "stand-in-auth-token-send-queues";
const FROM = "+14035550311";
const TWIML_URL = "https://line.example.org/twilio/page";
const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

let standIn: TwilioStandIn;
let twilioPager: TwilioPager;

beforeAll(async () => {
  standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  twilioPager = new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiUrl: standIn.url, timeoutMs: 2_000 });
});
afterAll(() => standIn.close());

/** Send queues of the test's own, a pager onto them, and send workers started when the test says (as many as it likes, as processes would). */
class Sending {
  readonly names = { sms: `twilio-sms-${randomBytes(4).toString("hex")}`, calls: `twilio-calls-${randomBytes(4).toString("hex")}` };
  readonly connection: Redis = createWorkerConnection(REDIS_URL);
  readonly queues: SendQueues = openSendQueues(this.connection, { names: this.names });
  readonly pager = new RateLimitedPager(this.queues, { waitMs: 15_000 });
  private readonly workers: { workers: SendWorkers; connection: Redis }[] = [];

  startWorkers(rates: SendingRates, options: { name?: string; log?: Logger; screen?: SendScreen } = {}): SendWorkers {
    const connection = createWorkerConnection(REDIS_URL);
    const workers = startSendWorkers({ connection, pagers: { crew: twilioPager }, rates, names: this.names, ...options, log: options.log ?? log });
    this.workers.push({ workers, connection });
    return workers;
  }

  /** Resolves once `count` sends wait on the queues (none taken yet). */
  async queued(count: number): Promise<void> {
    for (;;) {
      const waiting = await Promise.all([this.queues.sms.queue, this.queues.calls.queue].map((queue) => queue.getJobCountByTypes("wait", "prioritized")));
      if (waiting.reduce((sum, n) => sum + n, 0) >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async close(): Promise<void> {
    for (const { workers, connection } of this.workers) {
      await workers.close();
      connection.disconnect();
    }
    for (const { queue } of [this.queues.sms, this.queues.calls]) await queue.obliterate({ force: true });
    await this.queues.close();
    this.connection.disconnect();
  }
}

let sending: Sending;
beforeEach(() => {
  standIn.reset();
  sending = new Sending();
});
afterEach(() => sending.close());

/** The PagerError a send rejected with (fails the test when it went out, or threw something else). */
async function failureOf(send: Promise<string>): Promise<PagerError> {
  const error = await send.then(
    (sid) => {
      throw new Error(`expected the send to fail, it went out as ${sid}`);
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(PagerError);
  return error as PagerError;
}

const accepted = (kind: "sms" | "call") => standIn.requests.filter((request) => request.kind === kind && request.status === 201);

describe("the send queues", () => {
  describe("at 5 calls and 5 SMS a second, with two workers (as two processes would have)", () => {
    const rates = { callsPerSecond: 5, smsPerSecond: 5 };
    const COUNT = 12;

    it("never send faster than the rate, however many are owed at once", { timeout: 20_000 }, async () => {
      sending.startWorkers(rates, { name: "one" });
      sending.startWorkers(rates, { name: "two" });
      const sids = await Promise.all(
        Array.from({ length: COUNT }, (_, n) => [
          sending.pager.sendSms(`+1403555${String(1000 + n)}`, `page ${n}`, { priority: "first-page" }),
          sending.pager.placeCall(`+1403555${String(1000 + n)}`, TWIML_URL, { priority: "first-page" }),
        ]).flat(),
      );
      expect(new Set(sids).size).toBe(2 * COUNT);
      const completed = await sending.queues.sms.queue.getJobs(["completed"]);
      const calls = await sending.queues.calls.queue.getJobs(["completed"]);
      for (const [kind, jobs] of [["sms", completed], ["call", calls]] as const) {
        const sent = accepted(kind);
        expect(sent).toHaveLength(COUNT);
        // One every 200 ms, whichever worker took it: the limiter lets a send start (BullMQ's
        // processedOn) no sooner than an interval after the one before, less the clock's grain.
        const started = jobs.map((job) => job.processedOn!).sort((a, b) => a - b);
        for (const gap of started.slice(1).map((at, index) => at - started[index]!)) expect(gap).toBeGreaterThanOrEqual(190);
        // At Twilio, never a burst: the run is spread over its (N - 1) intervals, less what a busy
        // machine makes the first request late by (seen up to 170 ms with three test files at once,
        // so half of the run is the bound; a burst arrives within a few ms).
        expect(sent.at(-1)!.receivedAt - sent[0]!.receivedAt).toBeGreaterThanOrEqual(((COUNT - 1) * 200) / 2);
      }
      // Both workers took sends: the limit held across them, not within each.
      expect(new Set([...completed, ...calls].map((job) => job.processedBy))).toEqual(new Set(["one", "two"]));
    });
  });

  describe("at 5 SMS segments a second, with two workers", () => {
    it("take an interval of the limit for each segment of a text: a page of two segments holds the next for two", { timeout: 20_000 }, async () => {
      const rates = { callsPerSecond: 5, smsPerSecond: 5 };
      sending.startWorkers(rates, { name: "one" });
      sending.startWorkers(rates, { name: "two" });
      // 200 characters: two GSM-7 segments, as most pages are; then two of one segment each.
      const twoSegments = (n: number) => `URGENT water ${n}: ${"x".repeat(180)}`.slice(0, 200);
      const bodies = [twoSegments(1), twoSegments(2), twoSegments(3), "short 4", "short 5"];
      await Promise.all(bodies.map((body, n) => sending.pager.sendSms(`+1403555${String(2000 + n)}`, body, { priority: "first-page" })));
      // Owed at once, at one priority: taken in the order asked.
      expect(accepted("sms").map((request) => request.body)).toEqual(bodies);
      const started = (await sending.queues.sms.queue.getJobs(["completed"])).map((job) => job.processedOn!).sort((a, b) => a - b);
      const gaps = started.slice(1).map((at, index) => at - started[index]!);
      // After each two-segment text, two intervals (400 ms); after a one-segment text, one (200 ms).
      for (const gap of gaps.slice(0, 3)) expect(gap).toBeGreaterThanOrEqual(390);
      expect(gaps[3]).toBeGreaterThanOrEqual(190);
      expect(gaps[3]).toBeLessThan(390);
    });
  });

  describe("with a backlog", () => {
    it("send first pages, then escalations, then updates, then residents' SMS, whatever order they were asked in", async () => {
      const order: PagePriority[] = ["resident", "update", "escalation", "first-page", "resident", "update", "escalation", "first-page"];
      const pages = order.map((priority, n) => sending.pager.sendSms(`+1403555${String(2000 + n)}`, `${priority} ${n}`, { priority }));
      const calls = (["escalation", "first-page"] as const).map((priority) => sending.pager.placeCall("+14035552100", `${TWIML_URL}?${priority}`, { priority }));
      await sending.queued(order.length + calls.length);
      // 10 a second: sends start 100 ms apart, far more than a request takes to arrive.
      sending.startWorkers({ callsPerSecond: 10, smsPerSecond: 10 });
      await Promise.all([...pages, ...calls]);
      expect(accepted("sms").map((request) => request.body!.split(" ")[0])).toEqual([
        "first-page",
        "first-page",
        "escalation",
        "escalation",
        "update",
        "update",
        "resident",
        "resident",
      ]);
      expect(accepted("call").map((request) => request.url)).toEqual([`${TWIML_URL}?first-page`, `${TWIML_URL}?escalation`]);
    });

    it("give every send job a BullMQ priority, since jobs without one would go before them all", async () => {
      void sending.pager.sendSms("+14035552200", "no priority given");
      await sending.queued(1);
      const [job] = await sending.queues.sms.queue.getJobs(["prioritized", "wait"]);
      expect(job!.opts.priority).toBeGreaterThan(0);
      sending.startWorkers({ callsPerSecond: 20, smsPerSecond: 20 });
      await standIn.waitFor((requests) => requests.length === 1);
    });
  });

  describe("a text nobody waits for (a roster change's, queued by whichever role published it)", () => {
    const ifFailed = "could not tell Pat Okafor their time on call changed: tell them by phone";

    it("waits behind every page and every resident's text", async () => {
      const outbox = new SendQueueOutbox(sending.queues.sms.queue);
      await outbox.queueSms("+14035557001", "notice", { ifFailed });
      const resident = sending.pager.sendSms("+14035557002", "resident", { priority: "resident" });
      const update = sending.pager.sendSms("+14035557003", "update", { priority: "update" });
      await sending.queued(3);
      sending.startWorkers({ callsPerSecond: 10, smsPerSecond: 10 });
      await Promise.all([resident, update]);
      await standIn.waitFor((requests) => requests.length === 3);
      expect(accepted("sms").map((request) => request.body)).toEqual(["update", "resident", "notice"]);
    });

    it("is logged at error, with what to do and its number masked, when it cannot be sent", async () => {
      const lines: { level: number; msg: string; to?: string; err?: string }[] = [];
      sending.startWorkers({ callsPerSecond: 20, smsPerSecond: 20 }, { log: createLogger({ level: "info", destination: { write: (line: string) => void lines.push(JSON.parse(line)) } }) });
      standIn.rejectNumber("+14035557004", 21614);
      await new SendQueueOutbox(sending.queues.sms.queue).queueSms("+14035557004", "notice", { ifFailed });
      await vi.waitFor(() => expect(lines.find((line) => line.msg === ifFailed)).toBeDefined(), { timeout: 5_000 });
      const logged = lines.find((line) => line.msg === ifFailed)!;
      expect(logged.level).toBe(50);
      expect(logged.err).toMatch(/Twilio answered 400 \(21614\)/);
      expect(JSON.stringify(logged)).not.toContain("5557004");
    });
  });

  describe("a send marked droppable (an escalation, \"N more reports\")", () => {
    /** The screen the worker asks at each droppable send's turn: it drops what `stale` says. */
    const screened: ScreenedSend[] = [];
    let stale = true;
    const screen: SendScreen = async (send) => {
      screened.push(send);
      return stale ? "#100123 was taken by Lee Chen" : undefined;
    };
    const droppable = { incident: "100123", kind: "escalation", step: 1, name: "Sam Tremblay" } as const;

    beforeEach(() => {
      screened.length = 0;
      stale = true;
      sending.startWorkers({ callsPerSecond: 20, smsPerSecond: 20 }, { screen });
    });

    it("is not sent when the screen drops it at its turn, and its sender hears why", async () => {
      const error = await sending.pager.placeCall("+14035558001", TWIML_URL, { priority: "escalation", key: "page-100123-1-voice", droppable }).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(SendWithdrawnError);
      expect((error as SendWithdrawnError).reason).toBe("#100123 was taken by Lee Chen");
      expect(screened).toEqual([{ to: "+14035558001", channel: "voice", droppable }]);
      expect(standIn.requests).toEqual([]);
    });

    it("asked again by its key, is screened again rather than answered with the drop", async () => {
      await expect(sending.pager.sendSms("+14035558002", "page", { priority: "escalation", key: "page-100123-1-sms", droppable })).rejects.toBeInstanceOf(SendWithdrawnError);
      stale = false;
      await expect(sending.pager.sendSms("+14035558002", "page", { priority: "escalation", key: "page-100123-1-sms", droppable })).resolves.toMatch(/^SM/);
      expect(screened).toHaveLength(2);
      expect(standIn.requests).toHaveLength(1);
    });

    it("dropped at its turn is not underway: nothing is on its way to them", async () => {
      await expect(sending.pager.sendSms("+14035558004", "page", { priority: "escalation", key: "page-100123-2-sms", droppable })).rejects.toBeInstanceOf(SendWithdrawnError);
      expect(await sending.pager.underway("page-100123-2-sms")).toBe(false);
    });

    it("is not screened when not marked: a first page goes whatever", async () => {
      await expect(sending.pager.sendSms("+14035558003", "page", { priority: "first-page" })).resolves.toMatch(/^SM/);
      expect(screened).toEqual([]);
    });
  });

  describe("when Twilio answers 429 with Retry-After", () => {
    it("send nothing more of that kind until it has passed, then send the page once", async () => {
      sending.startWorkers({ callsPerSecond: 20, smsPerSecond: 20 });
      standIn.failNext(1, 429, 20429, { retryAfterSeconds: 1 });
      const first = sending.pager.sendSms("+14035553001", "first", { priority: "first-page" });
      await standIn.waitFor((requests) => requests.length === 1);
      const second = sending.pager.sendSms("+14035553002", "second", { priority: "first-page" });
      await expect(first).resolves.toMatch(/^SM/);
      await expect(second).resolves.toMatch(/^SM/);
      const [limited, ...after] = standIn.requests;
      expect(limited).toMatchObject({ body: "first", status: 429 });
      // Put back at the head of its priority: the limited page goes first once the wait is over.
      expect(after.map((request) => [request.body, request.status])).toEqual([
        ["first", 201],
        ["second", 201],
      ]);
      expect(after[0]!.receivedAt - limited!.receivedAt).toBeGreaterThanOrEqual(1_000);
    });

    it("do not spend the send's attempt on it", async () => {
      sending.startWorkers({ callsPerSecond: 20, smsPerSecond: 20 });
      standIn.failNext(2, 429, 20429, { retryAfterSeconds: 0 });
      await expect(sending.pager.placeCall("+14035553003", TWIML_URL, { priority: "first-page", key: "limited-call" })).resolves.toMatch(/^CA/);
      expect(standIn.requests.map((request) => request.status)).toEqual([429, 429, 201]);
    });
  });

  describe("a failure", () => {
    beforeEach(() => {
      sending.startWorkers({ callsPerSecond: 20, smsPerSecond: 20 });
    });

    it("comes back as the PagerError the real pager threw", async () => {
      standIn.rejectNumber("+14035554001", 21614);
      const direct = await failureOf(twilioPager.sendSms("+14035554001", "page"));
      const queued = await failureOf(sending.pager.sendSms("+14035554001", "page", { priority: "first-page" }));
      expect({ failure: queued.failure, message: queued.message, detail: queued.detail }).toEqual({ failure: direct.failure, message: direct.message, detail: direct.detail });
      expect(queued.failure).toBe("bad-number");
    });

    it("of a temporary kind (a 503) is not retried by the send queue: the page job decides", async () => {
      standIn.failNext(1, 503);
      const error = await failureOf(sending.pager.placeCall("+14035554002", TWIML_URL, { priority: "escalation" }));
      expect(error).toMatchObject({ failure: "temporary", detail: { status: 503 } });
      expect(standIn.requests).toHaveLength(1);
    });
  });

  describe("a send with a key", () => {
    beforeEach(() => {
      sending.startWorkers({ callsPerSecond: 20, smsPerSecond: 20 });
    });

    it("that went out is not sent again: asked again (a page job retried after its send), it answers with the same sid", async () => {
      const sid = await sending.pager.sendSms("+14035555001", "page", { priority: "first-page", key: "page-10421-0-sms" });
      await expect(sending.pager.sendSms("+14035555001", "page", { priority: "first-page", key: "page-10421-0-sms" })).resolves.toBe(sid);
      expect(standIn.requests).toHaveLength(1);
    });

    it("asked twice while it waits is sent once, and both hear its sid", async () => {
      const held = standIn.holdNext("call");
      const one = sending.pager.placeCall("+14035555002", TWIML_URL, { priority: "first-page", key: "page-10422-0-voice" });
      await held.arrived;
      const two = sending.pager.placeCall("+14035555002", TWIML_URL, { priority: "first-page", key: "page-10422-0-voice" });
      held.release();
      const [sid, again] = await Promise.all([one, two]);
      expect(again).toBe(sid);
      expect(standIn.requests).toHaveLength(1);
    });

    it("that failed is sent again when asked again (a retried page job really retries)", async () => {
      standIn.failNext(1, 500);
      await expect(sending.pager.sendSms("+14035555003", "page", { key: "page-10423-1-sms" })).rejects.toMatchObject({ failure: "temporary" });
      await expect(sending.pager.sendSms("+14035555003", "page", { key: "page-10423-1-sms" })).resolves.toMatch(/^SM/);
      expect(standIn.requests.map((request) => request.status)).toEqual([500, 201]);
    });

    it("is underway once it went out, and not when it failed or was never asked for", async () => {
      expect(await sending.pager.underway("page-10426-0-sms")).toBe(false);
      await sending.pager.sendSms("+14035555005", "page", { key: "page-10426-0-sms" });
      expect(await sending.pager.underway("page-10426-0-sms")).toBe(true);
      standIn.failNext(1, 500);
      await expect(sending.pager.placeCall("+14035555005", TWIML_URL, { key: "page-10426-0-voice" })).rejects.toMatchObject({ failure: "temporary" });
      expect(await sending.pager.underway("page-10426-0-voice")).toBe(false);
    });

    it("may hold any character: BullMQ's ids may not contain ':'", async () => {
      await expect(sending.pager.sendSms("+14035555004", "page", { key: "taken-+14035555004:10424" })).resolves.toMatch(/^SM/);
    });
  });

  describe("opened by a worker whose clock is 90 s ahead of Redis's", () => {
    // They read their events from the newest one when they open, as Redis names it: BullMQ's own
    // start, at its first read, lost the sends that finished before it (its issue 2874).
    it("still hear of each send as it finishes", async () => {
      sending.startWorkers({ callsPerSecond: 20, smsPerSecond: 20 });
      const now = Date.now();
      const skewed = vi.spyOn(Date, "now").mockReturnValue(now + 90_000);
      let opened: SendQueues;
      try {
        opened = openSendQueues(sending.connection, { names: sending.names });
      } finally {
        skewed.mockRestore();
      }
      try {
        const waiting = new RateLimitedPager(opened, { waitMs: 5_000 });
        await expect(waiting.sendSms("+14035556012", "page", { key: "page-10442-0-sms" })).resolves.toMatch(/^SM/);
      } finally {
        await opened.close();
      }
    });
  });

  describe("a page job that gives up waiting", () => {
    it("is told the page was not sent, a temporary failure, and its send stays queued for its retry", async () => {
      const impatient = new RateLimitedPager(sending.queues, { waitMs: 200 });
      const error = await failureOf(impatient.sendSms("+14035556001", "page", { priority: "first-page", key: "page-10425-0-sms" }));
      expect(error.failure).toBe("temporary");
      expect(error.message).not.toContain("6001");
      sending.startWorkers({ callsPerSecond: 20, smsPerSecond: 20 });
      await expect(sending.pager.sendSms("+14035556001", "page", { priority: "first-page", key: "page-10425-0-sms" })).resolves.toMatch(/^SM/);
      expect(standIn.requests).toHaveLength(1);
    });

    it("leaves its send underway: whoever asks by its key (the chain, moving on without it) knows a page is on its way", async () => {
      const impatient = new RateLimitedPager(sending.queues, { waitMs: 200 });
      await failureOf(impatient.sendSms("+14035556003", "page", { priority: "first-page", key: "page-10427-0-sms" }));
      expect(await sending.pager.underway("page-10427-0-sms")).toBe(true);
    });

    it("waits beside as many others as the worker runs page jobs, with no warning of a leak from Node", async () => {
      const warnings: string[] = [];
      const warned = (warning: Error) => warnings.push(warning.name);
      process.on("warning", warned);
      try {
        const impatient = new RateLimitedPager(sending.queues, { waitMs: 300 });
        const waits = Array.from({ length: 20 }, (_, n) => failureOf(impatient.sendSms(`+140355570${String(n).padStart(2, "0")}`, "page", { key: `page-10430-${n}-sms` })));
        await Promise.all(waits);
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off("warning", warned);
      }
      expect(warnings).toEqual([]);
    });

    it("is told at once when its worker stops and lets the queues go, and its send stays queued for the next worker", async () => {
      // The stopping worker's own handle on the queues: the page waits on it, then it is let go.
      const stopping = openSendQueues(sending.connection, { names: sending.names });
      const waiting = new RateLimitedPager(stopping).sendSms("+14035556002", "page", { priority: "first-page", key: "page-10426-0-sms" }).then(
        (sid) => new Error(`went out as ${sid}`),
        (error: unknown) => error as Error,
      );
      await sending.queued(1);
      await stopping.close();
      // At once: the pager's own wait is ten minutes.
      const error = await waiting;
      expect(error).toBeInstanceOf(PagerStoppedError);
      expect(error.message).toContain("this worker is stopping");
      sending.startWorkers({ callsPerSecond: 20, smsPerSecond: 20 });
      await expect(sending.pager.sendSms("+14035556002", "page", { priority: "first-page", key: "page-10426-0-sms" })).resolves.toMatch(/^SM/);
      expect(standIn.requests).toHaveLength(1);
    });
  });
});
