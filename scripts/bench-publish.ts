/**
 * `npm run bench:publish`: how soon a publish is heard. Two web instances (`startWeb`, as
 * `npm run start:web` runs each) share one Redis. A supervisor publishes a new greeting through
 * instance A's API, 100 times; after each, calls are placed on instance B (a signed
 * `POST /twilio/voice`, as Twilio makes them) until one's first words are the new greeting.
 * Reports p50, p99 and max of publish-to-first-words (from the publish being sent), and whether
 * the goal, p99 under 1 s, is met.
 *
 * Everything is written to a Redis database of its own (BENCH_REDIS_DB, default 9), emptied of
 * the line's keys before and after.
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import twilio from "twilio";
import { createRedisAccountService } from "../src/accounts/redis-account-service.js";
import { createDispatchQueue } from "../src/adapters/bullmq/report-queue.js";
import { loadConfig } from "../src/config/env.js";
import { createLogger } from "../src/logger.js";
import { startWeb, type Running } from "../src/services.js";
import type { Server } from "node:http";
import { benchConnection, benchRedisUrl, claimBenchDatabase, removeBenchKeys } from "./lib/bench.js";

const { values } = parseArgs({
  options: {
    publishes: { type: "string", default: "100" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log("usage: npm run bench:publish [-- --publishes 100]");
  process.exit(0);
}
const total = Number(values.publishes);
const GOAL_MS = 1_000;
/** How long one publish may take to be heard before it counts as never heard. */
const GIVE_UP_MS = 10_000;
const TOKEN = "bench-publish-token";
const PUBLIC_URL = "https://bench.civic-line.test";
const redisUrl = benchRedisUrl();
await claimBenchDatabase(redisUrl);
const run = randomBytes(3).toString("hex");

const config = {
  ...loadConfig({
    NODE_ENV: "production",
    PORT: "0",
    REDIS_URL: redisUrl,
    // A line reached through Sentinel is benchmarked through it too.
    REDIS_SENTINELS: process.env.REDIS_SENTINELS,
    REDIS_SENTINEL_NAME: process.env.REDIS_SENTINEL_NAME,
    REDIS_SENTINEL_PASSWORD: process.env.REDIS_SENTINEL_PASSWORD,
    REDIS_SENTINEL_USERNAME: process.env.REDIS_SENTINEL_USERNAME,
    PUBLIC_URL,
    TWILIO_AUTH_TOKEN: TOKEN,
    PAGER: "console",
    FALLBACK_NUMBER: "none",
    FLOWS_DIR: "flows",
  }),
  // Only this machine places the bench's calls.
  listenHost: "127.0.0.1",
};
const log = createLogger({ level: "error" });
const redis = benchConnection();

/** The base URL an instance listens on. */
function urlOf(web: { server: Server }): string {
  return `http://127.0.0.1:${(web.server.address() as AddressInfo).port}`;
}

/** A new call on `base`, signed as Twilio signs it; resolves with the first words the caller hears. */
async function firstWords(base: string): Promise<string> {
  const params = {
    CallSid: `CA${randomBytes(16).toString("hex")}`,
    AccountSid: `AC${"be".repeat(16)}`,
    From: "+14035550187",
    To: "+14035550311",
    CallStatus: "ringing",
    Direction: "inbound",
  };
  const response = await fetch(`${base}/twilio/voice`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": twilio.getExpectedTwilioSignature(TOKEN, `${PUBLIC_URL}/twilio/voice`, params),
    },
    body: new URLSearchParams(params),
  });
  const twiml = await response.text();
  if (response.status !== 200) throw new Error(`instance B answered ${response.status}: ${twiml}`);
  return /<Say[^>]*>([^<]*)<\/Say>/.exec(twiml)?.[1] ?? "";
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (ms: number) => Math.round(ms);

const running: Running[] = [];
try {
  // A first start on an empty database: instance A publishes flows/ as version 1, B serves it.
  await removeBenchKeys(redisUrl);
  const a = await startWeb(config, log);
  running.push(a);
  const b = await startWeb(config, log);
  running.push(b);
  const [apiOfA, webhookOfB] = [urlOf(a), urlOf(b)];
  console.log(`two web instances on one Redis (${redisUrl}): A ${apiOfA}, B ${webhookOfB}`);

  const { accounts } = createRedisAccountService(redis);
  await accounts.add({ username: "bench-supervisor", role: "supervisor", password: `bench publish ${run} password`, by: "bench" });
  const token = await accounts.newToken({ username: "bench-supervisor", by: "bench" });
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${apiOfA}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const live = await api("GET", "/api/flows/main");
  const source = String(live.body.source);
  const greeting = /^ {2}greeting:\n {4}type: say\n {4}text: (.*)$/m.exec(source);
  if (!greeting) throw new Error("flows/main.yaml has no greeting state saying one line: the bench changes that line");

  console.log(`publishing a new greeting ${total} times through A, each followed by calls on B until one hears it`);
  const heardAfter: number[] = [];
  const publishTook: number[] = [];
  let calls = 0;
  let neverHeard = 0;
  for (let i = 1; i <= total; i++) {
    const words = `Welcome to the City of Lethbridge, bench run ${run}, greeting ${i}.`;
    const started = performance.now();
    const published = await api("PUT", "/api/flows/main", { source: source.replace(greeting[0], greeting[0].replace(greeting[1]!, words)), message: `bench ${run}: greeting ${i}` });
    if (published.status !== 200) throw new Error(`publish ${i} answered ${published.status}: ${JSON.stringify(published.body)}`);
    publishTook.push(performance.now() - started);
    let heard = false;
    while (performance.now() - started < GIVE_UP_MS) {
      calls++;
      if ((await firstWords(webhookOfB)) === words) {
        heard = true;
        break;
      }
    }
    if (heard) heardAfter.push(performance.now() - started);
    else neverHeard++;
    if (i % 10 === 0 || !heard) {
      const last = heard ? `${round(heardAfter.at(-1)!)} ms` : `not heard within ${GIVE_UP_MS / 1000} s`;
      console.log(`  ${String(i).padStart(String(total).length)}/${total}  last: ${last}  (${calls} calls on B so far)`);
    }
  }

  heardAfter.sort((x, y) => x - y);
  publishTook.sort((x, y) => x - y);
  console.log(`\npublishes heard on B: ${heardAfter.length} of ${total}; ${calls} calls placed on B in all`);
  console.log(`publish request on A alone:        p50 ${round(percentile(publishTook, 50))} ms   p99 ${round(percentile(publishTook, 99))} ms   max ${round(publishTook.at(-1)!)} ms`);
  if (heardAfter.length > 0) {
    const p99 = percentile(heardAfter, 99);
    console.log(`publish sent -> first words on B:  p50 ${round(percentile(heardAfter, 50))} ms   p99 ${round(p99)} ms   max ${round(heardAfter.at(-1)!)} ms`);
    console.log(`goal p99 < ${GOAL_MS} ms: ${p99 < GOAL_MS && neverHeard === 0 ? "met" : "NOT met"}`);
  }
  if (neverHeard > 0) {
    console.log(`goal NOT met: ${neverHeard} publishes were never heard on B`);
    process.exitCode = 1;
  }
} finally {
  for (const role of running.reverse()) await role.stop();
  // The web role's handle on the dispatch queue leaves its meta keys behind.
  const queue = createDispatchQueue(redis);
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  await redis.quit();
  await removeBenchKeys(redisUrl);
}
