import type { AddressInfo } from "node:net";
import { startTwilioStandIn, type StandInRequest, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { loadConfig, type Config } from "../../src/config/env.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { startWeb, startWorker, type Running } from "../../src/services.js";
import { testDatabase, type TestDatabase } from "./database.js";
import { AUTH_TOKEN, LineClient, PUBLIC_URL, type TestCaller } from "./line.js";

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

  /** Resolves once an SMS naming `#reference` has gone out; rejects after `timeoutMs`. */
  async paged(reference: string, timeoutMs = 15_000): Promise<StandInRequest> {
    const requests = await this.twilio.waitFor((all) => all.some((request) => request.status === 201 && (request.body ?? "").includes(`#${reference}`)), timeoutMs);
    return requests.find((request) => request.status === 201 && (request.body ?? "").includes(`#${reference}`))!;
  }

  async stop(): Promise<void> {
    await this.worker?.stop().catch(() => {});
    await this.web?.stop().catch(() => {});
    await this.twilio.close();
    await this.records.close();
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
