import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { DateTime } from "luxon";
import { register as globalRegistry } from "prom-client";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTwilioStandIn, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { RedisIncidentStore } from "../../src/adapters/redis/incident-store.js";
import { TwilioPager } from "../../src/adapters/twilio/twilio-pager.js";
import { createLogger } from "../../src/logger.js";
import { CrewDesk } from "../../src/oncall/crew-desk.js";
import { Dispatcher } from "../../src/oncall/dispatcher.js";
import type { JobScheduler } from "../../src/oncall/jobs.js";
import { ACKNOWLEDGE_BUCKETS, LineMetrics, QUEUE_STATES, WEBHOOK_BUCKETS } from "../../src/operations/metrics.js";
import { waterRoster } from "../fixtures/oncall/load.js";
import { DATABASE_KINDS, testDatabase } from "../helpers/database.js";
import { AUTH_TOKEN, at, newCallSid, REDIS_URL } from "../helpers/line.js";
import { parseExposition, sampleValue, type Family } from "../helpers/prometheus-text.js";
import { RedisServer } from "../helpers/redis-server.js";

/** What Prometheus would read from this registry now. */
async function scrape(metrics: LineMetrics): Promise<Map<string, Family>> {
  return parseExposition(await metrics.registry.metrics());
}

/** A Redis that accepts connections and never answers: a stand-in for one too slow to wait for. */
async function silentRedis(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("the line's metrics", () => {
  describe("the registry", () => {
    it("is the line's own: two are independent, and prom-client's global one is left alone", async () => {
      const first = new LineMetrics({ processMetrics: false });
      const second = new LineMetrics({ processMetrics: false });
      first.callEnded("voicemail");
      expect(sampleValue(await scrape(first), "civic_calls_total", { outcome: "voicemail" })).toBe(1);
      expect(sampleValue(await scrape(second), "civic_calls_total", { outcome: "voicemail" })).toBe(0);
      expect(await globalRegistry.metrics()).not.toContain("civic_");
    });

    it("includes the process's own metrics under the names every Node service exports, and its own under civic_", async () => {
      const families = await scrape(new LineMetrics());
      expect(families.get("process_cpu_seconds_total")?.type).toBe("counter");
      expect(families.get("process_resident_memory_bytes")?.type).toBe("gauge");
      expect(families.get("nodejs_eventloop_lag_seconds")?.type).toBe("gauge");
      expect([...families.keys()].every((name) => /^(civic|process|nodejs)_/.test(name))).toBe(true);
    });
  });

  describe("the exposition Prometheus reads", () => {
    let families: Map<string, Family>;
    beforeAll(async () => {
      const metrics = new LineMetrics();
      metrics.webhookAnswered("/twilio/voice/step", 200, 0.042);
      metrics.callEnded("queued-to-agent");
      metrics.reportFiled("water", "new");
      metrics.paged("sms", "sent");
      metrics.alarmRaised("unanswered");
      metrics.acknowledged("sms", "water", 150);
      metrics.departmentDelivery("Water Utility", "retrying");
      families = await scrape(metrics);
    });

    // prom-client's own process gauges (nodejs_active_handles_total and the like) are its
    // names, kept as every Node service exports them; the line's own families follow the rule.
    it("puts _total on the line's counters, and on nothing else of the line's", () => {
      const own = [...families.values()].filter((family) => family.name.startsWith("civic_"));
      expect(own.length).toBeGreaterThanOrEqual(8);
      for (const family of own) {
        if (family.type === "counter") expect(family.name, family.name).toMatch(/_total$/);
        else expect(family.name, family.name).not.toMatch(/_total$/);
      }
    });

    it("describes every family in words", () => {
      for (const family of families.values()) expect(family.help, family.name).not.toBe("");
    });

    it.each([
      ["civic_webhook_duration_seconds", "histogram", ["route", "status"]],
      ["civic_calls_total", "counter", ["outcome"]],
      ["civic_urgent_reports_total", "counter", ["category", "outcome"]],
      ["civic_pages_total", "counter", ["channel", "result"]],
      ["civic_oncall_alarms_total", "counter", ["reason"]],
      ["civic_acknowledgements_total", "counter", ["channel"]],
      ["civic_time_to_acknowledge_seconds", "histogram", ["category"]],
      ["civic_department_deliveries_total", "counter", ["department", "result"]],
    ])("has %s, a %s labelled only by %j", (name, type, labels) => {
      const family = families.get(name)!;
      expect(family.type).toBe(type);
      const seen = new Set(family.samples.flatMap((sample) => Object.keys(sample.labels)).filter((label) => label !== "le"));
      expect([...seen].sort()).toEqual([...labels].sort());
    });

    it("times webhooks in seconds, with buckets that resolve sub-second answers", () => {
      expect(WEBHOOK_BUCKETS.filter((bound) => bound < 1).length).toBeGreaterThanOrEqual(6);
      expect(sampleValue(families, "civic_webhook_duration_seconds_bucket", { route: "/twilio/voice/step", status: "2xx", le: "0.025" })).toBe(0);
      expect(sampleValue(families, "civic_webhook_duration_seconds_bucket", { route: "/twilio/voice/step", status: "2xx", le: "0.05" })).toBe(1);
      expect(sampleValue(families, "civic_webhook_duration_seconds_sum", { route: "/twilio/voice/step" })).toBeCloseTo(0.042);
    });

    it("starts every call outcome, page result and alarm at zero, so the first failure is an increase", () => {
      for (const outcome of ["answered-by-ivr", "urgent-report", "voicemail", "transferred", "abandoned"]) {
        expect(sampleValue(families, "civic_calls_total", { outcome })).toBe(0);
      }
      for (const channel of ["sms", "voice"]) {
        for (const result of ["failed", "bad-number"]) expect(sampleValue(families, "civic_pages_total", { channel, result })).toBe(0);
      }
      expect(sampleValue(families, "civic_pages_total", { channel: "voice", result: "sent" })).toBe(0);
      expect(sampleValue(families, "civic_oncall_alarms_total", { reason: "unhandled-report" })).toBe(0);
    });

    it("counts department deliveries by department and result", () => {
      expect(sampleValue(families, "civic_department_deliveries_total", { department: "Water Utility", result: "retrying" })).toBe(1);
    });
  });

  describe("the reader these tests check the exposition with", () => {
    it("refuses a sample whose family has no TYPE", () => {
      expect(() => parseExposition('civic_thing{a="b"} 1\n')).toThrow(/before \(or without\) its family's TYPE/);
    });

    it("refuses a histogram whose buckets do not add up", () => {
      const text = ["# TYPE h histogram", 'h_bucket{le="1"} 2', 'h_bucket{le="+Inf"} 1', "h_sum 1", "h_count 1", ""].join("\n");
      expect(() => parseExposition(text)).toThrow(/not cumulative/);
    });
  });

  describe("the BullMQ queues' job counts", () => {
    const name = `metrics-queue-${randomBytes(4).toString("hex")}`;
    let redis: Redis;
    let queue: Queue;
    beforeAll(async () => {
      redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
      queue = new Queue(name, { connection: redis });
      await queue.add("job", { n: 1 });
      await queue.add("job", { n: 2 });
      await queue.add("job", { n: 3 }, { delay: 3_600_000 });
    });
    afterAll(async () => {
      await queue.obliterate({ force: true });
      await queue.close();
      redis.disconnect();
    });

    it("reads each state of each watched queue at the scrape", async () => {
      const metrics = new LineMetrics({ processMetrics: false });
      metrics.watchQueues([queue]);
      const families = await scrape(metrics);
      expect(sampleValue(families, "civic_queue_jobs", { queue: name, state: "waiting" })).toBe(2);
      expect(sampleValue(families, "civic_queue_jobs", { queue: name, state: "delayed" })).toBe(1);
      expect(sampleValue(families, "civic_queue_jobs", { queue: name, state: "failed" })).toBe(0);
      const states = families.get("civic_queue_jobs")!.samples.filter((sample) => sample.labels.queue === name).map((sample) => sample.labels.state);
      expect(states.sort()).toEqual([...QUEUE_STATES].sort());
    });

    it("follows the queue as jobs are added", async () => {
      const metrics = new LineMetrics({ processMetrics: false });
      metrics.watchQueues([queue]);
      await queue.add("job", { n: 4 });
      expect(sampleValue(await scrape(metrics), "civic_queue_jobs", { queue: name, state: "waiting" })).toBe(3);
      await (await queue.getJobs(["waiting"])).at(0)!.remove();
    });

    it("counts a queue once when two roles of one process watch it under the same name", async () => {
      const other = new Queue(name, { connection: redis });
      const metrics = new LineMetrics({ processMetrics: false });
      metrics.watchQueues([queue]);
      metrics.watchQueues([other]);
      expect(sampleValue(await scrape(metrics), "civic_queue_jobs", { queue: name, state: "waiting" })).toBe(2);
      await other.close();
    });

    it("stops counting a queue once unwatched (its role stopped)", async () => {
      const metrics = new LineMetrics({ processMetrics: false });
      metrics.watchQueues([queue])();
      expect(sampleValue(await scrape(metrics), "civic_queue_jobs", { queue: name, state: "waiting" })).toBeUndefined();
    });

    describe("when Redis does not answer", () => {
      let silent: Awaited<ReturnType<typeof silentRedis>>;
      let stuck: Redis;
      let stuckQueue: Queue;
      beforeAll(async () => {
        silent = await silentRedis();
        stuck = new Redis(silent.url, { maxRetriesPerRequest: null });
        stuck.on("error", () => {});
        stuckQueue = new Queue(`stuck-${name}`, { connection: stuck });
        stuckQueue.on("error", () => {});
      });
      afterAll(async () => {
        stuck.disconnect();
        await silent.close();
      });

      it("leaves that queue out after the probe's timeout, and still counts the others", async () => {
        const metrics = new LineMetrics({ processMetrics: false, probeTimeoutMs: 200 });
        metrics.watchQueues([stuckQueue, queue]);
        const families = await scrape(metrics);
        expect(sampleValue(families, "civic_queue_jobs", { queue: `stuck-${name}`, state: "waiting" })).toBeUndefined();
        expect(sampleValue(families, "civic_queue_jobs", { queue: name, state: "waiting" })).toBe(2);
      });

      it("reports Redis down (0), where a Redis that answers is up (1)", async () => {
        const metrics = new LineMetrics({ processMetrics: false, probeTimeoutMs: 200 });
        metrics.watchRedis(redis);
        expect(sampleValue(await scrape(metrics), "civic_redis_up")).toBe(1);
        metrics.watchRedis(stuck);
        expect(sampleValue(await scrape(metrics), "civic_redis_up")).toBe(0);
      });
    });
  });

  describe("Redis and the database, up or down", () => {
    it("reports Redis down (0) when the connection is refused", async () => {
      const refused = new Redis("redis://127.0.0.1:1", { enableOfflineQueue: false, retryStrategy: () => null, lazyConnect: true });
      refused.on("error", () => {});
      const metrics = new LineMetrics({ processMetrics: false, probeTimeoutMs: 500 });
      metrics.watchRedis(refused);
      expect(sampleValue(await scrape(metrics), "civic_redis_up")).toBe(0);
      refused.disconnect();
    });

    it("reports Redis's memory, used and its maxmemory, from a connection that answers, and none when none does", async () => {
      const server = await RedisServer.start({ appendOnly: false, args: ["--maxmemory", "64mb"] });
      const answering = new Redis(server.url);
      const refused = new Redis("redis://127.0.0.1:1", { enableOfflineQueue: false, retryStrategy: () => null, lazyConnect: true });
      refused.on("error", () => {});
      try {
        const metrics = new LineMetrics({ processMetrics: false, probeTimeoutMs: 500 });
        metrics.watchRedis(refused);
        expect((await scrape(metrics)).get("civic_redis_memory_bytes")?.samples ?? []).toEqual([]);
        metrics.watchRedis(answering);
        const families = await scrape(metrics);
        expect(sampleValue(families, "civic_redis_memory_bytes", { kind: "max" })).toBe(64 * 2 ** 20);
        expect(sampleValue(families, "civic_redis_memory_bytes", { kind: "used" })).toBeGreaterThan(100_000);
      } finally {
        refused.disconnect();
        answering.disconnect();
        await server.remove();
      }
    });

    it("has no database gauge in a role that does not hold the database (the web role)", async () => {
      expect((await scrape(new LineMetrics({ processMetrics: false }))).has("civic_database_up")).toBe(false);
    });

    describe.each(DATABASE_KINDS)("on %s", (kind) => {
      it("is 1 while the database answers SELECT 1, and 0 once it is closed", async () => {
        const database = await testDatabase(kind, { migrated: false });
        const metrics = new LineMetrics({ processMetrics: false });
        metrics.watchDatabase(database.database);
        const up = await scrape(metrics);
        expect(up.get("civic_database_up")?.type).toBe("gauge");
        expect(sampleValue(up, "civic_database_up")).toBe(1);
        await database.close();
        expect(sampleValue(await scrape(metrics), "civic_database_up")).toBe(0);
      });
    });
  });

  describe("the on-call side, through a real Dispatcher and CrewDesk", () => {
    const ACCOUNT_SID = `AC${"ef".repeat(16)}`;
    const OPENED = at("2026-12-05T02:00");
    const PAT = "+14035550111";
    const prefix = `test-metrics-${randomBytes(4).toString("hex")}:`;
    const roster = waterRoster({ weeks: "[{ primary: pat, backup: sam }]", rounds: 1 });
    const log = createLogger({ level: "silent" });
    let standIn: TwilioStandIn;
    let redis: Redis;
    let metrics: LineMetrics;
    let dispatcher: Dispatcher;
    let desk: CrewDesk;
    let now: DateTime;
    let place = 0;
    let reports = 0;

    /** The dispatcher's jobs are kept, not queued: each test runs the steps it is about itself. */
    const jobs: JobScheduler = { add: async () => {} };

    beforeAll(async () => {
      standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
      redis = new Redis(REDIS_URL);
    });
    afterAll(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await standIn.close();
    });
    beforeEach(() => {
      standIn.reset();
      now = OPENED;
      metrics = new LineMetrics({ processMetrics: false });
      const incidents = new RedisIncidentStore(redis, prefix);
      const pager = new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: "+14035550311", apiUrl: standIn.url });
      dispatcher = new Dispatcher({ roster, incidents, pager, jobs, clock: () => now, log, publicUrl: "https://line.example.org", observe: metrics });
      desk = new CrewDesk({ roster, incidents, jobs, clock: () => now, log, observe: metrics });
    });

    /** A report of a place no other test reported, as the worker takes it from the queue. */
    const reportOf = (location = `${1200 + ++place} Scenic Drive South`) => ({
      reference: String(700_000 + ++reports),
      category: "water",
      location,
      callbackNumber: null,
      callSid: newCallSid(),
      receivedAt: now.toISO()!,
    });
    const open = async (report = reportOf()) => (await dispatcher.report(report)).replace(/^incident /, "");
    const value = async (name: string, labels: Record<string, string> = {}) => sampleValue(await scrape(metrics), name, labels);

    describe("an urgent report", () => {
      it("that opens an incident counts as new, by its category", async () => {
        await open();
        expect(await value("civic_urgent_reports_total", { category: "water", outcome: "new" })).toBe(1);
      });

      it("of a place already reported counts as joined", async () => {
        const first = reportOf();
        await open(first);
        await dispatcher.report({ ...reportOf(first.location) });
        expect(await value("civic_urgent_reports_total", { category: "water", outcome: "new" })).toBe(1);
        expect(await value("civic_urgent_reports_total", { category: "water", outcome: "joined" })).toBe(1);
      });

      it("whose job is retried is counted once", async () => {
        const report = reportOf();
        await open(report);
        await dispatcher.report(report);
        expect(await value("civic_urgent_reports_total", { category: "water", outcome: "new" })).toBe(1);
      });
    });

    describe("a page", () => {
      it("that the provider takes counts as sent, by its channel", async () => {
        await dispatcher.page({ reference: await open(), step: 0 });
        expect(await value("civic_pages_total", { channel: "sms", result: "sent" })).toBe(1);
        expect(await value("civic_pages_total", { channel: "sms", result: "failed" })).toBe(0);
      });

      it("to a number that cannot take it counts as bad-number", async () => {
        standIn.rejectNumber(PAT);
        await dispatcher.page({ reference: await open(), step: 0 });
        expect(await value("civic_pages_total", { channel: "sms", result: "bad-number" })).toBe(1);
        expect(await value("civic_pages_total", { channel: "sms", result: "sent" })).toBe(0);
      });

      it("that the provider fails counts as failed, and again as sent when the retry gets through", async () => {
        const reference = await open();
        standIn.failNext(1, 503);
        await expect(dispatcher.page({ reference, step: 0 })).rejects.toThrow();
        expect(await value("civic_pages_total", { channel: "sms", result: "failed" })).toBe(1);
        await dispatcher.page({ reference, step: 0 });
        expect(await value("civic_pages_total", { channel: "sms", result: "sent" })).toBe(1);
      });
    });

    describe("the alarm", () => {
      it("for a chain nobody answered counts once, however often its step runs", async () => {
        const reference = await open();
        // One round of three steps: step 3 is past the end.
        expect(await dispatcher.page({ reference, step: 3 })).toBe("alarm");
        expect(await dispatcher.page({ reference, step: 3 })).toBe("alarm");
        expect(await value("civic_oncall_alarms_total", { reason: "unanswered" })).toBe(1);
        // The alarm pages the supervisor: those are pages too.
        expect(await value("civic_pages_total", { channel: "sms", result: "sent" })).toBe(1);
      });

      it("for a report the crew was never paged for counts as unhandled-report", async () => {
        await dispatcher.unhandledReport({ category: "water", location: "Scenic Drive" }, "every attempt failed", `report-${newCallSid()}`);
        expect(await value("civic_oncall_alarms_total", { reason: "unhandled-report" })).toBe(1);
      });
    });

    describe("an acknowledgement", () => {
      it("by text counts by its channel, with the time since the incident opened", async () => {
        const reference = await open();
        await dispatcher.page({ reference, step: 0 });
        now = OPENED.plus({ minutes: 3 });
        await desk.textFrom(PAT, `ACK ${reference}`);
        const families = await scrape(metrics);
        expect(sampleValue(families, "civic_acknowledgements_total", { channel: "sms" })).toBe(1);
        expect(sampleValue(families, "civic_acknowledgements_total", { channel: "voice" })).toBe(0);
        expect(sampleValue(families, "civic_time_to_acknowledge_seconds_sum", { category: "water" })).toBe(180);
        expect(sampleValue(families, "civic_time_to_acknowledge_seconds_bucket", { category: "water", le: "120" })).toBe(0);
        expect(sampleValue(families, "civic_time_to_acknowledge_seconds_bucket", { category: "water", le: "300" })).toBe(1);
        expect(ACKNOWLEDGE_BUCKETS).toContain(300);
      });

      it("sent again is not counted again", async () => {
        const reference = await open();
        await dispatcher.page({ reference, step: 0 });
        await desk.textFrom(PAT, `ACK ${reference}`);
        await desk.textFrom(PAT, `ACK ${reference}`);
        expect(await value("civic_acknowledgements_total", { channel: "sms" })).toBe(1);
      });

      it("by a keypress on the voice page counts as voice", async () => {
        const reference = await open();
        await dispatcher.page({ reference, step: 0 });
        now = OPENED.plus({ seconds: 45 });
        await desk.takeByKeypress(reference, 0);
        expect(await value("civic_acknowledgements_total", { channel: "voice" })).toBe(1);
        expect(await value("civic_time_to_acknowledge_seconds_sum", { category: "water" })).toBe(45);
      });
    });
  });
});
