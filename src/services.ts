import { createServer, type Server } from "node:http";
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { startDispatchWorker } from "./adapters/bullmq/dispatch-worker.js";
import { openSendQueues, RateLimitedPager } from "./adapters/bullmq/rate-limited-pager.js";
import { createSendQueue, SendQueueOutbox, startSendWorkers } from "./adapters/bullmq/send-queues.js";
import { BullJobScheduler } from "./adapters/bullmq/job-scheduler.js";
import { BullReportQueue, createDispatchQueue } from "./adapters/bullmq/report-queue.js";
import { ConsolePager } from "./adapters/console-pager.js";
import { BullRecordKeeper, createRecordsQueue, scheduleRetention, startRecordsWorker } from "./adapters/bullmq/record-queue.js";
import { openRecordsDatabase } from "./records/records-database.js";
import { BullDeliveryQueue, deliveryStatus, startDeliveryWorker } from "./adapters/bullmq/delivery-queue.js";
import { RecordWriter } from "./records/record-writer.js";
import { recordingIncidentStore } from "./records/recording-incident-store.js";
import { RedisCallStore } from "./adapters/redis/call-store.js";
import { createWebConnection, createWorkerConnection, RedisCredentialsError, waitUntilReady } from "./adapters/redis/connections.js";
import { redisSettingsToFix } from "./adapters/redis/settings-check.js";
import { RedisOutageLog } from "./adapters/redis/outage-log.js";
import { WorkerHeartbeat } from "./adapters/redis/heartbeat.js";
import { RedisIncidentStore } from "./adapters/redis/incident-store.js";
import { RedisOverrideStore } from "./adapters/redis/override-store.js";
import { TwilioPager } from "./adapters/twilio/twilio-pager.js";
import type { Config } from "./config/env.js";
import type { Definitions } from "./definitions/live-definitions.js";
import { openDefinitions } from "./definitions/open.js";
import { publishEffects } from "./definitions/publish-effects.js";
import { Publisher } from "./definitions/publisher.js";
import { createRedisAccountService } from "./accounts/redis-account-service.js";
import { RedisDocumentStore } from "./adapters/redis/document-store.js";
import { createApp } from "./http/app.js";
import type { Logger } from "./logger.js";
import { CrewDesk } from "./oncall/crew-desk.js";
import { staleSendScreen } from "./oncall/stale-sends.js";
import { Dispatcher } from "./oncall/dispatcher.js";
import type { Pager } from "./domain/oncall/pager.js";
import { readLineFigures, readRecordsBacklog } from "./operations/line-figures.js";
import { cityClock } from "./adapters/city-clock.js";
import { assessLineStatus } from "./operations/line-status.js";
import { LineMetrics } from "./operations/metrics.js";
import { startMetricsServer } from "./http/metrics-routes.js";
import { RedisOpen311KeyStore } from "./adapters/redis/open311-key-store.js";
import { keepReferencesAbove, nextReference } from "./adapters/redis/reference-counter.js";
import { serviceCodesOf, urgentCodesOf } from "./domain/open311/services.js";
import { serviceNamesOf } from "./domain/service-names.js";
import { keyForEndpoint } from "./domain/open311/delivery.js";
import { cityReports } from "./adapters/postgres/report-queries.js";
import { callsStartedBetween } from "./adapters/postgres/call-export.js";

/** Something running that must be stopped cleanly on SIGTERM. */
export interface Running {
  stop(): Promise<void>;
}

/** The port the web role was told to use is taken, or not ours to take. */
export class PortUnavailableError extends Error {
  override readonly name = "PortUnavailableError";
  constructor(
    readonly port: number,
    readonly code: string,
  ) {
    super(
      code === "EADDRINUSE"
        ? `web: PORT ${port} is already in use: another process (another Civic Line?) listens there. Stop it, or set PORT to a free port.`
        : `web: cannot listen on PORT ${port} (${code}): ports below 1024 need privileges. Set PORT to a port above 1024.`,
    );
  }
}

