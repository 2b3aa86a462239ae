import type { Server } from "node:http";
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { DateTime } from "luxon";
import { startDispatchWorker } from "./adapters/bullmq/dispatch-worker.js";
import { BullJobScheduler } from "./adapters/bullmq/job-scheduler.js";
import { BullReportQueue, createDispatchQueue } from "./adapters/bullmq/report-queue.js";
import { ConsolePager } from "./adapters/console-pager.js";
import { loadFlowSet } from "./adapters/files/flow-source.js";
import { RedisCallRecords } from "./adapters/redis/call-records.js";
import { RedisCallStore } from "./adapters/redis/call-store.js";
import { createWebConnection, createWorkerConnection, waitUntilReady } from "./adapters/redis/connections.js";
import { RedisIncidentStore } from "./adapters/redis/incident-store.js";
import { RedisOverrideStore } from "./adapters/redis/override-store.js";
import { TwilioPager } from "./adapters/twilio/twilio-pager.js";
import type { Config } from "./config/env.js";
import { formatProblem } from "./domain/validation.js";
import { createApp } from "./http/app.js";
import type { Logger } from "./logger.js";
import { CrewDesk } from "./oncall/crew-desk.js";
import { Dispatcher } from "./oncall/dispatcher.js";
import type { Pager } from "./domain/oncall/pager.js";

/** Something running that must be stopped cleanly on SIGTERM. */
export interface Running {
  stop(): Promise<void>;
}

/** Starts the web role: the Twilio webhooks and health checks. */
export async function startWeb(config: Config, log: Logger): Promise<Running & { server: Server }> {
  const flows = await loadFlowSet(config.flowsDir);
  for (const warning of flows.warnings) log.warn(formatProblem(warning));
  const redis = createWebConnection(config.redisUrl);
  redis.on("error", (error) => log.warn({ err: error.message }, "Redis connection (web)"));
  // The webhook connection fails fast, so calls that arrive before it is up hear the fallback.
  // Give it a moment at start; without Redis the line still serves the fallback.
  await waitUntilReady(redis, 3_000).catch(() => log.error({ redis: "not answering" }, "web: starting without Redis; callers get the fallback until it answers"));
  const reports = new BullReportQueue({
    redis,
    onError: (error) => log.warn({ err: error.message }, "dispatch queue connection"),
  });
  const incidents = new RedisIncidentStore(redis);
  // Times in records and logs read in the City's own zone.
  const clock = () => DateTime.now().setZone(flows.hours.zone);
  const desk = new CrewDesk({ roster: flows.roster, incidents, jobs: new BullJobScheduler(reports.queue), clock, log });
  const app = createApp({
    flows,
    desk,
    incidents,
    calls: new RedisCallStore(redis),
    overrides: new RedisOverrideStore(redis),
    reports,
    records: new RedisCallRecords(redis),
    clock,
    publicUrl: config.publicUrl,
    fallbackNumber: config.fallbackNumber,
    authToken: config.twilioAuthToken,
    redis,
    log,
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(config.port, () => resolve(listening));
  });
  // Twilio gives up after 15 s; nothing we serve should take a fraction of that.
  server.requestTimeout = 10_000;
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  log.info({ port, publicUrl: config.publicUrl, flows: [...flows.flows.keys()] }, "web: listening");
  return {
    server,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await reports.close();
      redis.disconnect();
    },
  };
}

/** The pager the configuration asks for: Twilio's REST API, or the console pager for development. */
function createPager(config: Config, redis: Redis, log: Logger): Pager {
  if (!config.twilio) {
    log.info("pages go to the console pager (no TWILIO_ACCOUNT_SID): see them with npm run oncall -- outbox");
    return new ConsolePager({ redis, logger: log });
  }
  return new TwilioPager({
    accountSid: config.twilio.accountSid,
    authToken: config.twilioAuthToken,
    from: config.twilio.fromNumber,
    ...(config.twilio.apiUrl ? { apiUrl: config.twilio.apiUrl } : {}),
  });
}

/** Starts the worker role: the BullMQ processors. */
export async function startWorker(config: Config, log: Logger): Promise<Running & { worker: Worker }> {
  const flows = await loadFlowSet(config.flowsDir);
  const connection = createWorkerConnection(config.redisUrl);
  connection.on("error", (error) => log.warn({ err: error.message }, "Redis connection (worker)"));
  // Stores and the scheduling queue share one ordinary connection; the worker blocks on its own.
  const redis = createWorkerConnection(config.redisUrl);
  redis.on("error", (error) => log.warn({ err: error.message }, "Redis connection (dispatch)"));
  const queue = createDispatchQueue(redis);
  const dispatcher = new Dispatcher({
    roster: flows.roster,
    incidents: new RedisIncidentStore(redis),
    pager: createPager(config, redis, log),
    jobs: new BullJobScheduler(queue),
    clock: () => DateTime.now().setZone(flows.hours.zone),
    log,
    publicUrl: config.publicUrl,
  });
  const worker = startDispatchWorker({ connection, dispatcher, log });
  log.info("worker: processing oncall-dispatch");
  return {
    worker,
    stop: async () => {
      // Finishes the jobs it holds; BullMQ hands unfinished ones to another worker if we are killed.
      await worker.close();
      await queue.close();
      connection.disconnect();
      redis.disconnect();
    },
  };
}

/**
 * Runs roles until SIGTERM or SIGINT, then stops them in reverse order. A bad configuration or
 * flow stops the process at once with every problem listed.
 */
export async function runUntilSignalled(log: Logger, start: () => Promise<Running[]>): Promise<void> {
  let running: Running[];
  try {
    running = await start();
  } catch (error) {
    log.fatal(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    for (const role of running.reverse()) await role.stop().catch((error) => log.error({ err: error }, "stop failed"));
    log.info("stopped");
    log.flush(() => process.exit(0));
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
