import { vi } from "vitest";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { Queue } from "bullmq";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { Redis } from "ioredis";
import { DateTime } from "luxon";
import twilio from "twilio";
import type { Worker } from "bullmq";
import { startDispatchWorker } from "../../src/adapters/bullmq/dispatch-worker.js";
import { openSendQueues, RateLimitedPager } from "../../src/adapters/bullmq/rate-limited-pager.js";
import { startSendWorkers } from "../../src/adapters/bullmq/send-queues.js";
import type { SendingRates } from "../../src/domain/oncall/sending-limits.js";
import { BullJobScheduler } from "../../src/adapters/bullmq/job-scheduler.js";
import { BullReportQueue, createDispatchQueue } from "../../src/adapters/bullmq/report-queue.js";
import { RedisIncidentStore } from "../../src/adapters/redis/incident-store.js";
import { createWorkerConnection } from "../../src/adapters/redis/connections.js";
import type { Pager, SmsOutbox } from "../../src/domain/oncall/pager.js";
import type { IncidentStore } from "../../src/domain/ports.js";
import type { JobScheduler } from "../../src/oncall/jobs.js";
import type { Roster } from "../../src/domain/oncall/roster/index.js";
import { CrewDesk } from "../../src/oncall/crew-desk.js";
import { Dispatcher, type DispatcherDependencies } from "../../src/oncall/dispatcher.js";
import { staleSendScreen } from "../../src/oncall/stale-sends.js";
import { loadFlowSet, type FlowSet } from "../../src/adapters/files/flow-source.js";
import { staticDefinitions, type Definitions, type LiveDefinitions } from "../../src/definitions/live-definitions.js";
import { openDefinitions } from "../../src/definitions/open.js";
import { Publisher } from "../../src/definitions/publisher.js";
import { publishEffects } from "../../src/definitions/publish-effects.js";
import { RedisDocumentStore } from "../../src/adapters/redis/document-store.js";
import { ConsolePager } from "../../src/adapters/console-pager.js";
import { createRedisAccountService, type RedisAccountServiceOptions } from "../../src/accounts/redis-account-service.js";
import type { AccountService } from "../../src/accounts/accounts.js";
import type { Role } from "../../src/domain/accounts.js";
import type { AuditLog } from "../../src/domain/ports.js";
import { BullRecordKeeper, createRecordsQueue, startRecordsWorker } from "../../src/adapters/bullmq/record-queue.js";
import { readRecordsBacklog } from "../../src/operations/line-figures.js";
import { serviceNamesOf } from "../../src/domain/service-names.js";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import { cityReports } from "../../src/adapters/postgres/report-queries.js";
import { callsStartedBetween } from "../../src/adapters/postgres/call-export.js";
import type { RecordStore } from "../../src/domain/ports.js";
import { RecordWriter } from "../../src/records/record-writer.js";
import type { DeliveryQueue } from "../../src/domain/open311/delivery.js";
import { recordingIncidentStore } from "../../src/records/recording-incident-store.js";
import { testDatabase, type DatabaseKind, type TestDatabase } from "./database.js";
import { RedisCallStore } from "../../src/adapters/redis/call-store.js";
import { createWebConnection, waitUntilReady } from "../../src/adapters/redis/connections.js";
import { RedisOverrideStore } from "../../src/adapters/redis/override-store.js";
import { createApp } from "../../src/http/app.js";
import type { ConsoleDependencies } from "../../src/http/console/routes.js";
import { createLogger, type Logger } from "../../src/logger.js";

export const AUTH_TOKEN = "test-auth-token-0123456789abcdef";
export const PUBLIC_URL = "https://line.example.org";
export const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
/** The password `addUser` gives an account unless told another. */
export const PASSWORD = "correct horse battery staple";
const ZONE = "America/Edmonton";

/** A moment in Lethbridge, written as people say it: `at("2026-12-02T10:00")`. */
export function at(local: string): DateTime {
  return DateTime.fromISO(local, { zone: ZONE });
}

export function newCallSid(): string {
  return `CA${randomBytes(16).toString("hex")}`;
}

export interface Answer {
  status: number;
  contentType: string | null;
  body: string;
}

