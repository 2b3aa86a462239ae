import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from "vitest";
import { RedisOverrideStore } from "../../src/adapters/redis/override-store.js";
import { createLogger } from "../../src/logger.js";
import { newCallSid, type TestCaller } from "../helpers/line.js";
import { confirmCallback, dispatchJobState, FALLBACK_NUMBER, ProductionLine, queueReport, reportWatermain } from "../helpers/production-line.js";
import { RedisServer } from "../helpers/redis-server.js";

// Redis restarts in the middle of a storm: the web role and the worker, started as production
// starts them, against a Redis of their own with AOF on, killed and started again on the same
// port and files. Nothing of the line is restarted.

/** Longer than BullMQ's drainDelay (5 s), past which a worker's blocking client once stayed "reconnecting" for ever (bullmq #4585). */
const OUTAGE_MS = 6_500;

let redis: RedisServer;
let line: ProductionLine;
/** The test's own look at Redis, as an operator's redis-cli. */
let admin: Redis;
/** A line the line logged (at info level and above). */
interface Entry {
  level: number;
  msg: string;
  role?: string;
  redis?: string;
  err?: unknown;
}
const logged: Entry[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
  const log = createLogger({ level: "info", destination: { write: (entry: string) => void logged.push(JSON.parse(entry)) } });
  line = await ProductionLine.start({ REDIS_URL: redis.url }, { log });
  admin = new Redis(redis.url, { maxRetriesPerRequest: null });
  admin.on("error", () => {});
  // Every caller reaches the trouble line, whatever the time of day the test runs at.
  await new RedisOverrideStore(admin).set({ mode: "closed" });
}, 30_000);

afterAll(async () => {
  admin?.disconnect();
  try {
    await line?.stop();
  } finally {
    await redis?.remove();
  }
});

/** What a caller hears when the line cannot reach Redis: an apology, then a person (the fallback number, or an agent queue by day). */
function expectFallback(answer: { status: number; body: string }): void {
  expect(answer.status).toBe(200);
  expect(answer.body).toMatch(/^<\?xml/);
  expect(answer.body).toMatch(/sorry/i);
  expect(answer.body).toMatch(new RegExp(`<Dial[^>]*>${FALLBACK_NUMBER.replace("+", "\\+")}</Dial>|<Enqueue[^>]*>general</Enqueue>`));
}

