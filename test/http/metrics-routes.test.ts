import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BullJobScheduler } from "../../src/adapters/bullmq/job-scheduler.js";
import { BullRecordKeeper, createRecordsQueue } from "../../src/adapters/bullmq/record-queue.js";
import { BullReportQueue } from "../../src/adapters/bullmq/report-queue.js";
import { loadFlowSet } from "../../src/adapters/files/flow-source.js";
import { RedisCallStore } from "../../src/adapters/redis/call-store.js";
import { createWebConnection, waitUntilReady } from "../../src/adapters/redis/connections.js";
import { RedisIncidentStore } from "../../src/adapters/redis/incident-store.js";
import { RedisOverrideStore } from "../../src/adapters/redis/override-store.js";
import { staticDefinitions } from "../../src/definitions/live-definitions.js";
import { createApp } from "../../src/http/app.js";
import { startMetricsServer, UNMATCHED_ROUTE, type MetricsServer } from "../../src/http/metrics-routes.js";
import { createLogger } from "../../src/logger.js";
import { CrewDesk } from "../../src/oncall/crew-desk.js";
import { LineMetrics } from "../../src/operations/metrics.js";
import { at, AUTH_TOKEN, newCallSid, parseTwiml, PUBLIC_URL, REDIS_URL, type Twiml } from "../helpers/line.js";
import { parseExposition, sampleValue, type Family } from "../helpers/prometheus-text.js";

const METRICS_TOKEN = "metrics-token-0123456789abcdef";
const WEEKDAY_MORNING = at("2026-12-02T10:00");

/**
 * The real web app (createApp, as `npm start` assembles it) with metrics, on an ephemeral port,
 * against the real Redis and BullMQ queues of its own.
 */
class MeteredLine {
  private constructor(
    readonly url: string,
    readonly metrics: LineMetrics,
    private readonly server: Server,
    private readonly redis: Redis,
    private readonly reports: BullReportQueue,
    private readonly records: BullRecordKeeper,
    private readonly prefix: string,
  ) {}

  static async start(options: { metrics?: boolean; token?: string } = {}): Promise<MeteredLine> {
    const suffix = randomBytes(4).toString("hex");
    const prefix = `test-metrics-${suffix}:`;
    const redis = createWebConnection(REDIS_URL, { retryStrategy: () => null });
    redis.on("error", () => {});
    await waitUntilReady(redis);
    const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
    const clock = () => WEEKDAY_MORNING;
    const reports = new BullReportQueue({ redis, queueName: `oncall-dispatch-${suffix}`, keyPrefix: prefix });
    const records = new BullRecordKeeper(createRecordsQueue(redis, { queueName: `records-${suffix}` }));
    records.queue.on("error", () => {});
    const incidents = new RedisIncidentStore(redis, prefix);
    const definitions = staticDefinitions(await loadFlowSet("flows"));
    const metrics = new LineMetrics({ processMetrics: false });
    const app = createApp({
      definitions,
      desk: new CrewDesk({ roster: definitions.current().roster, incidents, jobs: new BullJobScheduler(reports.queue), clock, log }),
      incidents,
      calls: new RedisCallStore(redis, prefix),
      overrides: new RedisOverrideStore(redis, prefix),
      reports,
      records,
      clock,
      publicUrl: PUBLIC_URL,
      fallbackNumber: undefined,
      authToken: AUTH_TOKEN,
      redis,
      log,
      ...(options.metrics === false ? {} : { metrics: { metrics, token: options.token } }),
    });
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    return new MeteredLine(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, metrics, server, redis, reports, records, prefix);
  }

  /** A Twilio webhook, signed as Twilio signs it (or with `signature` instead). */
  async post(pathOrUrl: string, params: Record<string, string>, signature?: string): Promise<Response> {
    const path = pathOrUrl.startsWith(PUBLIC_URL) ? pathOrUrl.slice(PUBLIC_URL.length) : pathOrUrl;
    return fetch(this.url + path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature ?? twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + path, params) },
      body: new URLSearchParams(params),
    });
  }

  /** What the registry holds now, read as Prometheus reads it (not through the route, whose own tests are below). */
  async families(): Promise<Map<string, Family>> {
    return parseExposition(await this.metrics.registry.metrics());
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.reports.queue.obliterate({ force: true });
    await this.records.queue.obliterate({ force: true });
    const keys = await this.redis.keys(`${this.prefix}*`);
    if (keys.length > 0) await this.redis.del(...keys);
    await this.reports.close();
    await this.records.queue.close();
    this.redis.disconnect();
  }
}