/** What a TwiML document asks Twilio to do, parsed with a real XML parser. */
export interface Twiml {
  xml: string;
  /** Every `<Say>` in order, including those inside a `<Gather>`. */
  says: string[];
  /** Top-level verbs in order (`Say`, `Gather`, `Enqueue`, ...). */
  verbs: string[];
  /** The attributes of the first verb of that name (top level or inside `<Gather>`). */
  attrs(verb: string): Record<string, string> | undefined;
  /** The text of the first verb of that name (a queue name, a number). */
  text(verb: string): string | undefined;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  trimValues: true,
  parseTagValue: false,
  parseAttributeValue: false,
});

type Node = Record<string, unknown> & { ":@"?: Record<string, string> };

export function parseTwiml(xml: string): Twiml {
  if (XMLValidator.validate(xml) !== true) throw new Error(`not well-formed XML: ${xml}`);
  if (!xml.startsWith("<?xml")) throw new Error("TwiML must start with the XML declaration, no white space first");
  const document = parser.parse(xml) as Node[];
  const response = document.find((node) => "Response" in node);
  if (!response) throw new Error(`the root element is not <Response>: ${xml}`);
  const top = response.Response as Node[];
  const all: { name: string; node: Node }[] = [];
  const walk = (nodes: Node[]) => {
    for (const node of nodes) {
      const name = Object.keys(node).find((key) => key !== ":@");
      if (!name || name === "#text") continue;
      all.push({ name, node });
      if (name === "Gather") walk(node[name] as Node[]);
    }
  };
  walk(top);
  const textOf = (node: Node, name: string) =>
    ((node[name] as Node[]).find((child) => "#text" in child)?.["#text"] as string | undefined)?.toString();
  return {
    xml,
    says: all.filter((verb) => verb.name === "Say").map((verb) => textOf(verb.node, "Say") ?? ""),
    verbs: top.map((node) => Object.keys(node).find((key) => key !== ":@")!).filter((name) => name !== "#text"),
    attrs: (verb) => all.find((entry) => entry.name === verb)?.node[":@"] ?? (all.some((entry) => entry.name === verb) ? {} : undefined),
    text: (verb) => {
      const found = all.find((entry) => entry.name === verb);
      return found ? textOf(found.node, verb) : undefined;
    },
  };
}

/** Waits until every record handed over on the records `queue` has been written (none waiting, running or to be retried). */
export async function recordsWritten(queue: Queue): Promise<void> {
  await vi.waitFor(
    async () => {
      const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized", "waiting-children");
      if (Object.values(counts).some((count) => count > 0)) throw new Error(`records still to write: ${JSON.stringify(counts)}`);
    },
    { timeout: 15_000, interval: 25 },
  );
}

/** A scheduler whose jobs are retried `attempts` times, `delayMs` apart. */
function quickRetries(queue: Queue, retries: { attempts: number; delayMs: number }): JobScheduler {
  return {
    async add(name, data, { jobId, delay }) {
      await queue.add(name, data, { jobId, ...(delay ? { delay } : {}), attempts: retries.attempts, backoff: { type: "fixed", delay: retries.delayMs } });
    },
  };
}

/** What a test's dispatch worker does differently from `npm start`'s. */
export interface TestWorkerOptions {
  /** "N more reports" window. */
  updateWindowMs?: number;
  lockDuration?: number;
  stalledInterval?: number;
  /** Where residents' texts go out (TWILIO_RESIDENT_FROM_NUMBER); the crew's pager when left out. */
  residentPager?: Pager;
  /** Where the worker logs (silent unless TEST_LOG_LEVEL says otherwise). */
  log?: Logger;
  /** Wraps the worker's incident store, to make it fail on cue as a Redis that refuses writes would. */
  incidents?: (store: IncidentStore) => IncidentStore;
  /** Jobs the worker schedules get these retries instead of the queue's own, so failing for good plays out in a test. */
  retries?: { attempts: number; delayMs: number };
  /** The queue's own retries, their waits multiplied by this: a long outage played out in seconds. */
  backoffScale?: number;
  /** Told of each report, page attempt and alarm, as `npm start`'s metrics are. */
  observe?: DispatcherDependencies["observe"];
  /**
   * Sends go through this line's own send queues under these limits, as `npm start`'s worker
   * sends (a RateLimitedPager, and send workers wrapping `pager`); straight through `pager` when
   * left out.
   */
  sendingRates?: SendingRates;
  /** How many dispatch jobs the worker runs at once (the line's default when left out). */
  concurrency?: number;
}

