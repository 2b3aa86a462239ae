import { spawn, type ChildProcess } from "node:child_process";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import twilio_ from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeCall } from "../../scripts/lib/phone.js";
import { callerFor, callerNumber, type CallerPlan } from "../../scripts/lib/storm-callers.js";
import { startTwilioStandIn, type HeldRequest, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { DISPATCH_QUEUE, reportJobId } from "../../src/adapters/bullmq/report-queue.js";
import { createSendQueue } from "../../src/adapters/bullmq/send-queues.js";
import { RedisIncidentStore } from "../../src/adapters/redis/incident-store.js";
import { RedisOverrideStore } from "../../src/adapters/redis/override-store.js";
import { loadConfig } from "../../src/config/env.js";
import { createLogger } from "../../src/logger.js";
import { startWorker, type Running } from "../../src/services.js";
import { testDatabase, type TestDatabase } from "../helpers/database.js";
import { AUTH_TOKEN, newCallSid, PUBLIC_URL } from "../helpers/line.js";
import { RedisServer, until } from "../helpers/redis-server.js";

// SIGTERM while a storm of calls runs (a deploy, a machine being drained): the line as
// `npm start` runs it (web and worker in one process), in a process of its own, with callers
// reporting without pause and a page held on its way to Twilio. Every request the line had
// received is answered, the page it holds goes out once, nothing filed is lost, and the process
// is gone within 10 s.

const ACCOUNT_SID = `AC${"7d".repeat(16)}`;
const CALLERS = 16;

/** One request a caller's phone sent, and how it ended. */
interface Sent {
  startedAt: number;
  status?: number;
  body?: string;
  error?: string;
}

let redis: RedisServer;
let admin: Redis;
let twilio: TwilioStandIn;
let records: TestDatabase;
let env: Record<string, string>;
let drain: Running | undefined;

/** The line as `npm start` runs it, in a process of its own. */
interface LineProcess {
  child: ChildProcess;
  url: string;
  /** What it has logged so far. */
  output: () => string;
  /** Resolves when it has exited, with how and when. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

async function startLine(): Promise<LineProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  started.push(child);
  await until(async () => /"port":(\d+)/.test(output), "the line to listen", 30_000);
  return { child, url: `http://127.0.0.1:${/"port":(\d+)/.exec(output)![1]}`, output: () => output, exited };
}

const started: ChildProcess[] = [];
let line: LineProcess;

const sent: Sent[] = [];
/** The calls whose place the line heard and answered: each has a report filed. */
const filed: string[] = [];
let held: HeldRequest;
let signalledAt = 0;
let exited: { code: number | null; signal: NodeJS.Signals | null; at: number };

/** A reporting caller's call, through a phone whose every request is noted. */
async function oneCall(index: number): Promise<void> {
  const callSid = newCallSid();
  const plan: CallerPlan = { kind: "reporter", category: "water", place: `${(index % 5) + 1}th Avenue and 13th Street South`, speaks: false, dayChoice: "0" };
  const from = callerNumber(index);
  const caller = callerFor(plan, from);
  let words: string[] = [];
  /** The place was just said: the request that carries it files the report once answered. */
  let placeSaid = false;
  const tracked: typeof fetch = async (input, init) => {
    const carriesPlace = placeSaid;
    placeSaid = false;
    const request: Sent = { startedAt: Date.now() };
    sent.push(request);
    try {
      const response = await fetch(input, init);
      request.status = response.status;
      request.body = await response.clone().text();
      if (carriesPlace && response.status === 200) filed.push(callSid);
      return response;
    } catch (error) {
      request.error = error instanceof Error ? `${error.message} ${String((error.cause as Error | undefined)?.message ?? "")}` : String(error);
      throw error;
    }
  };
  await placeCall({
    baseUrl: line.url,
    publicUrl: PUBLIC_URL,
    authToken: AUTH_TOKEN,
    from,
    to: "+14035550311",
    callSid,
    fetch: tracked,
    hear: (heard) => words.push(heard),
    answer: async (prompt) => {
      const { answer, meaning } = caller(prompt, words.join(" "));
      words = [];
      placeSaid = meaning === "place";
      return answer;
    },
  }).catch(() => {});
}

beforeAll(async () => {
  redis = await RedisServer.start();
  admin = new Redis(redis.url, { maxRetriesPerRequest: null });
  // Every caller reaches the trouble line, whatever the time of day the test runs at.
  await new RedisOverrideStore(admin).set({ mode: "closed" });
  twilio = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  records = await testDatabase("postgres", { migrated: false });
  env = {
    NODE_ENV: "production",
    PORT: "0",
    REDIS_URL: redis.url,
    PUBLIC_URL,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_FROM_NUMBER: "+14035550311",
    TWILIO_API_URL: twilio.url,
    FALLBACK_NUMBER: "+14035550199",
    DATABASE_URL: records.url!,
    FLOWS_DIR: "flows",
    LOG_LEVEL: "info",
  };
}, 60_000);

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await drain?.stop().catch(() => {});
  admin?.disconnect();
  await twilio?.close();
  await records?.close();
  await redis?.remove();
});