/** A caller answering the line's TwiML, as Twilio posts for them. */
function callerOn(line: MeteredLine) {
  const callSid = newCallSid();
  let last: Twiml | undefined;
  const params = (extra: Record<string, string>) => ({
    CallSid: callSid,
    AccountSid: "AC00000000000000000000000000000000",
    From: "+14035550123",
    To: "+14035550311",
    CallStatus: "in-progress",
    Direction: "inbound",
    ApiVersion: "2010-04-01",
    ...extra,
  });
  const send = async (url: string, extra: Record<string, string>) => {
    const answer = await line.post(url, params(extra));
    expect(answer.status).toBe(200);
    last = parseTwiml(await answer.text());
    return last;
  };
  return {
    dial: () => send("/twilio/voice", { CallStatus: "ringing" }),
    press: (digits: string) => send(last!.attrs("Gather")!.action!, { Digits: digits }),
    leaveQueue: (result: string, waited: string) => send(last!.attrs("Enqueue")!.action!, { QueueResult: result, QueueSid: "QU0", QueueTime: waited }),
    status: (status: string, duration = "60") => line.post("/twilio/voice/status", params({ CallStatus: status, CallDuration: duration })),
  };
}

async function getMetrics(url: string, authorization?: string): Promise<Response> {
  return fetch(`${url}/metrics`, authorization === undefined ? {} : { headers: { authorization } });
}