export interface TestLineOptions {
  /**
   * Another line's Redis prefix, to run as a second web instance of that line (its published
   * flows, accounts, calls); the line that made the prefix removes its keys on close.
   */
  prefix?: string;
  /** The moment every request happens at; change it between requests with `line.now = ...`. */
  now?: DateTime;
  redisUrl?: string;
  fallbackNumber?: string;
  flows?: FlowSet;
  /** What the line serves from, when not `flows` as they are (published versions that change during the test). */
  definitions?: Definitions;
  /** Replaces flows/oncall.yaml (test rosters page every few seconds). */
  roster?: Roster;
  /** Runs a dispatch worker too, paging through this pager. */
  pager?: Pager;
  /** "N more reports" window for the worker. */
  updateWindowMs?: number;
  /** Where the web app's logs go, for tests that read them (silent unless TEST_LOG_LEVEL says otherwise). */
  log?: Logger;
  /**
   * Serves the supervisors' API (and console) as `npm start` does: the flows published in Redis
   * under this line's prefix (flows/ as version 1 at start), accounts, the audit log, and roster
   * change messages sent at once through `changePager` (a console pager under this prefix when not
   * given), where `npm start` queues them on twilio-sms (test/services.test.ts shows it does);
   * `deliveries` gives the Departments page each department's deliveries.
   */
  console?: { accounts?: Omit<RedisAccountServiceOptions, "prefix">; changePager?: Pager; deliveries?: ConsoleDependencies["deliveries"] };
  /**
   * Keeps records as `npm start` does: the web role hands them over on a records queue of this
   * line's own, and a records worker writes them to a new database of this kind (its own
   * database on the server, or PGlite in memory), dropped on close.
   */
  records?: DatabaseKind | { kind: DatabaseKind; delivery?: DeliveryQueue; retryMs?: number };
  /** How long a held report waits for the caller's next answer (the line's default is two minutes). */
  reportHoldMs?: number;
  /** How long a report released by the call's end still waits for a last answer (the line's default is five seconds). */
  reportReleaseGraceMs?: number;
}

/**
 * The real web app on an ephemeral port, against the real Redis and a real BullMQ queue, each
 * under names of its own so test files never collide. Requests are signed exactly as Twilio
 * signs them, over PUBLIC_URL + path.
 */
export class TestLine {
  now: DateTime;
  readonly prefix: string;
  readonly queueName = `oncall-dispatch-${randomBytes(4).toString("hex")}`;
  /** This line's own send queues, used when a worker is started with `sendingRates`. */
  readonly sendQueueNames = { sms: `twilio-sms-${this.queueName}`, calls: `twilio-calls-${this.queueName}` };
  readonly redis: Redis;
  readonly reports: BullReportQueue;
  readonly calls: RedisCallStore;
  readonly overrides: RedisOverrideStore;
  /** Where the web role hands records over (nothing writes them unless the line has the `records` option). */
  readonly records: BullRecordKeeper;
  readonly incidents: IncidentStore;
  /** With the `records` option: the database the records worker writes, and the store over it. */
  database: TestDatabase | undefined;
  store: RecordStore | undefined;
  worker: Worker | undefined;
  /** With the `console` option: the published definitions this line serves, and what publishes them. */
  live: LiveDefinitions | undefined;
  publisher: Publisher | undefined;
  documents: RedisDocumentStore | undefined;
  accounts: AccountService | undefined;
  audit: AuditLog | undefined;
  private workerClose: (() => Promise<void>) | undefined;
  private recordsClose: (() => Promise<void>) | undefined;
  private server: Server | undefined;
  private base = "";
  private readonly ownsPrefix: boolean;