/**
 * The process's metrics: one registry however many roles it runs, so under `npm start` the web
 * role's /metrics answers for the worker too.
 */
let processMetrics: LineMetrics | undefined;
function lineMetrics(): LineMetrics {
  return (processMetrics ??= new LineMetrics());
}

/** Says at every start, where it cannot be missed, that pages are not being sent. */
function warnWhenNotPaging(config: Config, log: Logger, role: string): void {
  if (config.pager !== "console") return;
  const fields = { pager: "console", role };
  if (config.env === "development") {
    log.warn(fields, "pages go to the console pager and are NOT sent: see them with npm run oncall -- outbox");
  } else {
    log.error(
      fields,
      "PAGER=console: pages to the on-call crew are NOT being sent, only kept in Redis (npm run oncall -- outbox). Set TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER and remove PAGER=console to send them.",
    );
  }
}

/** Starts the web role: the Twilio webhooks and health checks. */
export async function startWeb(config: Config, log: Logger): Promise<Running & { server: Server }> {
  warnWhenNotPaging(config, log, "web");
  // Every error of the role's connections, queues and workers goes here: an outage in a few lines.
  const outage = new RedisOutageLog({ log, where: config.redis, fields: { role: "web" } });
  const redis = outage.watch(createWebConnection(config.redis), "Redis connection (web)");
  // Calls and the override, read and written by every webhook, on a connection of their own.
  // BullMQ defines its scripts (64 of them) on any connection its queues are given, and ioredis
  // copies each one onto every pipeline it makes, one a tick with auto-pipelining: on the shared
  // connection that was an eighth of the garbage a webhook makes, and the slowest of it to collect.
  const webhooks = outage.watch(createWebConnection(config.redis), "Redis connection (webhooks)");
  const disconnect = () => {
    redis.disconnect();
    webhooks.disconnect();
  };
  // These connections fail fast, so calls that arrive before they are up hear the fallback.
  // Give them a moment at start; without Redis the line still serves the fallback. Credentials
  // Redis or its sentinels refuse are another matter: no waiting mends them, so the role stops.
  await Promise.all([redis, webhooks].map((connection) => waitUntilReady(connection, 3_000, config.redis))).catch((error: unknown) => {
    if (error instanceof RedisCredentialsError) {
      disconnect();
      throw error;
    }
    log.error({ redis: "not answering" }, "web: starting without Redis; callers get the fallback until it answers");
  });
  const definitions = await openDefinitions({ redis, location: config.redis, flowsDir: config.flowsDir, log, outage }).catch((error: unknown) => {
    disconnect();
    throw error;
  });
  const reports = new BullReportQueue({
    redis,
    onError: outage.listener("dispatch queue"),
    onLateUpdate: (callSid) =>
      log.warn({ callSid }, "the caller added to a report the crew already has (its hold ran out): the crew has it without that"),
  });
  const records = new BullRecordKeeper(createRecordsQueue(redis));
  records.queue.on("error", outage.listener("records queue"));
  const incidents = recordingIncidentStore(new RedisIncidentStore(redis), records, log);
  const clock = cityClock(() => definitions.current().hours.zone);
  const { accounts, audit } = createRedisAccountService(redis);
  const documents = new RedisDocumentStore(redis);
  // A roster change's texts wait their turn on twilio-sms with every page: one limit for the
  // account, kept by the worker's send workers, whichever role sends.
  const texts = createSendQueue(redis, "sms");
  // The other send queue, only read: /status says what waits on each.
  const calls = createSendQueue(redis, "calls");
  for (const queue of [texts, calls]) queue.on("error", outage.listener(`send queue ${queue.name}`));
  const publisher = new Publisher({
    store: documents,
    clock: () => clock().toISO()!,
    onPublished: publishEffects({ audit, texts: new SendQueueOutbox(texts), log }),
  });
  // The records database serves the console's reports and worklist and Open311; never a webhook.
  // One this role cannot use (a newer schema, an embedded database it cannot open) leaves those
  // out: calls and pages go on, their records wait in Redis for the worker.
  const recordsDatabase = await openRecordsDatabase(config.database, log).catch((error: unknown) => {
    log.error(
      { err: error instanceof Error ? error.message : String(error) },
      "web: starting without the records database: calls and pages go on, but the console's reports and callbacks and Open311's requests answer 503 until the line is restarted with a database it can use",
    );
    return undefined;
  });
  const deliveries = new BullDeliveryQueue({ redis, zone: () => definitions.current().hours.zone, onError: outage.listener("delivery queue") });
  const metrics = lineMetrics();
  const unwatch = [metrics.watchRedis(redis), metrics.watchRedis(webhooks), metrics.watchQueues([reports.queue, records.queue, deliveries.queue])];
  if (!config.metricsToken && config.env === "production") log.warn("/metrics is open to anyone who can reach the line: set METRICS_TOKEN");
  const desk = new CrewDesk({ roster: definitions.current().roster, incidents, jobs: new BullJobScheduler(reports.queue), clock, log, observe: metrics });
  definitions.onChange((set) => desk.useRoster(set.roster));
  /** Set when the role stops: `/readyz` says so, and every answer closes its connection. */
  let stopping = false;
  const app = createApp({
    stopping: () => stopping,
    definitions,
    desk,
    incidents,
    calls: new RedisCallStore(webhooks),
    overrides: new RedisOverrideStore(webhooks),
    reports,
    records,
    clock,
    publicUrl: config.publicUrl,
    fallbackNumber: config.fallbackNumber,
    trustProxy: config.trustProxy,
    authToken: config.twilioAuthToken,
    redis: [redis, webhooks],
    log,
    pager: config.pager,
    api: {
      accounts,
      documents,
      publisher,
      audit,
      overrides: new RedisOverrideStore(redis),
      ...(recordsDatabase && {
        records: recordsDatabase.store,
        reports: cityReports(recordsDatabase.database, { hours: () => definitions.current().hours, settings: config.records, clock }),
        callExport: (range: { start: string; end: string }) => callsStartedBetween(recordsDatabase.database, range),
      }),
      deliveries: () => deliveryStatus(deliveries.queue, redis),
      recordsBacklog: () => readRecordsBacklog(records.queue),
    },
    status: async () =>
      assessLineStatus(
        await readLineFigures(
          {
            redis,
            alsoPinged: { "the connection callers are answered on": webhooks },
            queue: reports.queue,
            recordsQueue: records.queue,
            configuredPager: config.pager,
            sendQueues: { sms: texts, calls },
            configuredRates: config.sendingRates,
          },
          clock(),
        ),
      ),
    metrics: { metrics, token: config.metricsToken },
    open311: {
      // Without its records database, discovery and the services are served and requests answer 503.
      records: recordsDatabase?.store,
      // A department's close of an urgent report reads its live incident (and leaves it to the crew).
      incidents,
      keys: new RedisOpen311KeyStore(redis),
      deliveries,
      departments: () => definitions.current().departments,
      serviceCodes: () => serviceCodesOf(definitions.current()),
      serviceNames: () => serviceNamesOf(definitions.current()),
      urgentServices: () => urgentCodesOf(definitions.current()),
      ...(recordsDatabase && {
        raiseReferences: async () => {
          await keepReferencesAbove(redis, await recordsDatabase.store.highestReference());
        },
      }),
      nextReference: () => nextReference(redis),
      clock,
      publicRead: config.open311PublicRead,
      publicUrl: config.publicUrl,
      log,
    },
  });
  const server = createServer(app);
  // Twilio gives up after 15 s; nothing we serve should take a fraction of that.
  server.requestTimeout = 10_000;
  // Once stopping, every answer asks the client to close its connection: a load balancer sends
  // new calls over the connections it keeps open, and each answer would otherwise keep one open
  // (closing the listener ends only idle connections), so the role would never stop.
  server.prependListener("request", (_req, res) => {
    if (stopping) res.setHeader("Connection", "close");
  });
  /** Lets go of everything the web role opened, once its server is closed (or never listened). */
  const release = async () => {
    // Its connections close under it from here: nothing of that is an outage.
    outage.close();
    for (const stop of unwatch) stop();
    await definitions.stop();
    await reports.close();
    await records.queue.close();
    await deliveries.queue.close();
    await texts.close();
    await calls.close();
    await recordsDatabase?.release();
    disconnect();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      // With the public development token, only this machine may reach the line.
      server.listen(config.port, config.listenHost, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await release();
    const code = (error as NodeJS.ErrnoException).code;
    throw code === "EADDRINUSE" || code === "EACCES" ? new PortUnavailableError(config.port, code) : error;
  }
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = typeof address === "object" && address ? address.address : config.listenHost;
  log.info({ port, host, publicUrl: config.publicUrl, flows: [...definitions.current().flows.keys()] }, "web: listening");
  return {
    server,
    stop: async () => {
      stopping = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await release();
    },
  };
}

/**
 * The pager the configuration asks for: Twilio's REST API, or the console pager for development.
 * `audience: "residents"` sends from TWILIO_RESIDENT_FROM_NUMBER (the crew's number when it is unset).
 */
export function createPager(config: Config, redis: Redis, log: Logger, audience: "crew" | "residents" = "crew"): Pager {
  if (!config.twilio) return new ConsolePager({ redis, logger: log });
  return new TwilioPager({
    accountSid: config.twilio.accountSid,
    authToken: config.twilioAuthToken,
    from: audience === "residents" ? config.twilio.residentFromNumber : config.twilio.fromNumber,
    ...(config.twilio.apiUrl ? { apiUrl: config.twilio.apiUrl } : {}),
  });
}

/** How long a stopping worker lets its page jobs wait for their sends before it lets them go (retried later). */
const SEND_WAIT_ON_STOP_MS = 5_000;

/** Starts the worker role: the BullMQ processors. */
export async function startWorker(config: Config, log: Logger): Promise<Running & { worker: Worker }> {
  warnWhenNotPaging(config, log, "worker");
  // Every error of the role's connections, queues and workers goes here: an outage in a few lines.
  const outage = new RedisOutageLog({ log, where: config.redis, fields: { role: "worker" } });
  // Stores and the scheduling queue share one ordinary connection; the worker blocks on its own.
  const redis = outage.watch(createWorkerConnection(config.redis), "Redis connection (dispatch)");
  // A worker waits for Redis however long it is away, but not for credentials it refuses.
  await waitUntilReady(redis, 3_000, config.redis).catch((error: unknown) => {
    if (!(error instanceof RedisCredentialsError)) return;
    redis.disconnect();
    throw error;
  });
  const definitions = await openDefinitions({ redis, location: config.redis, flowsDir: config.flowsDir, log, outage }).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  // A production Redis must keep what the line holds: say so once it answers, when it is not set to.
  if (config.env === "production") {
    void redisSettingsToFix(redis).then((problems) => {
      if (problems.length > 0) log.warn({ problems }, `Redis is not set as the README's production checklist asks: ${problems.join("; ")}`);
    });
  }
  const clock = cityClock(() => definitions.current().hours.zone);
  const connection = outage.watch(createWorkerConnection(config.redis), "Redis connection (worker)");
  const queue = createDispatchQueue(redis);
  queue.on("error", outage.listener("dispatch queue"));
  // A schema this version does not know stops the worker here, before it writes anything.
  const recordsDatabase = await openRecordsDatabase(config.database, log).catch(async (error: unknown) => {
    await definitions.stop();
    await queue.close();
    connection.disconnect();
    redis.disconnect();
    throw error;
  });
  // Redis may have lost the reference counter (a restart without persistence): the records have not.
  const raiseReferences = async (highest: number) => {
    await keepReferencesAbove(redis, highest);
  };
  await recordsDatabase.store
    .highestReference()
    .then(raiseReferences)
    .catch((error: unknown) => log.warn({ err: error instanceof Error ? error.message : String(error) }, "records: could not compare the reference counter with the records; checked again at the first reference given twice"));
  const recordsQueue = createRecordsQueue(redis);
  recordsQueue.on("error", outage.listener("records queue"));
  const keeper = new BullRecordKeeper(recordsQueue);
  const metrics = lineMetrics();
  const incidents = recordingIncidentStore(new RedisIncidentStore(redis), keeper, log);
  // Every SMS and call waits its turn on the send queues, whose workers keep Twilio's sending
  // limits across every worker process and send through the real pager.
  const sendConnection = outage.watch(createWorkerConnection(config.redis), "Redis connection (send workers)");
  const sendWorkers = startSendWorkers({
    connection: sendConnection,
    pagers: { crew: createPager(config, redis, log), residents: createPager(config, redis, log, "residents") },
    rates: config.sendingRates,
    log,
    onError: outage.listener("send worker"),
    // An escalation or "N more reports" whose incident was taken while it waited is dropped at its turn.
    screen: staleSendScreen({ incidents, clock, log, observe: metrics }),
  });
  const sendQueues = openSendQueues(redis);
  for (const { queue, events } of [sendQueues.sms, sendQueues.calls]) {
    queue.on("error", outage.listener(`send queue ${queue.name}`));
    events.on("error", outage.listener(`send queue events ${queue.name}`));
  }
  const dispatcher = new Dispatcher({
    roster: definitions.current().roster,
    incidents,
    pager: new RateLimitedPager(sendQueues),
    residentPager: new RateLimitedPager(sendQueues, { sender: "residents" }),
    jobs: new BullJobScheduler(queue),
    clock,
    log,
    publicUrl: config.publicUrl,
    observe: metrics,
  });
  definitions.onChange((set) => dispatcher.useRoster(set.roster));
  const worker = startDispatchWorker({ connection, dispatcher, log, onError: outage.listener("dispatch worker") });
  const recordsConnection = outage.watch(createWorkerConnection(config.redis), "Redis connection (records worker)");
  // New requests go on to their departments' systems on the department-delivery queue.
  const deliveries = new BullDeliveryQueue({ redis, zone: () => definitions.current().hours.zone, onError: outage.listener("delivery queue") });
  const deliveryWorker = startDeliveryWorker({
    connection: recordsConnection,
    redis,
    records: recordsDatabase.store,
    log,
    endpointKey: (url) => keyForEndpoint(config.open311DepartmentKeys, url),
    onResult: metrics.departmentDelivery,
    onError: outage.listener("delivery worker"),
  });
  const recordsWorker = startRecordsWorker({
    connection: recordsConnection,
    processor: new RecordWriter({
      store: recordsDatabase.store,
      delivery: deliveries,
      onReferenceReused: raiseReferences,
      departments: () => definitions.current().departments,
      hours: () => definitions.current().hours,
      serviceNames: () => serviceNamesOf(definitions.current()),
      retentionDays: config.records.retentionDays,
      clock,
      log,
    }),
    log,
    onError: outage.listener("records worker"),
  });
  // A newer version migrated the database while this one waited for it: write nothing more on it.
  // Pages go on; the records wait in Redis until this version is upgraded.
  recordsDatabase.onSchemaRefused(() => {
    void recordsWorker.close();
    void deliveryWorker.close();
  });
  await scheduleRetention(recordsQueue, definitions.current().hours.zone).catch((error: unknown) =>
    log.warn({ err: error instanceof Error ? error.message : String(error) }, "records: could not schedule the nightly retention job; it is tried at the next start"),
  );
  const unwatch = [
    metrics.watchRedis(redis),
    metrics.watchQueues([queue, recordsQueue, deliveries.queue, sendQueues.sms.queue, sendQueues.calls.queue]),
    metrics.watchDatabase(recordsDatabase.database),
  ];
  // A worker running alone has no web app to serve /metrics: it serves them on a port of its own.
  const metricsServer =
    config.metricsPort === undefined ? undefined : await startMetricsServer({ metrics, token: config.metricsToken, port: config.metricsPort, host: config.listenHost });
  if (metricsServer) log.info({ port: metricsServer.port }, "worker: serving /metrics");
  // /status and `npm run oncall -- status` tell a missing or stuck worker by this.
  const heartbeat = await new WorkerHeartbeat({
    redis,
    pager: config.pager,
    sendingRates: config.sendingRates,
    clock,
    alive: () => worker.isRunning(),
    onError: outage.listener("heartbeat", (error) => log.warn({ err: error.message }, "worker: could not leave its heartbeat in Redis")),
  }).start();
  log.info({ workerId: heartbeat.workerId, sendingRates: config.sendingRates }, "worker: processing oncall-dispatch");
  return {
    worker,
    stop: async () => {
      // Finishes the jobs it holds; BullMQ hands unfinished ones to another worker if we are killed.
      // A page job waiting behind a long queue of sends is let go after a few seconds: its send
      // stays queued, and the page job's retry (here after a restart, or on another worker)
      // finds it sent, or waits for it, by its key.
      const letGo = setTimeout(() => void sendQueues.close(), SEND_WAIT_ON_STOP_MS);
      await worker.close();
      clearTimeout(letGo);
      // Its connections close under it from here: nothing of that is an outage.
      outage.close();
      await sendQueues.close();
      await sendWorkers.close();
      await recordsWorker.close();
      await deliveryWorker.close();
      await metricsServer?.stop();
      for (const stop of unwatch) stop();
      await deliveries.queue.close();
      await heartbeat.stop();
      await definitions.stop();
      await queue.close();
      await recordsQueue.close();
      await recordsDatabase.release();
      recordsConnection.disconnect();
      sendConnection.disconnect();
      connection.disconnect();
      redis.disconnect();
    },
  };
}

/**
 * How long stopping may take before the process exits anyway: an orchestrator kills it at 10 s
 * (Kubernetes' and systemd's usual grace is 10 to 30 s), and a page held by a Twilio that does not
 * answer could otherwise keep it for the client's whole timeout.
 */
export const STOP_DEADLINE_MS = 9_000;

/**
 * Starts the roles in order and runs them until SIGTERM or SIGINT, then stops them in reverse
 * order: the web role answers every request it has received and takes no new one, then the
 * worker finishes the jobs it holds. A role that cannot start (a bad flow, a taken port) stops
 * the roles already started and exits with code 1, its problem logged at fatal level. Stopping
 * that takes longer than {@link STOP_DEADLINE_MS} exits with code 1: what the worker held goes
 * back to the queue for another worker once its lock runs out. A signal that comes while it stops
 * changes nothing: the stop already under way goes on.
 */
export async function runUntilSignalled(log: Logger, starters: (() => Promise<Running>)[], deadlineMs = STOP_DEADLINE_MS): Promise<void> {
  const running: Running[] = [];
  try {
    for (const start of starters) running.push(await start());
  } catch (error) {
    log.fatal(error instanceof Error ? error.message : String(error));
    for (const role of running.reverse()) await role.stop().catch(() => {});
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    process.exit(1);
  }
  let stopping = false;
  /** Exits once the log is flushed, or after 2 s whatever the log does (a stalled log collector). */
  const exit = (code: number) => {
    setTimeout(() => process.exit(code), 2_000).unref();
    log.flush(() => process.exit(code));
  };
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    const deadline = setTimeout(() => {
      log.error(
        { deadlineMs },
        "could not stop in time (a job still waiting on Twilio or Redis?): exiting now; the jobs this worker held go back to the queue once their lock runs out (30 s), and a page sent without its mark may go out twice",
      );
      exit(1);
    }, deadlineMs);
    for (const role of running.reverse()) await role.stop().catch((error) => log.error({ err: error }, "stop failed"));
    clearTimeout(deadline);
    log.info("stopped");
    exit(0);
  };
  // Listened to for good, not once: a second signal while stopping is no reason to stop less
  // cleanly (the deadline bounds the wait). One Ctrl-C under `npm run dev` is two SIGINTs already:
  // the terminal's, and the one `tsx watch` passes on; without a listener the second would end the
  // process at once.
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
