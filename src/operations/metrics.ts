/**
 * The line's metrics for operators, in Prometheus' terms, through prom-client. One
 * {@link LineMetrics} per process: `npm start` runs web and worker together and both roles fill
 * the same registry, so one `/metrics` answers for both.
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Queryable } from "../adapters/postgres/database.js";
import type { CallOutcome } from "../domain/flow/call-state.js";
import {
  ALARM_REASONS,
  CALL_OUTCOMES,
  PAGE_CHANNELS,
  PAGE_RESULTS,
  type AlarmReason,
  type CallObserver,
  type DeliveryResult,
  type OncallObserver,
  type PageResult,
  type ReportOutcome,
} from "../domain/observers.js";
import type { Channel } from "../domain/oncall/roster/index.js";

/** Every name starts with it, prom-client's process metrics too. */
export const METRICS_PREFIX = "civic_";

/**
 * Webhook answers, in seconds. A caller hears silence while we think, so the buckets are fine
 * below a second (where a healthy line answers) and coarse above it, up to Twilio's 15 s limit.
 */
export const WEBHOOK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];

/** Time to acknowledge, in seconds: escalation waits are minutes, an unanswered night is hours. */
export const ACKNOWLEDGE_BUCKETS = [30, 60, 120, 300, 600, 900, 1_200, 1_800, 2_700, 3_600, 7_200, 14_400];

/** The job states counted for each queue (BullMQ's names). */
export const QUEUE_STATES = ["waiting", "active", "delayed", "prioritized", "waiting-children", "failed", "completed"] as const;

/** How long a scrape waits for Redis, the database or a queue's counts. */
export const DEFAULT_PROBE_TIMEOUT_MS = 1_000;

export interface LineMetricsOptions {
  /**
   * prom-client's process metrics (CPU, memory, event loop lag, GC, open handles), with the
   * `civic_` prefix.
   * @defaultValue true
   */
  processMetrics?: boolean;
  /**
   * How long a scrape waits for each of Redis, the database and a queue's counts. A store that
   * does not answer in time is reported down (its queue counts left out), so a slow Redis never
   * hangs the scrape.
   * @defaultValue {@link DEFAULT_PROBE_TIMEOUT_MS}
   */
  probeTimeoutMs?: number;
}

/** What a queue's counts are read from: a BullMQ `Queue`. */
export type CountedQueue = Pick<Queue, "name" | "getJobCounts">;
/** What Redis is pinged on: an ioredis connection. */
export type PingedRedis = Pick<Redis, "ping" | "info">;
/** What the database is asked `SELECT 1` on. */
export type ProbedDatabase = Pick<Queryable, "query">;

/** Stops watching what a `watch*` call started to watch (a role that stops closes its connections). */
export type Unwatch = () => void;

/**
 * The registry and its typed handles. Implements the observers the dispatcher, the crew desk and
 * the voice webhooks take, and {@link departmentDelivery} for the delivery worker's `onResult`.
 *
 * @example
 * const metrics = new LineMetrics();
 * const dispatcher = new Dispatcher({ ...deps, observe: metrics });
 * metrics.watchQueues([dispatchQueue, recordsQueue]);
 * res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
 */
export class LineMetrics implements OncallObserver, CallObserver {
  /** A registry of its own (not prom-client's global one), so tests make as many as they like. */
  readonly registry = new Registry();
  private readonly probeTimeoutMs: number;
  private readonly queues = new Map<string, CountedQueue>();
  private readonly redises = new Set<PingedRedis>();
  private readonly databases = new Set<ProbedDatabase>();
  private databaseUp: Gauge | undefined;
  private redisUp: Gauge | undefined;
  private redisMemory: Gauge | undefined;

  private readonly webhookDuration: Histogram<"route" | "status">;
  private readonly calls: Counter<"outcome">;
  private readonly reports: Counter<"category" | "outcome">;
  private readonly pages: Counter<"channel" | "result">;
  private readonly alarms: Counter<"reason">;
  private readonly acknowledgements: Counter<"channel">;
  private readonly timeToAcknowledge: Histogram<"category">;
  private readonly deliveries: Counter<"department" | "result">;
  /** The webhook histogram's series by status class and route (a few dozen at most: routes are patterns). */
  private readonly webhookSeries = new Map<string, { observe(seconds: number): void }>();