  private constructor(
    options: TestLineOptions,
    readonly flows: FlowSet,
  ) {
    this.now = options.now ?? at("2026-12-02T10:00");
    this.prefix = options.prefix ?? `test-${randomBytes(4).toString("hex")}:`;
    this.ownsPrefix = options.prefix === undefined;
    this.redis = createWebConnection(options.redisUrl ?? REDIS_URL, { retryStrategy: () => null });
    this.redis.on("error", () => {});
    this.reports = new BullReportQueue({
      redis: this.redis,
      queueName: this.queueName,
      keyPrefix: this.prefix,
      ...(options.reportHoldMs ? { holdMs: options.reportHoldMs } : {}),
      ...(options.reportReleaseGraceMs ? { releaseGraceMs: options.reportReleaseGraceMs } : {}),
    });
    this.calls = new RedisCallStore(this.redis, this.prefix);
    this.overrides = new RedisOverrideStore(this.redis, this.prefix);
    this.records = new BullRecordKeeper(createRecordsQueue(this.redis, { queueName: `records-${this.queueName}` }));
    this.records.queue.on("error", () => {});
    this.incidents = recordingIncidentStore(new RedisIncidentStore(this.redis, this.prefix), this.records, createLogger({ level: "silent" }));
  }

  static async start(options: TestLineOptions = {}): Promise<TestLine> {
    const flows = options.flows ?? (await loadFlowSet("flows"));
    const line = new TestLine(options, options.roster ? { ...flows, roster: options.roster } : flows);
    if (!options.redisUrl) await waitUntilReady(line.redis);
    const clock = () => line.now;
    const log = options.log ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
    let definitions = options.definitions ?? staticDefinitions(line.flows);
    let api;
    if (options.console) {
      line.live = await openDefinitions({ redis: line.redis, location: options.redisUrl ?? REDIS_URL, flowsDir: "flows", log, prefix: line.prefix });
      definitions = line.live;
      line.documents = new RedisDocumentStore(line.redis, line.prefix);
      const { accounts, audit } = createRedisAccountService(line.redis, {
        passwordHashing: { cost: 2 ** 10, blockSize: 8, parallelization: 1 },
        ...options.console.accounts,
        prefix: line.prefix,
      });
      line.accounts = accounts;
      line.audit = audit;
      const changePager = options.console.changePager ?? new ConsolePager({ redis: line.redis, logger: log, keyPrefix: line.prefix });
      const texts: SmsOutbox = {
        queueSms: async (to, body) => {
          await changePager.sendSms(to, body);
        },
      };
      line.publisher = new Publisher({ store: line.documents, clock: () => line.now.toISO()!, onPublished: publishEffects({ audit, texts, log }) });
      api = { accounts, audit, documents: line.documents, publisher: line.publisher, overrides: line.overrides, deliveries: options.console.deliveries };
    }
    const desk = new CrewDesk({
      roster: definitions.current().roster,
      incidents: line.incidents,
      jobs: new BullJobScheduler(line.reports.queue),
      clock,
      log,
    });
    if (options.records) {
      await line.startRecords(typeof options.records === "string" ? { kind: options.records } : options.records, definitions, log);
      // The console and the API read the same records: the worklist, the reports, the downloads.
      const database = line.database!.database;
      const reading = {
        records: line.store!,
        reports: cityReports(database, { hours: () => definitions.current().hours, settings: { serviceLevelSeconds: 60, shortAbandonSeconds: 10 }, clock }),
        callExport: (range: { start: string; end: string }) => callsStartedBetween(database, range),
        recordsBacklog: () => readRecordsBacklog(line.records.queue),
      };
      if (api) api = { ...api, ...reading };
    }
    if (options.pager) line.startWorker(options.pager, options.updateWindowMs ? { updateWindowMs: options.updateWindowMs } : {});
    const app = createApp({
      desk,
      incidents: line.incidents,
      definitions,
      ...(api ? { api } : {}),
      calls: line.calls,
      overrides: line.overrides,
      reports: line.reports,
      records: line.records,
      clock,
      publicUrl: PUBLIC_URL,
      fallbackNumber: options.fallbackNumber,
      authToken: AUTH_TOKEN,
      redis: line.redis,
      log,
    });
    await new Promise<void>((resolve) => {
      line.server = app.listen(0, "127.0.0.1", () => resolve());
    });
    line.base = `http://127.0.0.1:${(line.server!.address() as AddressInfo).port}`;
    return line;
  }

