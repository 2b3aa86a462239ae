/**
 * A dispatch worker in a process of its own whose pager never answers: it takes a job, says
 * "holding" on stdout, and waits to be killed. The test kills it with SIGKILL to show that
 * BullMQ hands the job to another worker and the page still goes out.
 *
 * With a fourth argument `queued`, it pages as `npm start`'s worker does, through the line's send
 * queues (`twilio-sms-<queue>`), with no send worker to send: its page waits its turn there.
 */
import { readFileSync } from "node:fs";
import { setTimeout } from "node:timers/promises";
import { DateTime } from "luxon";
import { startDispatchWorker } from "../../src/adapters/bullmq/dispatch-worker.js";
import { openSendQueues, RateLimitedPager, sendJobId } from "../../src/adapters/bullmq/rate-limited-pager.js";
import { BullJobScheduler } from "../../src/adapters/bullmq/job-scheduler.js";
import { createDispatchQueue } from "../../src/adapters/bullmq/report-queue.js";
import { createWorkerConnection } from "../../src/adapters/redis/connections.js";
import { RedisIncidentStore } from "../../src/adapters/redis/incident-store.js";
import type { Pager } from "../../src/domain/oncall/pager.js";
import { parseRoster } from "../../src/domain/oncall/roster/index.js";
import { createLogger } from "../../src/logger.js";
import { Dispatcher } from "../../src/oncall/dispatcher.js";

const [queueName, prefix, now, mode] = process.argv.slice(2) as [string, string, string, string | undefined];
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const redis = createWorkerConnection(redisUrl);
const dispatcher = new Dispatcher({
  roster: parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml"),
  incidents: new RedisIncidentStore(redis, prefix),
  pager: mode === "queued" ? queuedPager() : hangingPager(),
  jobs: new BullJobScheduler(createDispatchQueue(redis, { queueName })),
  clock: () => DateTime.fromISO(now),
  log: createLogger({ level: "silent" }),
  publicUrl: "https://line.example.org",
});
startDispatchWorker({ connection: createWorkerConnection(redisUrl), dispatcher, log: createLogger({ level: "silent" }), queueName, lockDuration: 1_000, stalledInterval: 500 });

function hangingPager(): Pager {
  return {
    sendSms: () => {
      process.stdout.write("holding\n");
      return new Promise<string>(() => {});
    },
    placeCall: () => new Promise<string>(() => {}),
  };
}

/** The line's own pager over its send queues; says "holding" once its SMS is queued. */
function queuedPager(): Pager {
  const queues = openSendQueues(redis, { names: { sms: `twilio-sms-${queueName}`, calls: `twilio-calls-${queueName}` } });
  const pager = new RateLimitedPager(queues);
  return {
    sendSms: (to, body, options) => {
      const sending = pager.sendSms(to, body, options);
      void (async () => {
        while ((await queues.sms.queue.getJobState(sendJobId(options!.key!))) === "unknown") await setTimeout(20);
        process.stdout.write("holding\n");
      })();
      return sending;
    },
    placeCall: (to, url, options) => pager.placeCall(to, url, options),
  };
}