  constructor(options: LineMetricsOptions = {}) {
    this.probeTimeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    const registers = [this.registry];
    // Node's own metrics under their usual names (process_*, nodejs_*), which dashboards and
    // alerts made for any Node service already read.
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });

    this.webhookDuration = new Histogram({
      name: `${METRICS_PREFIX}webhook_duration_seconds`,
      help: "Time to answer a Twilio webhook, by route (the webhook's path, a refused request's too; unmatched for unknown paths) and status class.",
      labelNames: ["route", "status"],
      buckets: WEBHOOK_BUCKETS,
      registers,
    });
    this.calls = new Counter({
      name: `${METRICS_PREFIX}calls_total`,
      help: "Calls ended, by outcome (as the City counts them), at Twilio's status callback.",
      labelNames: ["outcome"],
      registers,
    });
    this.reports = new Counter({
      name: `${METRICS_PREFIX}urgent_reports_total`,
      help: "Urgent reports taken by the worker, by category and whether they opened a new incident or joined an open one.",
      labelNames: ["category", "outcome"],
      registers,
    });
    this.pages = new Counter({
      name: `${METRICS_PREFIX}pages_total`,
      help: "Attempts to page the on-call crew (chain steps and the alarm's pages), by channel and result: sent, failed (provider or network; retried), bad-number (the roster needs fixing).",
      labelNames: ["channel", "result"],
      registers,
    });
    this.alarms = new Counter({
      name: `${METRICS_PREFIX}oncall_alarms_total`,
      help: "Supervisors' alarms: unanswered (every round of pages went unanswered) or unhandled-report (a report's job failed for good).",
      labelNames: ["reason"],
      registers,
    });
    this.acknowledgements = new Counter({
      name: `${METRICS_PREFIX}acknowledgements_total`,
      help: "Incidents taken by the crew, by channel (sms: ACK by text; voice: 1 on the voice page).",
      labelNames: ["channel"],
      registers,
    });
    this.timeToAcknowledge = new Histogram({
      name: `${METRICS_PREFIX}time_to_acknowledge_seconds`,
      help: "Seconds from an incident's opening to its acknowledgement, by category.",
      labelNames: ["category"],
      buckets: ACKNOWLEDGE_BUCKETS,
      registers,
    });
    this.deliveries = new Counter({
      name: `${METRICS_PREFIX}department_deliveries_total`,
      help: "Attempts to deliver a service request to a department's system, by department and result: delivered, retrying (failed, tried again), failed (given up).",
      labelNames: ["department", "result"],
      registers,
    });
    const queues = this.queues;
    const timeout = this.probeTimeoutMs;
    new Gauge({
      name: `${METRICS_PREFIX}queue_jobs`,
      help: "Jobs in each BullMQ queue by state, read at each scrape; a queue whose counts did not come in time is left out.",
      labelNames: ["queue", "state"],
      registers,
      async collect() {
        const counted = await Promise.all(
          [...queues.values()].map(async (queue) => ({ name: queue.name, counts: await within(timeout, queue.getJobCounts(...QUEUE_STATES)).catch(() => null) })),
        );
        this.reset();
        for (const { name, counts } of counted) {
          if (!counts) continue;
          for (const state of QUEUE_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
        }
      },
    });

    // Counters that start at zero, so the first failure is an increase an alert can see.
    for (const outcome of CALL_OUTCOMES) this.calls.inc({ outcome }, 0);
    for (const channel of PAGE_CHANNELS) {
      this.acknowledgements.inc({ channel }, 0);
      for (const result of PAGE_RESULTS) this.pages.inc({ channel, result }, 0);
    }
    for (const reason of ALARM_REASONS) this.alarms.inc({ reason }, 0);
  }

  /** A webhook was answered: `route` is the route's pattern (never the URL), `status` the HTTP status. */
  webhookAnswered(route: string, status: number, seconds: number): void {
    const statusClass = `${Math.floor(status / 100)}xx`;
    const key = `${statusClass} ${route}`;
    // Each webhook is timed: the series' child is looked up once, not hashed from its labels every time.
    let series = this.webhookSeries.get(key);
    if (!series) this.webhookSeries.set(key, (series = this.webhookDuration.labels({ route, status: statusClass })));
    series.observe(seconds);
  }

  callEnded(outcome: CallOutcome): void {
    this.calls.inc({ outcome });
  }

  reportFiled(category: string, outcome: ReportOutcome): void {
    this.reports.inc({ category, outcome });
  }

  paged(channel: Channel, result: PageResult): void {
    this.pages.inc({ channel, result });
  }

  alarmRaised(reason: AlarmReason): void {
    this.alarms.inc({ reason });
  }

  acknowledged(channel: Channel, category: string, seconds: number): void {
    this.acknowledgements.inc({ channel });
    // A clock that went back must not put a negative time in the histogram.
    if (Number.isFinite(seconds)) this.timeToAcknowledge.observe({ category }, Math.max(0, seconds));
  }

  /** One delivery attempt's end: pass it as the delivery worker's `onResult`. Bound, so it can be passed on its own. */
  readonly departmentDelivery = (department: string, result: DeliveryResult): void => {
    this.deliveries.inc({ department, result });
  };

  /**
   * Counts these queues' jobs at each scrape (`civic_queue_jobs`). A queue already watched under
   * the same name (the web and worker roles of one process each hold one) is counted once.
   */
  watchQueues(queues: readonly CountedQueue[]): Unwatch {
    const added = queues.filter((queue) => !this.queues.has(queue.name));
    for (const queue of added) this.queues.set(queue.name, queue);
    return () => {
      for (const queue of added) if (this.queues.get(queue.name) === queue) this.queues.delete(queue.name);
    };
  }

  /**
   * Pings Redis on this connection at each scrape (`civic_redis_up`: 1 when every watched
   * connection answers in time, 0 otherwise). Watch a connection that fails fast (the web role's),
   * or rely on the timeout.
   */
  watchRedis(redis: PingedRedis): Unwatch {
    this.redisUp ??= this.upGauge("redis_up", "Whether Redis answered a PING within the scrape's timeout (1) or not (0).", this.redises, (redis) => redis.ping());
    this.redisMemory ??= this.memoryGauge();
    this.redises.add(redis);
    return () => this.redises.delete(redis);
  }

  /**
   * Asks the records database `SELECT 1` at each scrape (`civic_database_up`). Only a role that
   * holds the database (the worker) reports it: the web role never touches it.
   */
  watchDatabase(database: ProbedDatabase): Unwatch {
    this.databaseUp ??= this.upGauge("database_up", "Whether the records database answered SELECT 1 within the scrape's timeout (1) or not (0).", this.databases, (database) =>
      database.query("SELECT 1"),
    );
    this.databases.add(database);
    return () => this.databases.delete(database);
  }

  /**
   * Redis's memory (`INFO memory`), read at each scrape on the first watched connection that
   * answers in time: what it uses, and its `maxmemory` (0: no limit). With `noeviction`, a full
   * Redis refuses writes and every caller hears the fallback. Left out when no connection answers.
   */
  private memoryGauge(): Gauge {
    const timeout = this.probeTimeoutMs;
    const redises = this.redises;
    return new Gauge({
      name: `${METRICS_PREFIX}redis_memory_bytes`,
      help: "Redis's memory: used (used_memory), and max (maxmemory, 0 when it has no limit), read at each scrape.",
      labelNames: ["kind"],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const redis of redises) {
          const info = await within(timeout, redis.info("memory")).catch(() => null);
          if (info === null) continue;
          const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(info)?.[1]);
          if (Number.isFinite(field("used_memory"))) this.set({ kind: "used" }, field("used_memory"));
          if (Number.isFinite(field("maxmemory"))) this.set({ kind: "max" }, field("maxmemory"));
          return;
        }
      },
    });
  }

  /**
   * A 0/1 gauge probing each watched target at scrape time. Registered only once something is
   * watched: a role that cannot see the database must not report it down.
   */
  private upGauge<T>(name: string, help: string, targets: Set<T>, probe: (target: T) => Promise<unknown>): Gauge {
    const timeout = this.probeTimeoutMs;
    return new Gauge({
      name: `${METRICS_PREFIX}${name}`,
      help,
      registers: [this.registry],
      async collect() {
        const answers = await Promise.all(
          [...targets].map((target) =>
            within(timeout, probe(target)).then(
              () => true,
              () => false,
            ),
          ),
        );
        // Nothing left to ask (its role stopped) is not up either.
        this.set(answers.length > 0 && answers.every(Boolean) ? 1 : 0);
      },
    });
  }
}

/** The store did not answer a scrape's probe in time. */
export class ProbeTimeoutError extends Error {
  override readonly name = "ProbeTimeoutError";
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** `promise`, or a {@link ProbeTimeoutError} after `ms`; the timer never holds the process open. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeoutError(ms)), ms);
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
