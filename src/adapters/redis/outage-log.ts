import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { RedisLocation } from "../../config/env.js";
import type { Logger } from "../../logger.js";
import { credentialsProblem, describeRedis, refusesCredentials } from "./connections.js";

/** How often, at most, a lasting outage is mentioned again. */
export const OUTAGE_REMINDER_MS = 60_000;

/**
 * How long after an error that came while the connections looked ready to look again: a reset
 * socket closes its connection well within it.
 */
const SETTLE_MS = 200;

/** The socket errors of a Redis (or a sentinel) that cannot be reached, or stopped answering. */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ECONNABORTED"]);

/** ioredis' words for a command Redis did not answer within the connection's `commandTimeout`. */
const TIMED_OUT = /^Command timed out/;

/**
 * ioredis' and BullMQ's words for a connection that is gone or never came: closed under a
 * command, every sentinel unreachable (or refusing), a command refused while disconnected,
 * retried too often, or unanswered within its timeout.
 */
const UNREACHABLE_MESSAGES = [
  /^Connection is closed/,
  /^All sentinels are unreachable/,
  /^Stream isn't writeable/,
  /^Reached the max retries per request limit/,
  TIMED_OUT,
  /^connect ETIMEDOUT/,
];

/**
 * True when `error` is a command Redis did not answer in time: unlike a refused command, Redis may
 * still run it once it answers again.
 */
export function commandTimedOut(error: unknown): boolean {
  return error instanceof Error && TIMED_OUT.test(error.message);
}

/**
 * True when `error` says Redis cannot be reached or used now (an outage, a failover, credentials
 * refused: every reconnect fails alike until it is over), rather than that something went wrong
 * in it.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code && UNREACHABLE_CODES.has(code)) return true;
  return UNREACHABLE_MESSAGES.some((words) => words.test(error.message)) || refusesCredentials(error);
}

export interface RedisOutageLogOptions {
  log: Logger;
  /** Where the connections go: named in every line, without any password. */
  where?: RedisLocation | string;
  /** @defaultValue {@link OUTAGE_REMINDER_MS} */
  reminderMs?: number;
  /** Put on every line (`{ role: "worker" }`). */
  fields?: Record<string, unknown>;
  /** Connections to {@link RedisOutageLog.follow} from the start. */
  follow?: Redis[];
  /** The clock, for tests. */
  now?: () => number;
}

/**
 * What a role says about its Redis connections' errors, in few lines: while Redis is down every
 * connection, queue and worker reports each failed reconnect (several a second), and the line that
 * matters would drown. An error that says Redis cannot be reached ({@link isConnectionError}) is
 * logged once at warn when the outage starts, with its message and no stack; then at most once a
 * minute while it lasts ("still cannot reach Redis at ..., N failed attempts in S s"); and once at
 * info when the connections it follows are all ready again ("Redis reachable again after S s").
 * Credentials the sentinels or Redis refuse are said at error instead, naming the variable to fix.
 * Any other error is logged at error with its stack, as it comes.
 *
 * One per role: hand every `error` event of its connections, queues and workers to a
 * {@link listener}, and let it {@link follow} the connections it makes, whose `ready` ends an
 * outage.
 *
 * @example
 * const outage = new RedisOutageLog({ log, where: config.redis, fields: { role: "worker" } });
 * const connection = outage.watch(createWorkerConnection(config.redis), "Redis connection (worker)");
 * queue.on("error", outage.listener("dispatch queue"));
 */
export class RedisOutageLog {
  private readonly log: Logger;
  private readonly where: string | undefined;
  private readonly location: RedisLocation | string | undefined;
  private readonly reminderMs: number;
  private readonly fields: Record<string, unknown>;
  private readonly now: () => number;
  /** The connections followed, with the listeners that follow them. */
  private readonly followed = new Map<Redis, { ready: () => void; end: () => void }>();
  private closed = false;
  /** A connection's error reaches its own listener and every queue and worker on it: counted once. */
  private readonly seen = new WeakSet<Error>();
  private outage: { since: number; attempts: number; saidAt: number } | undefined;
  /** An error that came while every followed connection looked ready, until {@link settle} tells what it was. */
  private pending: { error: Error; what: string } | undefined;
  private settling: NodeJS.Timeout | undefined;
  /** When an error was last said while every followed connection was ready (or an outage's end was). */
  private blipSaidAt = Number.NEGATIVE_INFINITY;

  constructor(options: RedisOutageLogOptions) {
    this.log = options.log;
    this.location = options.where;
    this.where = options.where === undefined ? undefined : describeRedis(options.where);
    this.reminderMs = options.reminderMs ?? OUTAGE_REMINDER_MS;
    this.fields = { ...options.fields, ...(this.where ? { redis: this.where } : {}) };
    this.now = options.now ?? Date.now;
    for (const redis of options.follow ?? []) this.follow(redis);
  }

  /** True while an outage is under way: a connection error came, and the followed connections are not all ready again. */
  get lost(): boolean {
    return this.outage !== undefined;
  }

  /**
   * The `error` listener for `what` (a connection, a queue, a worker). Errors that are not about
   * reaching Redis go to `otherwise`, or to an error line with their stack.
   */
  listener(what: string, otherwise?: (error: Error) => void): (error: Error) => void {
    return (error) => {
      if (this.connectionError(error, what)) return;
      if (otherwise) otherwise(error);
      else this.log.error({ ...this.fields, err: error }, `${what}: ${error.message}`);
    };
  }