describe("when Redis restarts in the middle of a storm (AOF on)", { timeout: 60_000 }, () => {
  /** A report the crew was paged for before anything failed. */
  let before: string;
  /** A caller who had named the place when Redis went away, and answers again once it is back. */
  let midway: TestCaller;
  /** A caller whose next answer came while Redis was gone, and who then hung up. */
  let cutOff: TestCaller;
  /** Reports queued before the outage, due while Redis was gone. */
  const queued: string[] = [];
  /** A report whose page was on its way to Twilio when Redis went. */
  let inFlight: string;

  it("pages the crew as usual before the outage", async () => {
    before = await reportWatermain(line.caller("+14035550101"), "Whoop-Up Drive and Scenic Drive");
    await line.paged(before);

    midway = line.caller("+14035550102");
    await midway.dial();
    await midway.press("2");
    expect((await midway.say("Mayor Magrath Drive and 5th Avenue South")).says.join(" ")).toMatch(/Mayor Magrath Drive and 5th Avenue South/);
    cutOff = line.caller("+14035550103");
    await cutOff.dial();
    await cutOff.press("2");
    await cutOff.say("Stafford Drive and 3rd Avenue South");

    // Reports that fall due while Redis is gone, added and acknowledged before it goes.
    for (const [index, place] of ["1 Avenue and 13 Street North", "6 Avenue and 20 Street South", "Scenic Drive and 9 Avenue South"].entries()) {
      queued.push(await queueReport(admin, { reference: String(200_000 + index), place, delayMs: 1_000 + index * 500 }));
    }
  });

  describe("while Redis is gone", () => {
    let printed: MockInstance;
    /** Where the log stood when Redis went. */
    let logMark: number;
    beforeAll(async () => {
      // A page on its way to Twilio when Redis goes: Twilio answers once Redis has gone.
      const held = line.twilio.holdNext("sms");
      inFlight = await queueReport(admin, { reference: "200009", place: "Whoop-Up Drive and 3 Avenue South" });
      await held.arrived;
      printed = vi.spyOn(console, "error");
      logMark = logged.length;
      await redis.kill();
      setTimeout(() => held.release(), 1_000);
    });
    afterAll(() => {
      printed.mockRestore();
    });

    it("gives a caller in the middle of a report the apology and a person, not silence or an error", async () => {
      const answer = await cutOff.raw(cutOff.nextUrl("Gather"), { Digits: "1" });
      expectFallback(answer);
    });

    it("gives a new caller the apology and a person", async () => {
      const answer = await line.client.post("/twilio/voice", { CallSid: newCallSid(), From: "+14035550104", To: "+14035550311", CallStatus: "ringing" });
      expectFallback(answer);
    });

    it("says it is not ready", async () => {
      const answer = await line.client.get("/readyz");
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toMatchObject({ status: "unavailable", redis: "not answering" });
    });

    it("never answers a webhook with a server error, however long it lasts", async () => {
      const until = Date.now() + OUTAGE_MS;
      const statuses = new Set<number>();
      while (Date.now() < until) {
        const answer = await line.client.post("/twilio/voice", { CallSid: newCallSid(), From: "+14035550105", To: "+14035550311", CallStatus: "ringing" });
        statuses.add(answer.status);
        expectFallback(answer);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect([...statuses]).toEqual([200]);
    });

    it("tells the operators in its log, and prints nothing outside it", () => {
      expect(logged.slice(logMark).filter((entry) => entry.msg.startsWith(`cannot reach Redis at ${redis.url}: `)).length).toBeGreaterThan(0);
      expect(printed).not.toHaveBeenCalled();
    });

    it("says so once for each role, at warn, with the error's message and no stack, however many reconnects fail", () => {
      // Every connection, queue and worker of both roles fails a reconnect several times a second.
      const aboutRedis = logged.slice(logMark).filter((entry) => entry.redis !== undefined);
      expect(aboutRedis.map((entry) => [entry.role, entry.level]).sort()).toEqual([
        ["web", 40],
        ["worker", 40],
      ]);
      for (const entry of aboutRedis) {
        // The socket's own words: refused, or reset as it went.
        expect(entry.msg).toMatch(new RegExp(`^cannot reach Redis at ${redis.url}: (connect ECONNREFUSED 127\\.0\\.0\\.1:${redis.port}|read ECONNRESET)$`));
        expect(entry.err).toEqual(expect.any(String));
      }
    });

    it("logs nothing at error level about the worker's connections, queues or workers", () => {
      const errors = logged.slice(logMark).filter((entry) => entry.level >= 50 && !("callSid" in entry));
      expect(errors.map((entry) => entry.msg)).toEqual([]);
    });
  });

  describe("once Redis is back, with nothing restarted", () => {
    /** Where the log stood when Redis came back. */
    let logMark: number;
    beforeAll(async () => {
      logMark = logged.length;
      await redis.start();
    });

    it("is ready again by itself", async () => {
      await vi.waitFor(async () => expect((await line.client.get("/readyz")).status).toBe(200), { timeout: 10_000, interval: 100 });
    });

    it("says once for each role, at info, that Redis is reachable again, and after how long", async () => {
      const back = () => logged.slice(logMark).filter((entry) => entry.redis !== undefined);
      await vi.waitFor(() => expect(back().map((entry) => entry.role).sort()).toEqual(["web", "worker"]), { timeout: 10_000, interval: 100 });
      for (const entry of back()) {
        expect(entry.level).toBe(30);
        expect(entry.msg).toMatch(/^Redis reachable again after \d+(\.\d)? s$/);
      }
    });

    it("answers new callers normally, and the worker pages the crew for their reports (a new job)", async () => {
      const reference = await reportWatermain(line.caller("+14035550106"), "Mayor Magrath Drive and 20 Avenue South");
      expect((await line.paged(reference)).status).toBe(201);
    });

    it("lets a caller who was mid-way go on where they were: the read-back they had heard", async () => {
      const reference = await confirmAfterReadBack(midway);
      const page = await line.paged(reference);
      expect(page.body).toContain("Mayor Magrath Drive and 5th Avenue South");
    });

    it("sends the crew the report of a caller cut off by the outage, once their hang-up arrives", async () => {
      await cutOff.hangUp("40");
      await line.pagedWith("Stafford Drive and 3rd Avenue South");
    });

    it("runs every report queued before the outage", async () => {
      for (const reference of queued) await line.paged(reference);
    });

    it("finishes the page that was on its way when Redis went, and its chain goes on", async () => {
      await vi.waitFor(async () => expect(await dispatchJobState(admin, `page-${inFlight}-0`)).toBe("completed"), { timeout: 15_000, interval: 100 });
      expect(await dispatchJobState(admin, `page-${inFlight}-1`)).toBe("delayed");
    });

    it("takes a new job added once Redis is back: its blocking connection came back too", async () => {
      await line.paged(await queueReport(admin, { reference: "200010", place: "Crowsnest Trail and 13 Street North" }));
    });

    it("says all is well on /status again", async () => {
      await vi.waitFor(async () => expect(JSON.parse((await line.client.get("/status")).body)).toMatchObject({ status: "ok", redis: "ok" }), { timeout: 10_000, interval: 200 });
    });

    it("has sent no page twice", async () => {
      // Let anything that would run twice have its chance.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(line.pagesSentTwice()).toEqual([]);
      for (const reference of [before, ...queued, inFlight]) expect(line.pagesAbout(reference), `pages about #${reference}`).toHaveLength(1);
    });
  });
});

/** A caller who last heard the place read back confirms it, then the callback number; their reference. */
async function confirmAfterReadBack(caller: TestCaller): Promise<string> {
  await caller.press("1");
  return confirmCallback(caller);
}
