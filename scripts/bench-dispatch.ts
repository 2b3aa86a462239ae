/**
 * `npm run bench:dispatch`: how fast an urgent report becomes a page. Adds 1,000 reports to
 * `oncall-dispatch` (as the voice webhook does) and measures, for each, the time from the job
 * being added to the local Twilio stand-in receiving its page SMS: p50, p99, max.
 *
 * The worker is the real one (`src/worker.ts`) in a process of its own, paging through the real
 * twilio client pointed at the stand-in (TWILIO_API_URL). Each report names its own place so
 * none joins another's incident. Everything is written to a Redis database of its own
 * (BENCH_REDIS_DB, default 9) and removed after.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { BullReportQueue } from "../src/adapters/bullmq/report-queue.js";
import { benchConnection, benchRedisUrl, claimBenchDatabase, removeBenchKeys } from "./lib/bench.js";
import { startTwilioStandIn } from "./lib/twilio-stand-in.js";

const { values } = parseArgs({
  options: {
    reports: { type: "string", default: "1000" },
    rate: { type: "string", default: "100" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log("usage: npm run bench:dispatch [-- --reports 1000 --rate 100]   (rate: reports added per second)");
  process.exit(0);
}
const total = Number(values.reports);
const rate = Number(values.rate);
const ACCOUNT_SID = `AC${"be".repeat(16)}`;
const TOKEN = "bench-dispatch-token";
const redisUrl = benchRedisUrl();
await claimBenchDatabase(redisUrl);

const standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: TOKEN });
const worker = spawn(process.execPath, ["--import", "tsx", "src/worker.ts"], {
  env: {
    ...process.env,
    NODE_ENV: "production",
    REDIS_URL: redisUrl,
    PUBLIC_URL: "https://bench.civic-line.test",
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TOKEN,
    TWILIO_FROM_NUMBER: "+14035550311",
    TWILIO_API_URL: standIn.url,
    // The worker takes no calls; production asks for the fallback number all the same.
    FALLBACK_NUMBER: "none",
    // What is measured is the line's own way from report to page, not Twilio's sending limits
    // (one a second by default): the send queues are let run as fast as they go.
    TWILIO_SMS_PER_SECOND: "1000",
    TWILIO_CALLS_PER_SECOND: "1000",
    LOG_LEVEL: "warn",
  },
  stdio: ["ignore", "inherit", "inherit"],
});
const redis = benchConnection();
const reports = new BullReportQueue({ redis });
const categories = ["power", "water", "roads"];
const run = randomBytes(3).toString("hex");

try {
  // Let the worker start and connect before the clock starts.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  console.log(`adding ${total} urgent reports at ${rate}/s to oncall-dispatch (${redisUrl})`);
  const addedAt = new Map<string, number>();
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const at = Date.now();
    const reference = await reports.dispatch({
      category: categories[i % categories.length]!,
      location: `${i + 1} Bench Street ${run}`,
      callbackNumber: "+14035550123",
      callSid: `CA${randomBytes(16).toString("hex")}`,
      receivedAt: new Date(at).toISOString(),
    });
    addedAt.set(reference, at);
  }
  const pages = await standIn.waitFor(
    (requests) => new Set(requests.filter((request) => request.kind === "sms").map((request) => /#(\d+)/.exec(request.body ?? "")?.[1])).size >= total,
    60_000,
  );
  const latencies: number[] = [];
  const seen = new Set<string>();
  for (const page of pages) {
    const reference = /#(\d+)/.exec(page.body ?? "")?.[1];
    if (page.kind !== "sms" || !reference || seen.has(reference) || !addedAt.has(reference)) continue;
    seen.add(reference);
    latencies.push(page.receivedAt - addedAt.get(reference)!);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!;
  console.log(`\npages received: ${latencies.length} of ${total} (plus ${standIn.calls().length} voice pages)`);
  console.log(`job added -> page SMS received:  p50 ${pct(50)} ms   p99 ${pct(99)} ms   max ${latencies.at(-1)} ms`);
  console.log(`goal p99 < 250 ms: ${pct(99) < 250 ? "met" : "NOT met"}`);
} finally {
  worker.kill("SIGTERM");
  await new Promise((resolve) => worker.once("exit", resolve));
  await reports.queue.obliterate({ force: true }).catch(() => {});
  await reports.close();
  await redis.quit();
  // BullMQ's too: a send queue kept from one run would answer the next run's pages (the same
  // references, counted again from the start) with the last run's sends.
  await removeBenchKeys(redisUrl, ["civic:*", "bull:*"]);
  await standIn.close();
}
