import type { Server } from "node:http";
import type { Worker } from "bullmq";
import { DateTime } from "luxon";
import { startDispatchWorker } from "./adapters/bullmq/dispatch-worker.js";
import { BullReportQueue } from "./adapters/bullmq/report-queue.js";
import { loadFlowSet } from "./adapters/files/flow-source.js";
import { RedisCallRecords } from "./adapters/redis/call-records.js";
import { RedisCallStore } from "./adapters/redis/call-store.js";
import { createWebConnection, createWorkerConnection } from "./adapters/redis/connections.js";
import { RedisOverrideStore } from "./adapters/redis/override-store.js";
import type { Config } from "./config/env.js";
import { formatProblem } from "./domain/validation.js";
import { createApp } from "./http/app.js";
import type { Logger } from "./logger.js";

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
  const reports = new BullReportQueue({
    redis,
    onError: (error) => log.warn({ err: error.message }, "dispatch queue connection"),
  });
  const app = createApp({
    flows,
    calls: new RedisCallStore(redis),
    overrides: new RedisOverrideStore(redis),
    reports,
    records: new RedisCallRecords(redis),
    clock: () => DateTime.now(),
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

/** Starts the worker role: the BullMQ processors. */
export function startWorker(config: Config, log: Logger): Running & { worker: Worker } {
  const connection = createWorkerConnection(config.redisUrl);
  connection.on("error", (error) => log.warn({ err: error.message }, "Redis connection (worker)"));
  const worker = startDispatchWorker({ connection, log });
  log.info("worker: processing oncall-dispatch");
  return {
    worker,
    stop: async () => {
      // Finishes the jobs it holds; BullMQ hands unfinished ones to another worker if we are killed.
      await worker.close();
      connection.disconnect();
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
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