  /**
   * Takes `error` from `what` into the outage when it is a connection error, and says true; says
   * false for any other, which the caller logs as it sees fit (a failed read it already reports).
   */
  connectionError(error: Error, what: string): boolean {
    if (!isConnectionError(error)) return false;
    if (this.closed || this.seen.has(error)) return true;
    this.seen.add(error);
    if (this.outage) {
      this.stillLost(error);
    } else if (this.followed.size > 0 && this.allReady()) {
      // Every followed connection looks ready: a socket reset says so an instant before its
      // connection closes, a hung Redis keeps them open, a straggler comes just after an outage.
      // Which it was shows a moment later.
      this.pending ??= { error, what };
      this.settling ??= setTimeout(() => this.settle(), SETTLE_MS).unref();
    } else {
      this.lose(error, what);
    }
    return true;
  }

  private lose(error: Error, what: string): void {
    const now = this.now();
    this.outage = { since: now, attempts: 1, saidAt: now };
    const problem = this.problem(error);
    if (problem) this.log.error({ ...this.fields, source: what, err: error.message }, `cannot use Redis: ${problem}`);
    else this.log.warn({ ...this.fields, source: what, err: error.message }, `cannot reach Redis${this.at()}: ${error.message}`);
  }

  private stillLost(error: Error): void {
    const outage = this.outage!;
    outage.attempts++;
    const now = this.now();
    if (now - outage.saidAt < this.reminderMs) return;
    outage.saidAt = now;
    const line = { ...this.fields, attempts: outage.attempts, lostForS: seconds(now - outage.since), err: error.message };
    const problem = this.problem(error);
    if (problem) this.log.error(line, `still cannot use Redis: ${problem} (${outage.attempts} failed attempts in ${line.lostForS} s)`);
    else this.log.warn(line, `still cannot reach Redis${this.at()}, ${outage.attempts} failed attempts in ${line.lostForS} s`);
  }

  /** A moment after an error came while every followed connection looked ready: an outage after all, or one connection's trouble? */
  private settle(): void {
    if (!this.pending) return;
    const { error, what } = this.pending;
    this.pending = undefined;
    this.settling = undefined;
    if (this.outage) return this.stillLost(error);
    if (!this.allReady()) return this.lose(error, what);
    // Redis answers the followed connections: said, no more than once a reminder interval.
    const now = this.now();
    if (now - this.blipSaidAt < this.reminderMs) return;
    this.blipSaidAt = now;
    this.log.warn({ ...this.fields, source: what, err: error.message }, `${what}: ${error.message}`);
  }

  private problem(error: Error): string | undefined {
    return this.location === undefined ? undefined : credentialsProblem(error, this.location);
  }

  /**
   * Follows `redis`: once it and the others followed are ready after an outage, Redis is reachable
   * again. Returns it. A connection closed for good (`end`) no longer counts.
   */
  follow<T extends Redis>(redis: T): T {
    if (this.closed || this.followed.has(redis)) return redis;
    const listeners = { ready: () => this.reachable(), end: () => this.unfollow(redis) };
    this.followed.set(redis, listeners);
    redis.on("ready", listeners.ready);
    redis.once("end", listeners.end);
    return redis;
  }

  /**
   * Says nothing more of connection errors (a stopping role's connections close under it) and lets
   * go of the connections it followed. Other errors are still logged. The `error` listeners stay:
   * without one, ioredis would print each error outside the log.
   */
  close(): void {
    this.closed = true;
    clearTimeout(this.settling);
    this.settling = undefined;
    this.pending = undefined;
    for (const redis of [...this.followed.keys()]) this.unfollow(redis);
  }

  private unfollow(redis: Redis): void {
    const listeners = this.followed.get(redis);
    if (!listeners) return;
    this.followed.delete(redis);
    redis.off("ready", listeners.ready);
    redis.off("end", listeners.end);
  }

  /** {@link follow}s `redis` and hands its errors to the {@link listener} for `what`. Returns it. */
  watch<T extends Redis>(redis: T, what: string): T {
    redis.on("error", this.listener(what));
    return this.follow(redis);
  }

  private allReady(): boolean {
    return [...this.followed.keys()].every((redis) => redis.status === "ready");
  }

  /** Every followed connection is ready again: the outage is over (one still away would count what it meets in it). */
  private reachable(): void {
    if (!this.outage || !this.allReady()) return;
    const { since, attempts } = this.outage;
    this.outage = undefined;
    const now = this.now();
    const lostForS = seconds(now - since);
    // Stragglers of the outage (a connection's attempt that failed just before) go unsaid.
    this.blipSaidAt = now;
    this.log.info({ ...this.fields, lostForS, attempts }, `Redis reachable again after ${lostForS} s`);
  }

  private at(): string {
    return this.where ? ` at ${this.where}` : "";
  }
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

/**
 * Hands a BullMQ worker's errors to `onError` (a role's {@link RedisOutageLog} listener), or,
 * without one, to an outage log of its own that follows the worker's connection and lets it go
 * when the worker closes.
 */
export function logWorkerErrors(worker: Worker, what: string, options: { log: Logger; connection: Redis; onError?: ((error: Error) => void) | undefined }): void {
  if (options.onError) {
    worker.on("error", options.onError);
    return;
  }
  const outage = new RedisOutageLog({ log: options.log, follow: [options.connection] });
  worker.on("error", outage.listener(what));
  worker.once("closed", () => outage.close());
}