  /**
   * A dispatch worker on this line's queue, as `npm start` runs it, paging through `pager`.
   * Options give it what a test needs: quicker windows and retries, a residents' pager, a log
   * to read, or an incident store that fails on cue.
   */
  startWorker(pager: Pager, options: TestWorkerOptions = {}): Worker {
    const connection = createWorkerConnection(REDIS_URL);
    const redis = createWorkerConnection(REDIS_URL);
    const queue = createDispatchQueue(redis, { queueName: this.queueName });
    const log = options.log ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
    const store = recordingIncidentStore(new RedisIncidentStore(redis, this.prefix), this.records, log);
    const incidents = options.incidents ? options.incidents(store) : store;
    let sending: { pager: Pager; residentPager: Pager; close(): Promise<void> } | undefined;
    if (options.sendingRates) {
      const sendConnection = createWorkerConnection(REDIS_URL);
      const workers = startSendWorkers({
        connection: sendConnection,
        pagers: { crew: pager, ...(options.residentPager ? { residents: options.residentPager } : {}) },
        rates: options.sendingRates,
        log,
        names: this.sendQueueNames,
        screen: staleSendScreen({ incidents, clock: () => this.now, log, observe: options.observe }),
      });
      const queues = openSendQueues(redis, { names: this.sendQueueNames });
      sending = {
        pager: new RateLimitedPager(queues),
        residentPager: new RateLimitedPager(queues, { sender: "residents" }),
        close: async () => {
          await queues.close();
          await workers.close();
          sendConnection.disconnect();
        },
      };
    }
    const dispatcher = new Dispatcher({
      // With the console option the worker follows published rosters, as `npm start`'s does.
      roster: this.live?.current().roster ?? this.flows.roster,
      incidents,
      ...(sending
        ? { pager: sending.pager, residentPager: sending.residentPager }
        : { pager, ...(options.residentPager ? { residentPager: options.residentPager } : {}) }),
      jobs: options.retries ? quickRetries(queue, options.retries) : new BullJobScheduler(queue),
      clock: () => this.now,
      log,
      publicUrl: PUBLIC_URL,
      ...(options.updateWindowMs ? { updateWindowMs: options.updateWindowMs } : {}),
      ...(options.observe ? { observe: options.observe } : {}),
    });
    const { lockDuration, stalledInterval, backoffScale, concurrency } = options;
    this.live?.onChange((set) => dispatcher.useRoster(set.roster));
    const worker = startDispatchWorker({
      connection,
      dispatcher,
      log,
      queueName: this.queueName,
      ...(lockDuration ? { lockDuration } : {}),
      ...(stalledInterval ? { stalledInterval } : {}),
      ...(backoffScale ? { backoffScale } : {}),
      ...(concurrency ? { concurrency } : {}),
    });
    this.worker = worker;
    this.workerClose = async () => {
      await worker.close();
      await sending?.close();
      await queue.close();
      connection.disconnect();
      redis.disconnect();
    };
    return worker;
  }

  /** Starts the records worker on a new database, as `npm start`'s worker writes records. */
  private async startRecords(options: { kind: DatabaseKind; delivery?: DeliveryQueue; retryMs?: number }, definitions: Definitions, log: Logger): Promise<void> {
    this.database = await testDatabase(options.kind);
    this.store = new PostgresRecordStore(this.database.database);
    const connection = createWorkerConnection(REDIS_URL);
    const writer = new RecordWriter({
      store: this.store,
      departments: () => definitions.current().departments,
      hours: () => definitions.current().hours,
      serviceNames: () => serviceNamesOf(definitions.current()),
      ...(options.delivery ? { delivery: options.delivery } : {}),
      retentionDays: 730,
      clock: () => this.now,
      log,
    });
    const worker = startRecordsWorker({
      connection,
      processor: writer,
      log,
      queueName: this.records.queue.name,
      ...(options.retryMs ? { backoffMs: () => options.retryMs! } : {}),
    });
    this.recordsClose = async () => {
      await worker.close();
      connection.disconnect();
      await this.database?.close();
    };
  }

