/**
 * A dispatch worker in a process of its own whose pager never answers: it takes a job, says
 * "holding" on stdout, and waits to be killed. The test kills it with SIGKILL to show that
 * BullMQ hands the job to another worker and the page still goes out.
 */
import { readFileSync } from "node:fs";
import { DateTime } from "luxon";
import { startDispatchWorker } from "../../src/adapters/bullmq/dispatch-worker.js";
import { BullJobScheduler } from "../../src/adapters/bullmq/job-scheduler.js";
import { createDispatchQueue } from "../../src/adapters/bullmq/report-queue.js";
import { createWorkerConnection } from "../../src/adapters/redis/connections.js";
import { RedisIncidentStore } from "../../src/adapters/redis/incident-store.js";
import { parseRoster } from "../../src/domain/oncall/roster/index.js";
import { createLogger } from "../../src/logger.js";
import { Dispatcher } from "../../src/oncall/dispatcher.js";

const [queueName, prefix, now] = process.argv.slice(2) as [string, string, string];
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const redis = createWorkerConnection(redisUrl);
const dispatcher = new Dispatcher({
  roster: parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml"),
  incidents: new RedisIncidentStore(redis, prefix),
  pager: {
    sendSms: () => {
      process.stdout.write("holding\n");
      return new Promise<string>(() => {});
    },
    placeCall: () => new Promise<string>(() => {}),
  },
  jobs: new BullJobScheduler(createDispatchQueue(redis, { queueName })),
  clock: () => DateTime.fromISO(now),
  log: createLogger({ level: "silent" }),
  publicUrl: "https://line.example.org",
});
startDispatchWorker({ connection: createWorkerConnection(redisUrl), dispatcher, log: createLogger({ level: "silent" }), queueName, lockDuration: 1_000, stalledInterval: 500 });