describe("GET /metrics", () => {
  describe("with METRICS_TOKEN set", () => {
    let line: MeteredLine;
    beforeAll(async () => {
      line = await MeteredLine.start({ token: METRICS_TOKEN });
    });
    afterAll(async () => {
      await line.close();
    });

    it("answers the token as a bearer with Prometheus' text format, uncached", async () => {
      const response = await getMetrics(line.url, `Bearer ${METRICS_TOKEN}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const families = parseExposition(await response.text());
      expect(families.get("civic_calls_total")?.type).toBe("counter");
    });

    it.each([
      ["no Authorization", undefined],
      ["a wrong token", "Bearer not-the-metrics-token-at-all"],
      ["the token a character short", `Bearer ${METRICS_TOKEN.slice(0, -1)}`],
      ["the token in another scheme", `Basic ${Buffer.from(`prometheus:${METRICS_TOKEN}`).toString("base64")}`],
      ["an empty bearer", "Bearer "],
    ])("refuses %s: 401, with WWW-Authenticate and no figures", async (_situation, authorization) => {
      const response = await getMetrics(line.url, authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
      expect(await response.text()).not.toContain("civic_");
    });
  });

  describe("without METRICS_TOKEN", () => {
    let line: MeteredLine;
    beforeAll(async () => {
      line = await MeteredLine.start();
    });
    afterAll(async () => {
      await line.close();
    });

    it("is open", async () => {
      const response = await getMetrics(line.url);
      expect(response.status).toBe(200);
      expect(parseExposition(await response.text()).has("civic_pages_total")).toBe(true);
    });

    it("is not itself timed as a webhook", async () => {
      await getMetrics(line.url);
      const routes = (await line.families()).get("civic_webhook_duration_seconds")!.samples.map((sample) => sample.labels.route);
      expect(routes).not.toContain("/metrics");
    });
  });

  describe("a web app assembled without metrics", () => {
    it("has no /metrics", async () => {
      const line = await MeteredLine.start({ metrics: false });
      expect((await getMetrics(line.url)).status).toBe(404);
      await line.close();
    });
  });

  describe("a server of its own, for a worker running alone (METRICS_PORT)", () => {
    let server: MetricsServer;
    let metrics: LineMetrics;
    beforeAll(async () => {
      metrics = new LineMetrics({ processMetrics: false });
      server = await startMetricsServer({ metrics, token: METRICS_TOKEN, port: 0, host: "127.0.0.1" });
    });
    afterAll(async () => {
      await server.stop();
    });
    const url = () => `http://127.0.0.1:${server.port}`;

    it("serves the registry's metrics to the bearer of the token", async () => {
      metrics.departmentDelivery("Water Utility", "failed");
      const response = await getMetrics(url(), `Bearer ${METRICS_TOKEN}`);
      expect(response.status).toBe(200);
      expect(sampleValue(parseExposition(await response.text()), "civic_department_deliveries_total", { department: "Water Utility", result: "failed" })).toBe(1);
    });

    it("refuses anyone else", async () => {
      expect((await getMetrics(url())).status).toBe(401);
    });

    it("serves nothing else", async () => {
      expect((await fetch(`${url()}/twilio/voice`)).status).toBe(404);
    });
  });
});

describe("what the web app counts", () => {
  let line: MeteredLine;
  beforeAll(async () => {
    line = await MeteredLine.start();
  });
  afterAll(async () => {
    await line.close();
  });

  describe("a call through the webhooks", () => {
    let families: Map<string, Family>;
    beforeAll(async () => {
      const caller = callerOn(line);
      await caller.dial();
      await caller.press("4");
      await caller.leaveQueue("bridged", "37");
      expect((await caller.status("ringing")).status).toBe(204);
      expect((await caller.status("completed", "240")).status).toBe(204);
      // Posted again, as Twilio does when our first answer was slow to reach it.
      expect((await caller.status("completed", "240")).status).toBe(204);
      // A request is timed when its answer has gone out, which the caller may see a moment before.
      families = await vi.waitFor(async () => {
        const now = await line.families();
        expect(sampleValue(now, "civic_webhook_duration_seconds_count", { route: "/twilio/voice/status", status: "2xx" })).toBe(3);
        return now;
      });
    });

    it("is counted once, by its outcome, when Twilio says it ended, however often Twilio says so", () => {
      expect(sampleValue(families, "civic_calls_total", { outcome: "queued-to-agent" })).toBe(1);
      expect(sampleValue(families, "civic_calls_total", { outcome: "abandoned" })).toBe(0);
    });

    it("times each webhook under the route's pattern", () => {
      const count = (route: string, status = "2xx") => sampleValue(families, "civic_webhook_duration_seconds_count", { route, status });
      expect(count("/twilio/voice")).toBe(1);
      // The menu's answer and the queue's action are both steps.
      expect(count("/twilio/voice/step")).toBe(2);
      // "ringing" and "completed".
      expect(count("/twilio/voice/status")).toBe(3);
    });

    it("never labels a series with a URL's query, a CallSid or a number", () => {
      const values = families.get("civic_webhook_duration_seconds")!.samples.flatMap((sample) => Object.values(sample.labels));
      for (const value of values) expect(value).not.toMatch(/[?=]|CA[0-9a-f]{32}|\+1\d{10}/);
    });
  });

  describe("a request refused by the signature check", () => {
    const refused = (route: string) => async () => sampleValue(await line.families(), "civic_webhook_duration_seconds_count", { route, status: "4xx" }) ?? 0;

    it("is timed under the webhook it asked for, with its 4xx status", async () => {
      const count = refused("/twilio/voice");
      const before = await count();
      const answer = await line.post("/twilio/voice", { CallSid: newCallSid() }, "not-a-signature");
      expect(answer.status).toBe(403);
      await vi.waitFor(async () => expect(await count()).toBe(before + 1));
    });

    it("is timed as unmatched when it asks a webhook's path with a method Twilio does not use", async () => {
      const count = refused(UNMATCHED_ROUTE);
      const before = await count();
      const answer = await fetch(`${line.url}/twilio/voice/step?n=1`, { method: "HEAD" });
      expect(answer.status).toBe(403);
      await vi.waitFor(async () => expect(await count()).toBe(before + 1));
      const families = await line.families();
      const routes = families.get("civic_webhook_duration_seconds")!.samples.map((sample) => sample.labels.route);
      expect(routes).not.toContain("/twilio/twilio/voice/step");
    });

    it("is timed as unmatched when no webhook has its path", async () => {
      const count = refused(UNMATCHED_ROUTE);
      const before = await count();
      const answer = await line.post("/twilio/no-such-webhook", { CallSid: newCallSid() }, "not-a-signature");
      expect(answer.status).toBe(403);
      await vi.waitFor(async () => expect(await count()).toBe(before + 1));
    });
  });
});
