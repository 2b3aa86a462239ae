import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectRedis, createWorkerConnection } from "../../src/adapters/redis/connections.js";
import { RedisIncidentStore } from "../../src/adapters/redis/incident-store.js";
import { RedisOverrideStore } from "../../src/adapters/redis/override-store.js";
import { runScript } from "../helpers/cli.js";
import { newCallSid, type TestCaller } from "../helpers/line.js";
import { confirmCallback, dispatchJobState, ProductionLine, queueReport, reportWatermain } from "../helpers/production-line.js";
import { command, startSentinelGroup, TcpGate, type RedisServer, type SentinelGroup } from "../helpers/redis-server.js";

// Redis Sentinel fails the line over: a primary with AOF, a replica and three sentinels (down
// after 1 s, failover timeout 5 s) on loopback ports; the web role and the worker, started as
// production starts them, reach Redis only through the sentinels. The primary is killed in the
// middle of calls and pages.

const NAME = "civic";
/** Nothing listens here: a connection that ignored the sentinels and used the URL's host would fail, and show. */
const URL_WITHOUT_A_REDIS = "redis://127.0.0.1:1/0";

let group: SentinelGroup;
let line: ProductionLine;
/** The test's own look at Redis, through the sentinels too. */
let admin: Redis;

beforeAll(async () => {
  group = await startSentinelGroup(NAME);
  const env = { REDIS_URL: URL_WITHOUT_A_REDIS, REDIS_SENTINELS: group.sentinelsVariable, REDIS_SENTINEL_NAME: NAME };
  line = await ProductionLine.start(env);
  admin = connectRedis(line.config.redis, { maxRetriesPerRequest: null });
  admin.on("error", () => {});
  // Every caller reaches the trouble line, whatever the time of day the test runs at.
  await new RedisOverrideStore(admin).set({ mode: "closed" });
}, 30_000);

afterAll(async () => {
  admin?.disconnect();
  try {
    await line?.stop();
  } finally {
    await group?.remove();
  }
});

/** What a new caller heard first, and how long the line took to answer. */
interface FirstWords {
  status: number;
  /** The line's own greeting (not the apology of the fallback). */
  served: boolean;
  ms: number;
}

async function newCall(): Promise<FirstWords> {
  const started = Date.now();
  const answer = await line.client.post("/twilio/voice", { CallSid: newCallSid(), From: "+14035550140", To: "+14035550311", CallStatus: "ringing" });
  return { status: answer.status, served: answer.status === 200 && !/sorry/i.test(answer.body) && /<Gather/.test(answer.body), ms: Date.now() - started };
}

/** How a failover went for new callers, from the moment the primary failed. */
interface Failover {
  /** Every first answer new callers got, from the failure until they were served again. */
  answers: FirstWords[];
  /** From the failure to the sentinels naming `next` as the primary. */
  promotedAfterMs: number;
  /** From the sentinels naming `next` to a new caller served by the line itself. */
  servedAfterMs: number;
}

/**
 * Makes the primary fail (`fail`), with new calls coming in all the while, four a second, as in a
 * storm; resolves once the sentinels name `next` and a new caller is served by the line again,
 * or rejects when that takes more than 15 s from the failover.
 */
