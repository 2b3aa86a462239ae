import { randomBytes } from "node:crypto";
import { Queue, Worker, type ConnectionOptions } from "bullmq";
import { Redis } from "ioredis";
import { DateTime } from "luxon";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDispatchQueue } from "../../src/adapters/bullmq/report-queue.js";
import { createSendQueue, SEND_PRIORITY } from "../../src/adapters/bullmq/send-queues.js";
import { createWebConnection, createWorkerConnection, waitUntilReady } from "../../src/adapters/redis/connections.js";
import { heartbeatKey, WorkerHeartbeat } from "../../src/adapters/redis/heartbeat.js";
import { readLineFigures } from "../../src/operations/line-figures.js";

// The figures /status and `npm run oncall -- status` are made of, read from a real Redis and a
// real BullMQ queue. No worker runs unless a test starts one: every job added stays where it is,
// and each reading is taken at a moment the test chooses.
const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";

describe("reading the line's figures", () => {
  let redis: Redis;
  let queue: Queue;
  let keyPrefix: string;
  let addedAt: DateTime;
  const figuresAt = (now: DateTime) => readLineFigures({ redis, queue, keyPrefix, configuredPager: "twilio" }, now);

  beforeAll(async () => {
    redis = createWorkerConnection(REDIS_URL);
    await waitUntilReady(redis);
  });

  beforeEach(() => {
    keyPrefix = `test-figures-${randomBytes(4).toString("hex")}:`;
    queue = createDispatchQueue(redis, { queueName: `oncall-dispatch-figures-${randomBytes(4).toString("hex")}` });
    addedAt = DateTime.now();
  });

  afterEach(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.del(heartbeatKey(keyPrefix));
  });

  afterAll(() => redis.disconnect());

  describe("with an empty queue and no worker", () => {
    it("finds no due job and no heartbeat", async () => {
      expect(await figuresAt(addedAt)).toEqual({
        redis: "ok",
        heartbeats: { youngestAgeMs: undefined, workers: 0, pagers: [] },
        dispatch: { oldestDueMs: 0, waiting: 0, delayed: 0, active: 0, failed: 0 },
        configuredPager: "twilio",
      });
    });
  });

  describe("with a worker's heartbeat", () => {
    it("gives the youngest beat's age, how many workers beat and their pagers", async () => {
      await new WorkerHeartbeat({ redis, keyPrefix, workerId: "w1", pager: "console", clock: () => addedAt }).beat();
      expect((await figuresAt(addedAt.plus({ seconds: 3 }))).heartbeats).toEqual({ youngestAgeMs: 3_000, workers: 1, pagers: ["console"] });
    });
  });

  describe("with a report waiting and nobody taking it", () => {
    it("gives how long it has waited since it was added", async () => {
      const job = await queue.add("urgent-report", {}, { jobId: "report-1" });
      const figures = await figuresAt(DateTime.fromMillis(job.timestamp).plus({ minutes: 5 }));
      expect(figures.dispatch).toMatchObject({ oldestDueMs: 300_000, waiting: 1 });
    });

    it("gives the wait of the oldest of several", async () => {
      const oldest = await queue.add("urgent-report", {}, { jobId: "report-old", timestamp: addedAt.minus({ minutes: 10 }).toMillis() });
      await queue.add("urgent-report", {}, { jobId: "report-new", timestamp: addedAt.toMillis() });
      const figures = await figuresAt(DateTime.fromMillis(oldest.timestamp).plus({ minutes: 12 }));
      expect(figures.dispatch).toMatchObject({ oldestDueMs: 12 * 60_000, waiting: 2 });
    });
  });

  describe("with an escalation step delayed for ten minutes", () => {
    let added: number;
    beforeEach(async () => {
      added = (await queue.add("page", {}, { jobId: "page-1-1", delay: 600_000, timestamp: addedAt.toMillis() })).timestamp;
    });

    it("counts it as delayed, not due, before its time", async () => {
      expect((await figuresAt(DateTime.fromMillis(added).plus({ minutes: 9 }))).dispatch).toMatchObject({ oldestDueMs: 0, delayed: 1 });
    });

    it("counts the time since it fell due when nobody took it", async () => {
      expect((await figuresAt(DateTime.fromMillis(added).plus({ minutes: 13 }))).dispatch).toMatchObject({ oldestDueMs: 180_000 });
    });
  });

  describe("with a report that failed once and waits out a ten-minute backoff", () => {
    let lastTried: number;
    beforeEach(async () => {
      const connection = createWorkerConnection(REDIS_URL);
      const worker = new Worker(
        queue.name,
        async () => {
          throw new Error("Twilio is down");
        },
        { connection: connection as ConnectionOptions },
      );
      const failed = new Promise<void>((resolve) => worker.once("failed", () => resolve()));
      // Added an hour ago: its first attempt is not when it becomes due again.
      const timestamp = addedAt.minus({ hours: 1 }).toMillis();
      await queue.add("urgent-report", {}, { jobId: "report-retry", timestamp, attempts: 2, backoff: { type: "fixed", delay: 600_000 } });
      await failed;
      await worker.close();
      connection.disconnect();
      const [job] = await queue.getJobs(["delayed"]);
      lastTried = job!.processedOn!;
    });

    it("does not count it as due during the backoff", async () => {
      expect((await figuresAt(DateTime.fromMillis(lastTried).plus({ minutes: 9 }))).dispatch).toMatchObject({ oldestDueMs: 0, delayed: 1 });
    });

    it("counts from the end of the backoff, not from when it was first added", async () => {
      // BullMQ starts the backoff when the attempt failed, a moment after it started.
      const { oldestDueMs } = (await figuresAt(DateTime.fromMillis(lastTried).plus({ minutes: 12 }))).dispatch!;
      expect(oldestDueMs).toBeGreaterThan(110_000);
      expect(oldestDueMs).toBeLessThanOrEqual(120_000);
    });
  });

  describe("with a report held for its caller's next answer, held again a moment ago", () => {
    it("is not due: the hold counts from the last step, not from when the report was filed", async () => {
      const job = await queue.add("urgent-report", {}, { jobId: "report-held", delay: 120_000, timestamp: Date.now() - 10 * 60_000 });
      await job.changeDelay(120_000);
      expect((await figuresAt(DateTime.now().plus({ seconds: 10 }))).dispatch).toMatchObject({ oldestDueMs: 0, delayed: 1 });
    });

    it("counts as due from the moment its call sent it, when no worker takes it", async () => {
      const job = await queue.add("urgent-report", {}, { jobId: "report-sent", delay: 120_000 });
      // The line sends a held report by making it due now.
      await job.changeDelay(0);
      const sentAt = DateTime.now();
      const { oldestDueMs } = (await figuresAt(sentAt.plus({ seconds: 70 }))).dispatch!;
      expect(oldestDueMs).toBeGreaterThanOrEqual(69_000);
      expect(oldestDueMs).toBeLessThanOrEqual(71_000);
    });
  });

  describe("with sends waiting on the send queues", () => {
    let sms: Queue;
    let calls: Queue;
    const rates = { callsPerSecond: 1, smsPerSecond: 1 };
    const nothing = { waiting: 0, oldestWaitMs: 0, firstPages: 0, oldestFirstPageWaitMs: 0, sentSinceOldestFirstPage: 0 };
    const withSends = (now: DateTime) => readLineFigures({ redis, queue, keyPrefix, sendQueues: { sms, calls }, configuredRates: rates }, now);

    beforeEach(() => {
      const suffix = randomBytes(4).toString("hex");
      const names = { sms: `twilio-sms-figures-${suffix}`, calls: `twilio-calls-figures-${suffix}` };
      sms = createSendQueue(redis, "sms", { names });
      calls = createSendQueue(redis, "calls", { names });
    });
    afterEach(async () => {
      for (const sends of [sms, calls]) {
        await sends.obliterate({ force: true });
        await sends.close();
      }
    });

    it("counts what waits on each, and finds the oldest send of any priority and the oldest first page", async () => {
      // A resident's text from ten minutes ago, two first pages, the older from two minutes ago, and an escalation now.
      await sms.add("SMS", {}, { priority: SEND_PRIORITY.resident, timestamp: addedAt.minus({ minutes: 10 }).toMillis() });
      await sms.add("SMS", {}, { priority: SEND_PRIORITY["first-page"], timestamp: addedAt.minus({ minutes: 2 }).toMillis() });
      await sms.add("SMS", {}, { priority: SEND_PRIORITY["first-page"], timestamp: addedAt.minus({ minutes: 1 }).toMillis() });
      await sms.add("SMS", {}, { priority: SEND_PRIORITY.escalation, timestamp: addedAt.toMillis() });
      await calls.add("call", {}, { priority: SEND_PRIORITY.escalation, timestamp: addedAt.minus({ seconds: 30 }).toMillis() });
      expect((await withSends(addedAt)).sending).toEqual({
        sms: { waiting: 4, oldestWaitMs: 600_000, firstPages: 2, oldestFirstPageWaitMs: 120_000, sentSinceOldestFirstPage: 0 },
        calls: { ...nothing, waiting: 1, oldestWaitMs: 30_000 },
        rates,
      });
    });

    it("counts the sends of the kind that went out since the oldest first page was queued", async () => {
      const connection = createWorkerConnection(REDIS_URL);
      const worker = new Worker(sms.name, async () => ({ ok: true, sid: "SM0" }), { connection: connection as ConnectionOptions });
      for (let n = 0; n < 3; n++) await sms.add("SMS", {}, { priority: SEND_PRIORITY.update });
      while ((await sms.getCompletedCount()) < 3) await new Promise((resolve) => setTimeout(resolve, 20));
      await worker.close();
      connection.disconnect();
      // Queued five minutes ago: the three sends that went out just now went before it.
      await sms.add("SMS", {}, { priority: SEND_PRIORITY["first-page"], timestamp: addedAt.minus({ minutes: 5 }).toMillis() });
      expect((await withSends(addedAt)).sending!.sms).toEqual({ waiting: 1, oldestWaitMs: 300_000, firstPages: 1, oldestFirstPageWaitMs: 300_000, sentSinceOldestFirstPage: 3 });
    });

    it("takes the rates the workers say they keep over this process's own", async () => {
      await new WorkerHeartbeat({ redis, keyPrefix, workerId: "w1", pager: "twilio", sendingRates: { callsPerSecond: 2, smsPerSecond: 30 }, clock: () => addedAt }).beat();
      expect((await withSends(addedAt)).sending!.rates).toEqual({ callsPerSecond: 2, smsPerSecond: 30 });
    });
  });

  describe("when Redis does not answer", () => {
    it("says so, and reads nothing else", async () => {
      const down = createWebConnection("redis://127.0.0.1:1", { retryStrategy: () => null, lazyConnect: true });
      down.on("error", () => {});
      const figures = await readLineFigures({ redis: down, queue, configuredPager: "console" }, addedAt);
      expect(figures).toEqual({ redis: "not answering", heartbeats: undefined, dispatch: undefined, configuredPager: "console" });
      down.disconnect();
    });

    it("says so when the connection callers are answered on is down, naming it, and still reads the figures through the one that answers", async () => {
      const down = createWebConnection("redis://127.0.0.1:1", { retryStrategy: () => null, lazyConnect: true });
      down.on("error", () => {});
      const figures = await readLineFigures({ redis, alsoPinged: { "the callers' connection": down }, queue, keyPrefix, configuredPager: "console" }, addedAt);
      expect(figures).toEqual({
        redis: "not answering",
        unansweredConnections: ["the callers' connection"],
        heartbeats: { youngestAgeMs: undefined, workers: 0, pagers: [] },
        dispatch: { oldestDueMs: 0, waiting: 0, delayed: 0, active: 0, failed: 0 },
        configuredPager: "console",
      });
      down.disconnect();
    });
  });
});
