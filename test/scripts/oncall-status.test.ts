import { Redis } from "ioredis";
import { DateTime } from "luxon";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDispatchQueue } from "../../src/adapters/bullmq/report-queue.js";
import { createSendQueue, SEND_PRIORITY } from "../../src/adapters/bullmq/send-queues.js";
import { ConsolePager } from "../../src/adapters/console-pager.js";
import { outboxKey } from "../../src/adapters/console-pager.js";
import { heartbeatKey, WorkerHeartbeat } from "../../src/adapters/redis/heartbeat.js";
import { createLogger } from "../../src/logger.js";
import { runScript } from "../helpers/cli.js";

// The CLI reads the line's own key names (civic:worker:heartbeat, bull:oncall-dispatch); a
// database of its own keeps it away from a dev server and from the other files' processes.
const base = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
base.pathname = "/15";
const REDIS_URL = base.toString();
const ZONE = "America/Edmonton";

const oncall = (...args: string[]) => runScript("oncall.ts", args, { REDIS_URL });

describe("npm run oncall -- status", { timeout: 60_000 }, () => {
  let redis: Redis;
  let heartbeat: WorkerHeartbeat | undefined;

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });

  afterEach(async () => {
    await heartbeat?.stop();
    heartbeat = undefined;
    for (const queue of [createDispatchQueue(redis), createSendQueue(redis, "sms"), createSendQueue(redis, "calls")]) {
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await redis.del(heartbeatKey(), outboxKey());
  });

  afterAll(async () => {
    await redis.quit();
  });

  /** A worker process's heartbeat, beating every few seconds as the real one does, sending at Twilio's default rates. */
  async function workerRunning(pager: "twilio" | "console" = "twilio"): Promise<void> {
    heartbeat = await new WorkerHeartbeat({
      redis,
      pager,
      sendingRates: { callsPerSecond: 1, smsPerSecond: 1 },
      clock: () => DateTime.now().setZone(ZONE),
      workerId: "test-worker",
    }).start();
  }

  describe("with no worker running", () => {
    it("exits with code 1 and says that nobody is paged, and what to start", async () => {
      const result = await oncall("status");
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/worker\s+NONE: no heartbeat in the last 30 s/);
      expect(result.stdout).toContain("TROUBLE:\n  - No worker is running:");
      expect(result.stdout).toContain("Start one (npm run start:worker, or npm start).");
    });
  });

  describe("with a worker running and nothing overdue", () => {
    it("exits with code 0 and says the worker is keeping up, naming its pager", async () => {
      await workerRunning();
      const result = await oncall("status");
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/worker\s+\S+ pid \d+, heartbeat \d+ s ago/);
      expect(result.stdout).toMatch(/pager\s+twilio/);
      expect(result.stdout).toContain("OK: the worker is running and keeping up.");
    });

    it("says plainly when the worker keeps pages instead of sending them", async () => {
      await workerRunning("console");
      expect((await oncall("status")).stdout).toMatch(/pager\s+console: pages are NOT being sent/);
    });

    it("gives the figures of GET /status with --json", async () => {
      await workerRunning();
      const result = await oncall("status", "--json");
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ status: "ok", redis: "ok", worker: { processes: 1 }, dispatch: { oldestDueJobDelaySeconds: 0 }, problems: [] });
    });
  });

  describe("with a worker running but a report due for five minutes that nobody took", () => {
    it("exits with code 1 and says the worker is behind, and for how long the report has waited", async () => {
      await workerRunning();
      const queue = createDispatchQueue(redis);
      await queue.add("urgent-report", {}, { jobId: "report-CAstuck", timestamp: DateTime.now().minus({ minutes: 5 }).toMillis() });
      await queue.close();
      const result = await oncall("status");
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/dispatch\s+1 waiting, 0 delayed, 0 active, 0 failed for good; a job has been due for 5 min \d+ s/);
      expect(result.stdout).toMatch(/ - The worker is behind: a job on oncall-dispatch has been due for 5 min \d+ s without a worker taking it/);
    });
  });

  describe("with a first page waiting on twilio-sms for two minutes, nothing going out", () => {
    it("exits with code 1, shows what waits on each send queue and says pages go out slower than the limits allow", async () => {
      await workerRunning();
      const sms = createSendQueue(redis, "sms");
      await sms.add("SMS", {}, { priority: SEND_PRIORITY["first-page"], timestamp: DateTime.now().minus({ minutes: 2 }).toMillis() });
      await sms.add("SMS", {}, { priority: SEND_PRIORITY.resident, timestamp: DateTime.now().minus({ minutes: 3 }).toMillis() });
      await sms.close();
      const result = await oncall("status");
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/twilio-sms\s+2 waiting, the oldest for 3 min \d+ s \(1 first page, the oldest for 2 min \d+ s\); 1 SMS segment a second/);
      expect(result.stdout).toMatch(/twilio-calls\s+nothing waiting; 1 call a second/);
      expect(result.stdout).toMatch(/ - Pages are going out slower than Twilio's limits allow on twilio-sms: the oldest first page has waited 2 min \d+ s, where at 1 SMS segment a second it alone, 2 segments at most, takes 2 s\./);
    });
  });

  describe("when Redis does not answer", () => {
    it("exits with code 1 and says where it looked", async () => {
      const result = await runScript("oncall.ts", ["status"], { REDIS_URL: "redis://127.0.0.1:1" });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("Redis does not answer at redis://127.0.0.1:1");
    });
  });
});

describe("npm run oncall -- outbox", { timeout: 60_000 }, () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await redis.del(outboxKey());
    await redis.quit();
  });

  it("prints when each page was kept in the City's zone, not in UTC", async () => {
    const pager = new ConsolePager({ redis, logger: createLogger({ level: "silent" }), now: () => new Date("2026-12-05T09:00:00Z") });
    await pager.sendSms("+14035550187", "test page");
    const result = await oncall("outbox");
    expect(result.stdout).toContain("Sat 2026-12-05 02:00 MST");
    expect(result.stdout).not.toContain("09:00");
  });
});
