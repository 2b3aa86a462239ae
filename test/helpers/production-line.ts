import type { AddressInfo } from "node:net";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { startTwilioStandIn, type StandInRequest, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { loadConfig, type Config } from "../../src/config/env.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { startWeb, startWorker, type Running } from "../../src/services.js";
import { testDatabase, type TestDatabase } from "./database.js";
import { DISPATCH_QUEUE, REPORT_JOB_OPTIONS, URGENT_REPORT_JOB, reportJobId } from "../../src/adapters/bullmq/report-queue.js";
import { AUTH_TOKEN, LineClient, newCallSid, PUBLIC_URL, type TestCaller } from "./line.js";

const ACCOUNT_SID = `AC${"5e".repeat(16)}`;
/** The number callers reach when the line fails (FALLBACK_NUMBER). */
export const FALLBACK_NUMBER = "+14035550199";

/**
 * The web role and the worker role started as `npm run start:web` and `npm run start:worker`
 * start them (`startWeb`, `startWorker` with a configuration read from the environment), in this
 * process: pages go to a Twilio stand-in, records to a PostgreSQL database of their own. `env`
 * says where Redis is (REDIS_URL, or REDIS_SENTINELS and REDIS_SENTINEL_NAME).
 */
export class ProductionLine {
  readonly client: LineClient;
  web: (Running & { server: import("node:http").Server }) | undefined;
  worker: Running | undefined;

  private constructor(
    readonly config: Config,
    readonly log: Logger,
    readonly twilio: TwilioStandIn,
    private readonly records: TestDatabase,
    web: Running & { server: import("node:http").Server },
  ) {
    this.web = web;
    this.client = new LineClient(`http://127.0.0.1:${(web.server.address() as AddressInfo).port}`, AUTH_TOKEN);
  }

  static async start(env: Record<string, string>, options: { log?: Logger } = {}): Promise<ProductionLine> {
    const twilio = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    const records = await testDatabase("postgres", { migrated: false });
    const config = loadConfig({
      NODE_ENV: "production",
      PORT: "0",
      PUBLIC_URL,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_FROM_NUMBER: "+14035550311",
      TWILIO_API_URL: twilio.url,
      FALLBACK_NUMBER,
      DATABASE_URL: records.url!,
      FLOWS_DIR: "flows",
      ...env,
    });
    const log = options.log ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
    const web = await startWeb({ ...config, listenHost: "127.0.0.1" }, log);
    const line = new ProductionLine(config, log, twilio, records, web);
    line.worker = await startWorker(config, log);
    return line;
  }

  caller(from?: string): TestCaller {
    return this.client.caller(from);
  }

  /** The SMS pages that name `#reference`. */
  pagesAbout(reference: string): StandInRequest[] {
    return this.twilio.messages().filter((message) => (message.body ?? "").includes(`#${reference}`));
  }

  /** Every SMS that went out more than once, to the same person with the same words. */
  pagesSentTwice(): string[] {
    const sent = this.twilio.messages().map((message) => `${message.to}: ${message.body}`);
    return sent.filter((message, index) => sent.indexOf(message) !== index);
  }

  /** Resolves with the first SMS naming `#reference`, once it has gone out; rejects after `timeoutMs`. */
  paged(reference: string, timeoutMs = 15_000): Promise<StandInRequest> {
    return this.pagedWith(`#${reference}`, timeoutMs);
  }

  /** Resolves with the first SMS whose words contain `text` (a place), once it has gone out; rejects after `timeoutMs`. */
  async pagedWith(text: string, timeoutMs = 15_000): Promise<StandInRequest> {
    const sent = (request: StandInRequest) => request.kind === "sms" && request.status === 201 && (request.body ?? "").includes(text);
    return (await this.twilio.waitFor((all) => all.some(sent), timeoutMs)).find(sent)!;
  }

  async stop(): Promise<void> {
    await this.worker?.stop().catch(() => {});
    await this.web?.stop().catch(() => {});
    try {
      await this.twilio.close();
    } finally {
      await this.records.close();
    }
  }
}

/**
 * Queues an urgent report on `oncall-dispatch` as the web role files one (due after `delayMs`),
 * through `connection`, and resolves once Redis has acknowledged it; its reference.
 */
export async function queueReport(connection: Redis, report: { reference: string; place: string; delayMs?: number }): Promise<string> {
  const queue = new Queue(DISPATCH_QUEUE, { connection });
  try {
    const callSid = newCallSid();
    await queue.add(
      URGENT_REPORT_JOB,
      { reference: report.reference, category: "water", location: report.place, callbackNumber: "+14035550120", callSid, receivedAt: new Date().toISOString() },
      { jobId: reportJobId(callSid), ...REPORT_JOB_OPTIONS, ...(report.delayMs ? { delay: report.delayMs } : {}) },
    );
    return report.reference;
  } finally {
    await queue.close();
  }
}

/** The state of a job on `oncall-dispatch` (`page-100123-0`), read through `connection`. */
export async function dispatchJobState(connection: Redis, jobId: string): Promise<string> {
  const queue = new Queue(DISPATCH_QUEUE, { connection });
  try {
    return await queue.getJobState(jobId);
  } finally {
    await queue.close();
  }
}

/**
 * A caller reports a burst watermain at `place` on the trouble line, confirms the place and the
 * caller ID as the callback number, and is given a reference, which is returned.
 */
export async function reportWatermain(caller: TestCaller, place: string): Promise<string> {
  await caller.dial();
  await caller.press("2");
  await caller.say(place);
  await caller.press("1"); // the place, as read back
  return confirmCallback(caller);
}

/** The caller confirms the caller ID as the callback number; the reference they are given. */
export async function confirmCallback(caller: TestCaller): Promise<string> {
  let done = await caller.press("1");
  while (done.verbs.includes("Redirect")) done = await caller.follow();
  const spoken = /reference number is ([\d ,]+)\./.exec(done.says.join(" "));
  if (!spoken) throw new Error(`no reference given: ${done.xml}`);
  return spoken[1]!.replace(/\D/g, "");
}