async function failOver(fail: () => Promise<void> | void, next: RedisServer, what: string): Promise<Failover> {
  const answers: FirstWords[] = [];
  const failedAt = Date.now();
  let promotedAt = 0;
  let servedAt = 0;
  let giveUp = false;
  await fail();
  const storm = (async () => {
    while (!servedAt && !giveUp) {
      const answer = await newCall();
      answers.push(answer);
      if (answer.served && promotedAt) servedAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  try {
    await vi.waitFor(async () => expect(await group.current()).toBe(next), { timeout: 20_000, interval: 100 });
    promotedAt = Date.now();
    await vi.waitFor(() => expect(servedAt, "a new caller served by the line itself").toBeGreaterThan(0), { timeout: 15_000, interval: 50 });
  } finally {
    giveUp = true;
    await storm;
  }
  const failover = { answers, promotedAfterMs: promotedAt - failedAt, servedAfterMs: servedAt - promotedAt };
  console.info(
    `${what}: the sentinels promoted the replica ${failover.promotedAfterMs} ms after it; new callers were served again ${failover.servedAfterMs} ms after that; ` +
      `${answers.length} calls meanwhile, the slowest answered in ${Math.max(...answers.map((answer) => answer.ms))} ms`,
  );
  return failover;
}

/** Every page sent went out once, and each of `references` was paged once. */
async function expectNoPageTwice(references: string[]): Promise<void> {
  // Let anything that would run twice have its chance.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(line.pagesSentTwice()).toEqual([]);
  for (const reference of references) expect(line.pagesAbout(reference), `pages about #${reference}`).toHaveLength(1);
}

describe("when Sentinel fails the primary over", { timeout: 60_000 }, () => {
  let before: string;
  let midway: TestCaller;
  const queued: string[] = [];
  /** A report whose page was on its way to Twilio when the primary died. */
  let inFlight: string;
  let failover: Failover;

  it("serves calls and pages through the sentinels before anything fails", async () => {
    expect(await group.current()).toBe(group.primary);
    before = await reportWatermain(line.caller("+14035550131"), "Whoop-Up Drive and Scenic Drive");
    await line.paged(before);

    midway = line.caller("+14035550132");
    await midway.dial();
    await midway.press("2");
    await midway.say("Mayor Magrath Drive and 5th Avenue South");

    // Reports acknowledged by the primary just before it dies, due over the failover and after it.
    for (const [index, place] of ["1 Avenue and 13 Street North", "6 Avenue and 20 Street South", "Scenic Drive and 9 Avenue South", "Stafford Drive and 3rd Avenue South"].entries()) {
      queued.push(await queueReport(admin, { reference: String(300_000 + index), place, delayMs: index * 1_500 }));
    }
  });

  describe("the primary is killed", () => {
    beforeAll(async () => {
      // A page on its way to Twilio when the primary dies: Twilio answers once the failover is done.
      const held = line.twilio.holdNext("sms");
      inFlight = await queueReport(admin, { reference: "300009", place: "Whoop-Up Drive and 3 Avenue South" });
      await held.arrived;
      failover = await failOver(() => group.primary.kill(), group.replica, "the primary killed");
      held.release();
    }, 45_000);

    it("serves new callers again within 15 s of the failover", () => {
      expect(failover.servedAfterMs).toBeLessThan(15_000);
    });

    it("gave every caller meanwhile valid TwiML: the line's answer or the apology and a person, never an error", () => {
      expect(failover.answers.length).toBeGreaterThan(0);
      expect(failover.answers.filter((answer) => answer.status !== 200)).toEqual([]);
    });

    it("pages the crew for a new report", async () => {
      const reference = await reportWatermain(line.caller("+14035550133"), "Mayor Magrath Drive and 20 Avenue South");
      await line.paged(reference);
    });

    it("lets a caller who was mid-way go on where they were", async () => {
      await midway.press("1"); // the place, as read back before the failover
      const reference = await confirmCallback(midway);
      expect((await line.paged(reference)).body).toContain("Mayor Magrath Drive and 5th Avenue South");
    });

    it("loses no report the old primary had acknowledged: each pages the crew", async () => {
      for (const reference of queued) await line.paged(reference);
    });

    it("finishes the page that was on its way when the primary died, and its chain goes on", async () => {
      await vi.waitFor(async () => expect(await dispatchJobState(admin, `page-${inFlight}-0`)).toBe("completed"), { timeout: 15_000, interval: 100 });
      expect(await dispatchJobState(admin, `page-${inFlight}-1`)).toBe("delayed");
    });

    it("keeps the incidents opened before the failover", async () => {
      expect(await new RedisIncidentStore(admin).get(before)).toMatchObject({ reference: before, status: "open" });
    });

    it("has sent no page twice", async () => {
      await expectNoPageTwice([before, ...queued, inFlight]);
    });

    it("lets the command-line tools reach the new primary through the sentinels", async () => {
      const run = await runScript("oncall.ts", ["incidents", "--count", "50"], { REDIS_URL: URL_WITHOUT_A_REDIS, REDIS_SENTINELS: group.sentinelsVariable, REDIS_SENTINEL_NAME: NAME });
      expect(run.stderr).toBe("");
      for (const reference of [before, ...queued]) expect(run.stdout).toContain(`#${reference}`);
    });
  });

  describe("then the old primary comes back, and the new one hangs instead of dying", () => {
    let hung: Failover;
    beforeAll(async () => {
      // Brought back as a replica of the new primary, in step with it, before it can take over.
      await group.rejoin(group.primary);
      hung = await failOver(() => group.replica.pause(), group.primary, "the primary hung");
    }, 45_000);
    afterAll(() => {
      group.replica.resume();
    });

    it("serves new callers again within 15 s of the failover, though nothing closed their connections", () => {
      expect(hung.servedAfterMs).toBeLessThan(15_000);
      expect(hung.answers.filter((answer) => answer.status !== 200)).toEqual([]);
    });

    it("pages the crew for a new report: the worker left the hung primary too", async () => {
      const reference = await reportWatermain(line.caller("+14035550134"), "Crowsnest Trail and 13 Street North");
      await line.paged(reference);
      await expectNoPageTwice([before, ...queued, inFlight, reference]);
    });
  });
});

describe("a connection whose primary died, told of the failover while it looks for the new one", { timeout: 60_000 }, () => {
  // The sentinels' announcement of the new primary reaches a connection through the subscriptions
  // it made while it was connected; here it comes while the connection is waiting to ask the
  // sentinels again (they refused it a moment before), which once ended it for good.
  let own: SentinelGroup;
  let gates: TcpGate[];
  let redis: Redis;

  beforeAll(async () => {
    own = await startSentinelGroup(NAME);
    gates = await Promise.all(own.sentinels.map((sentinel) => TcpGate.open(sentinel.port)));
    const where = { url: URL_WITHOUT_A_REDIS, sentinel: { name: NAME, sentinels: gates.map((gate) => ({ host: "127.0.0.1", port: gate.port })) } };
    // Asked again 5 s after every sentinel refused it: long enough for the failover to be announced meanwhile.
    redis = createWorkerConnection(where, { sentinelRetryStrategy: () => 5_000 });
    redis.on("error", () => {});
  }, 30_000);
  afterAll(async () => {
    redis?.disconnect();
    for (const gate of gates ?? []) gate.remove();
    await own?.remove();
  });

  it("finds the new primary instead of ending", async () => {
    expect(await redis.set("before", "1")).toBe("OK");
    // Its failover detector listens to every sentinel, through the gates.
    for (const sentinel of own.sentinels) {
      await vi.waitFor(async () => expect(String(await command(sentinel.port, "CLIENT", "LIST"))).toMatch(/ sub=1 /), { timeout: 5_000, interval: 50 });
    }
    for (const gate of gates) gate.refuse();
    await own.primary.kill();
    await vi.waitFor(async () => expect(await own.current()).toBe(own.replica), { timeout: 20_000, interval: 100 });
    // The announcement has gone out through the subscriptions; the sentinels answer again.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const gate of gates) await gate.admit();

    expect(await redis.get("before")).toBe("1");
    expect(redis.status).toBe("ready");
  });
});