describe("SIGTERM while a storm of calls runs", { timeout: 60_000 }, () => {
  beforeAll(async () => {
    line = await startLine();
    // The first page to go out is held at Twilio: the worker is sending it when the signal comes.
    held = twilio.holdNext("sms");
    let stopping = false;
    const callers = Array.from({ length: CALLERS }, async (_, slot) => {
      for (let index = slot; !stopping; index += CALLERS) await oneCall(index);
    });
    await held.arrived;
    // The storm goes on a moment longer, then the signal: calls are mid-way, one page in flight.
    await new Promise((resolve) => setTimeout(resolve, 300));
    signalledAt = Date.now();
    line.child.kill("SIGTERM");
    stopping = true;
    setTimeout(() => held.release(), 1_000);
    exited = await line.exited;
    await Promise.all(callers);
  }, 60_000);

  it("exits by itself within 10 s, saying it stopped", () => {
    expect(exited.signal).toBeNull();
    // What it logged once signalled says why, when it did not stop cleanly.
    expect(exited.code, line.output().slice(line.output().indexOf('"msg":"stopping"'))).toBe(0);
    expect(exited.at - signalledAt).toBeLessThan(10_000);
    expect(line.output()).toMatch(/"msg":"stopped"/);
  });

  it("answers every request it had received with TwiML, never an error", () => {
    // Sent well before the signal: received by the line, whatever came after.
    const received = sent.filter((request) => request.startedAt < signalledAt - 50);
    expect(received.length).toBeGreaterThan(CALLERS);
    for (const request of received) {
      expect(request.error).toBeUndefined();
      // TwiML for every step; the status callback's 204 has nothing to say.
      if (request.status === 204) continue;
      expect(request.status).toBe(200);
      expect(request.body).toMatch(/^<\?xml[^>]*>\s*<Response>/);
    }
    // And not one of them heard the apology: the line did not fail them on its way out.
    expect(received.filter((request) => /sorry, the City's phone system/i.test(request.body ?? ""))).toEqual([]);
  });

  it("sends the page it was holding when the signal came, once", async () => {
    const page = await held.arrived;
    const copies = twilio.messages().filter((message) => message.to === page.To && message.body === page.Body);
    expect(copies).toHaveLength(1);
  });

  it("loses no report filed before it stopped: each is queued or with the crew, and a new worker pages them", async () => {
    expect(filed.length).toBeGreaterThan(0);
    const queue = new Queue(DISPATCH_QUEUE, { connection: admin });
    try {
      for (const callSid of filed) expect(await queue.getJobState(reportJobId(callSid)), callSid).not.toBe("unknown");
      // The next worker takes over where this one stopped: every report job still waiting runs.
      const config = loadConfig({ ...env, LOG_LEVEL: "silent" });
      drain = await startWorker(config, createLogger({ level: "silent" }));
      // The new worker may take a job as its delay ends, between the read and the change: that job is on its way already.
      for (const job of await queue.getJobs(["delayed"])) {
        if (job.name !== "urgent-report") continue;
        await job.changeDelay(0).catch(async (error: unknown) => {
          if ((await job.getState()) === "delayed") throw error;
        });
      }
      await until(async () => (await queue.getJobs(["waiting", "delayed", "active", "prioritized"])).every((job) => job.name !== "urgent-report"), "every report to be handled", 20_000);
    } finally {
      await queue.close();
    }
    const incidents = await new RedisIncidentStore(admin).recent(1_000);
    const reported = new Set(incidents.flatMap((incident) => incident.reports.map((report) => report.callSid)));
    for (const callSid of filed) expect(reported.has(callSid), callSid).toBe(true);
    const pages = twilio.messages().map((message) => `${message.to} ${message.body}`);
    expect(pages.filter((page, index) => pages.indexOf(page) !== index)).toEqual([]);
  });
});

describe("SIGTERM while Twilio does not answer the page the worker is sending", { timeout: 60_000 }, () => {
  it("exits within 10 s all the same, saying what it left, and the page and the text it was sending stay queued for the next worker", async () => {
    await drain?.stop();
    drain = undefined;
    twilio.reset();
    const slow = await startLine();
    // Never released: the client would wait out its 10 s timeout.
    const never = twilio.holdNext("sms");
    const caller = callerFor({ kind: "reporter", category: "power", place: "Scenic Drive and 6th Avenue South", speaks: false, dayChoice: "0" }, "+14035550177");
    let words: string[] = [];
    await placeCall({
      baseUrl: slow.url,
      publicUrl: PUBLIC_URL,
      authToken: AUTH_TOKEN,
      from: "+14035550177",
      to: "+14035550311",
      hear: (heard) => words.push(heard),
      answer: async (prompt) => {
        const { answer } = caller(prompt, words.join(" "));
        words = [];
        return answer;
      },
    });
    await never.arrived;
    const signalled = Date.now();
    slow.child.kill("SIGTERM");
    const exit = await slow.exited;
    expect(exit.at - signalled).toBeLessThan(10_000);
    expect(exit.code).toBe(1);
    expect(slow.output()).toMatch(/could not stop in time/);
    const pages = new Queue(DISPATCH_QUEUE, { connection: admin });
    const texts = createSendQueue(admin, "sms");
    try {
      // The page job stopped waiting for its text as the worker stopped: it is back in the queue
      // as it was, no try spent (a deploy is no failure), and the next worker's run of it waits
      // for that same text rather than sending another.
      // (The one page job that was under way: the others queued are later steps of earlier calls.)
      const begun = (await pages.getJobs(["wait", "delayed", "prioritized"])).filter((job) => job.name === "page" && job.attemptsStarted > 0);
      expect(begun.map((job) => job.attemptsMade)).toEqual([0]);
      expect(await pages.getJobs(["active"])).toEqual([]);
      // The text was on its way to Twilio when the process went: BullMQ gives it to the next
      // worker once its lock runs out.
      expect(await texts.getJobs(["active"])).toHaveLength(1);
    } finally {
      await pages.close();
      await texts.close();
    }
    never.release();
  });
});

// Behind a load balancer, Twilio's requests come over connections the balancer keeps open and
// sends new calls on without pause. A server that only stops listening would answer them for as
// long as they come (each answer keeping its connection open) and never stop.
describe("SIGTERM while a load balancer keeps sending new calls over kept-alive connections", { timeout: 60_000 }, () => {
  /** A new call's first request, signed, on the client's kept-alive connections. */
  async function newCall(url: string): Promise<{ status: number; connection: string | null; body: string }> {
    const params = { CallSid: newCallSid(), AccountSid: ACCOUNT_SID, From: "+14035550123", To: "+14035550311", CallStatus: "ringing", Direction: "inbound" };
    const response = await fetch(`${url}/twilio/voice`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilio_.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/voice`, params) },
      body: new URLSearchParams(params).toString(),
    });
    return { status: response.status, connection: response.headers.get("connection"), body: await response.text() };
  }

  let balanced: LineProcess;
  const answers: { at: number; status: number; connection: string | null; body: string }[] = [];
  let refused = 0;
  let exit: { code: number | null; signal: NodeJS.Signals | null; at: number };
  let signalled = 0;

  beforeAll(async () => {
    await drain?.stop();
    drain = undefined;
    balanced = await startLine();
    let gone = false;
    void balanced.exited.then(() => (gone = true));
    // Four kept-alive connections, each sending the next call as soon as the last is answered, until the process is gone.
    const senders = Array.from({ length: 4 }, async () => {
      while (!gone) {
        try {
          answers.push({ at: Date.now(), ...(await newCall(balanced.url)) });
        } catch {
          // The listener is closed: a balancer sends this call to another instance.
          refused++;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    });
    await until(async () => answers.length >= 200, "the line to answer calls", 20_000);
    signalled = Date.now();
    balanced.child.kill("SIGTERM");
    exit = await balanced.exited;
    await Promise.all(senders);
  }, 60_000);

  it("stops within 10 s all the same, saying it stopped", () => {
    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(0);
    expect(exit.at - signalled).toBeLessThan(10_000);
    expect(balanced.output()).toMatch(/"msg":"stopped"/);
  });

  it("tells the balancer to close each connection with the answers it gives once stopping, and answers them in full", () => {
    const after = answers.filter((answer) => answer.at > signalled + 50);
    for (const answer of after) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatch(/^<\?xml[^>]*>\s*<Response>/);
      expect(answer.connection).toBe("close");
    }
    // Only the calls already on their way when the signal came: the balancer sends the rest elsewhere.
    expect(after.length).toBeLessThan(20);
  });
});