  /** Waits until every record handed over so far has been written (none waiting, running or to be retried). */
  recordsWritten(): Promise<void> {
    return recordsWritten(this.records.queue);
  }

  /** Stops the worker, as SIGTERM does. */
  async stopWorker(): Promise<void> {
    await this.workerClose?.();
    this.workerClose = undefined;
    this.worker = undefined;
  }

  /** Posts form params to a path or to a URL from TwiML, signed for PUBLIC_URL unless told otherwise. */
  post(pathOrUrl: string, params: Record<string, string>, options: { signature?: string | null; token?: string } = {}): Promise<Answer> {
    return postSigned(this.base, pathOrUrl, params, options);
  }

  /**
   * A text to the line's number, as Twilio posts an inbound SMS (signed), and the line's reply.
   * Fails unless the answer is a TwiML message.
   */
  async text(from: string, body: string, to = "+14035550311"): Promise<string> {
    const answer = await this.post("/twilio/sms", { MessageSid: `SM${randomBytes(16).toString("hex")}`, AccountSid: "AC00000000000000000000000000000000", From: from, To: to, Body: body, NumMedia: "0" });
    if (answer.status !== 200 || !/^text\/xml/.test(answer.contentType ?? "")) throw new Error(`the SMS webhook answered ${answer.status} ${answer.contentType}: ${answer.body}`);
    return new XMLParser({ parseTagValue: false }).parse(answer.body).Response.Message as string;
  }

  /** Where the line listens (requests are signed for PUBLIC_URL all the same). */
  get url(): string {
    return this.base;
  }

  async get(path: string): Promise<Answer> {
    const response = await fetch(this.base + path);
    return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() };
  }

  /** A caller on the line: places the call and answers each prompt, following the TwiML's URLs. */
  caller(from = "+14035550123", callSid = newCallSid()): TestCaller {
    return new TestCaller(this, callSid, from);
  }

  /** A BullMQ handle on this line's dispatch queue, to look at the jobs it holds. */
  dispatchQueue(): Queue {
    return new Queue(this.queueName, { connection: this.redis });
  }

  /** With the `console` option: an account with `role`, and an API token for it. */
  async addUser(username: string, role: Role, password = PASSWORD): Promise<string> {
    if (!this.accounts) throw new Error("start the line with the console option to add users");
    await this.accounts.add({ username, role, password, by: "test" });
    return this.accounts.newToken({ username, by: "test" });
  }

  /** A JSON request to the API, with `token` as the bearer when given. */
  async api(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, body, headers: response.headers };
  }

  async close(): Promise<void> {
    await this.live?.stop();
    await this.stopWorker();
    await this.recordsClose?.();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    if (this.redis.status === "ready") {
      const queue = this.dispatchQueue();
      await queue.obliterate({ force: true });
      await queue.close();
      await this.records.queue.obliterate({ force: true });
      for (const name of Object.values(this.sendQueueNames)) {
        const sends = new Queue(name, { connection: this.redis });
        await sends.obliterate({ force: true });
        await sends.close();
      }
      const keys = this.ownsPrefix ? await this.redis.keys(`${this.prefix}*`) : [];
      if (keys.length > 0) await this.redis.del(...keys);
    }
    await this.reports.close();
    await this.records.queue.close();
    this.redis.disconnect();
  }
}

/**
 * Posts form params to the line listening at `base`, to a path or to a URL from TwiML, signed for
 * PUBLIC_URL with `token` (AUTH_TOKEN unless told otherwise), or with `signature` as given.
 */
export async function postSigned(
  base: string,
  pathOrUrl: string,
  params: Record<string, string>,
  options: { signature?: string | null; token?: string } = {},
): Promise<Answer> {
  const path = pathOrUrl.startsWith(PUBLIC_URL) ? pathOrUrl.slice(PUBLIC_URL.length) : pathOrUrl;
  const signature =
    options.signature === undefined ? twilio.getExpectedTwilioSignature(options.token ?? AUTH_TOKEN, PUBLIC_URL + path, params) : options.signature;
  const response = await fetch(base + path, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(signature === null ? {} : { "x-twilio-signature": signature }),
    },
    body: new URLSearchParams(params),
  });
  return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() };
}

