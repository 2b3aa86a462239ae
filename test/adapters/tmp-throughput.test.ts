import { randomBytes } from "node:crypto";
import { it } from "vitest";
import { startTwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { openSendQueues, RateLimitedPager } from "../../src/adapters/bullmq/rate-limited-pager.js";
import { startSendWorkers } from "../../src/adapters/bullmq/send-queues.js";
import { createWorkerConnection } from "../../src/adapters/redis/connections.js";
import { TwilioPager } from "../../src/adapters/twilio/twilio-pager.js";
import { createLogger } from "../../src/logger.js";

it("throughput", { timeout: 60_000 }, async () => {
  const ACCOUNT_SID = `AC${"7".repeat(32)}`;
  const standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: "t" });
  const twilio = new TwilioPager({ accountSid: ACCOUNT_SID, authToken: "t", from: "+14035550311", apiUrl: standIn.url });
  const names = { sms: `s-${randomBytes(3).toString("hex")}`, calls: `c-${randomBytes(3).toString("hex")}` };
  const c = createWorkerConnection("redis://127.0.0.1:6379");
  const queues = openSendQueues(c, { names });
  startSendWorkers({ connection: createWorkerConnection("redis://127.0.0.1:6379"), pagers: { crew: twilio }, rates: { smsPerSecond: Number(process.env.RATE), callsPerSecond: 1000 }, log: createLogger({ level: "warn" }), names });
  const pager = new RateLimitedPager(queues);
  const t0 = Date.now();
  let done = 0;
  const timer = setInterval(() => console.log("done", done, Date.now() - t0), 2000);
  await Promise.all(Array.from({ length: 200 }, (_, n) => [pager.sendSms(`+1403555${1000 + n}`, "x", { key: `k${n}` }).then(() => done++), pager.placeCall(`+1403555${1000 + n}`, "https://x.org/a", { key: `c${n}` }).then(() => done++)]).flat());
  clearInterval(timer);
  console.log("ALL", Date.now() - t0);
});