/** Where a caller's requests go: a TestLine, or a line started as production starts it ({@link LineClient}). */
export interface SignedPoster {
  post(pathOrUrl: string, params: Record<string, string>): Promise<Answer>;
}

/**
 * A line started as production starts it (`startWeb`, or a process), reached at `url` with
 * requests signed for PUBLIC_URL with its auth token, as Twilio signs them.
 */
export class LineClient implements SignedPoster {
  constructor(
    readonly url: string,
    private readonly token = AUTH_TOKEN,
  ) {}

  post(pathOrUrl: string, params: Record<string, string>): Promise<Answer> {
    return postSigned(this.url, pathOrUrl, params, { token: this.token });
  }

  async get(path: string): Promise<Answer> {
    const response = await fetch(this.url + path);
    return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() };
  }

  caller(from = "+14035550123", callSid = newCallSid()): TestCaller {
    return new TestCaller(this, callSid, from);
  }
}

/** One simulated caller: remembers the last TwiML and where its answers go. */
export class TestCaller {
  last: Twiml | undefined;
  lastAnswer: Answer | undefined;

  constructor(
    private readonly line: SignedPoster,
    readonly callSid: string,
    readonly from: string,
  ) {}

  private params(extra: Record<string, string>): Record<string, string> {
    return {
      CallSid: this.callSid,
      AccountSid: "AC00000000000000000000000000000000",
      From: this.from,
      To: "+14035550311",
      CallStatus: "in-progress",
      Direction: "inbound",
      ApiVersion: "2010-04-01",
      ...extra,
    };
  }

  private async send(url: string, extra: Record<string, string>): Promise<Twiml> {
    const answer = await this.line.post(url, this.params(extra));
    if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${answer.body}`);
    this.lastAnswer = answer;
    this.last = parseTwiml(answer.body);
    return this.last;
  }

  dial(): Promise<Twiml> {
    return this.send("/twilio/voice", { CallStatus: "ringing" });
  }

  /** Where the current TwiML sends the caller's next answer. */
  nextUrl(verb?: string): string {
    const twiml = this.last!;
    const name = verb ?? ["Gather", "Record", "Enqueue", "Dial", "Redirect"].find((candidate) => twiml.verbs.includes(candidate));
    if (!name) throw new Error(`nothing to answer in ${twiml.xml}`);
    return name === "Redirect" ? twiml.text("Redirect")! : twiml.attrs(name)!.action!;
  }

  press(digits: string): Promise<Twiml> {
    return this.send(this.nextUrl("Gather"), { Digits: digits });
  }

  say(speech: string, confidence = "0.91"): Promise<Twiml> {
    return this.send(this.nextUrl("Gather"), { SpeechResult: speech, Confidence: confidence });
  }

  /** Silence at a `<Gather>` (Twilio posts with no Digits or SpeechResult: actionOnEmptyResult). */
  silence(): Promise<Twiml> {
    return this.send(this.nextUrl("Gather"), {});
  }

  /** The end of a `<Record>`: the caller pressed `#`, or (`endedBy: "hangup"`) hung up while recording. */
  record(url = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE0123", duration = "7", endedBy = "#"): Promise<Twiml> {
    return this.send(this.nextUrl("Record"), { RecordingUrl: url, RecordingDuration: duration, Digits: endedBy });
  }

  leaveQueue(result: string, waited = "42"): Promise<Twiml> {
    return this.send(this.nextUrl("Enqueue"), { QueueResult: result, QueueSid: "QU0", QueueTime: waited });
  }

  follow(): Promise<Twiml> {
    return this.send(this.nextUrl("Redirect"), {});
  }

  /** Sends exactly the same request again (a Twilio retry). */
  async retry(url: string, extra: Record<string, string>): Promise<Twiml> {
    return this.send(url, extra);
  }

  raw(url: string, extra: Record<string, string>): Promise<Answer> {
    return this.line.post(url, this.params(extra));
  }

  hangUp(duration = "95"): Promise<Answer> {
    return this.line.post("/twilio/voice/status", this.params({ CallStatus: "completed", CallDuration: duration }));
  }
}
