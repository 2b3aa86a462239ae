import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { DateTime } from "luxon";
import { z } from "zod";
import type { PagerMode } from "../../config/env.js";
import type { SendingRates } from "../../domain/oncall/sending-limits.js";
import { DEFAULT_KEY_PREFIX } from "./keys.js";

/** How often each worker process leaves its heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * How long a heartbeat counts: a worker silent this long is missing. The hash of heartbeats
 * expires after it too, so a line whose workers all died has no heartbeat at all.
 */
export const HEARTBEAT_TTL_MS = 30_000;

/** The Redis hash of worker heartbeats: one field per worker process, its last beat as JSON. */
export function heartbeatKey(prefix: string = DEFAULT_KEY_PREFIX): string {
  return `${prefix}worker:heartbeat`;
}

/** What a worker process says each time it beats. No secrets, no phone numbers: `/status` shows it. */
export const WorkerBeat = z.object({
  workerId: z.string(),
  /** When it beat, ISO 8601 in the City's zone. */
  at: z.string(),
  host: z.string(),
  pid: z.number().int(),
  pager: z.enum(["twilio", "console"]),
  /** The sending limits its send workers keep (TWILIO_CALLS_PER_SECOND, TWILIO_SMS_PER_SECOND): `/status` judges the send queues by them. */
  sendingRates: z.object({ callsPerSecond: z.number().positive(), smsPerSecond: z.number().positive() }).optional(),
});
export type WorkerBeat = z.infer<typeof WorkerBeat>;

export interface WorkerHeartbeatOptions {
  redis: Redis;
  pager: PagerMode;
  /** The sending limits this worker's send workers keep, said in each beat. */
  sendingRates?: SendingRates;
  /** The clock that stamps each beat: the City's zone. */
  clock: () => DateTime;
  /** @defaultValue `civic:` ({@link DEFAULT_KEY_PREFIX}) */
  keyPrefix?: string;
  /** @defaultValue `<host>-<pid>-<random>` */
  workerId?: string;
  /** @defaultValue {@link HEARTBEAT_INTERVAL_MS} */
  intervalMs?: number;
  /** @defaultValue {@link HEARTBEAT_TTL_MS} */
  ttlMs?: number;
  /** Whether the process still does its work (BullMQ's `worker.isRunning()`): no beat while it does not. */
  alive?: () => boolean;
  /** Told when a beat could not be written (Redis down): the heartbeat then ages, which is the point. */
  onError?: (error: Error) => void;
}

/**
 * A worker process's heartbeat in Redis: every few seconds it writes the time into the hash
 * {@link heartbeatKey} under its own id and renews the hash's TTL. `/status` and
 * `npm run oncall -- status` read it with {@link readHeartbeats}. It proves the process is alive
 * and reaches Redis, not that it takes jobs: the age of the oldest due job says that.
 *
 * @example
 * const heartbeat = await new WorkerHeartbeat({ redis, pager: "twilio", clock }).start();
 * // ... on SIGTERM
 * await heartbeat.stop();
 */
export class WorkerHeartbeat {
  readonly workerId: string;
  readonly #redis: Redis;
  readonly #key: string;
  readonly #pager: PagerMode;
  readonly #sendingRates: SendingRates | undefined;
  readonly #clock: () => DateTime;
  readonly #intervalMs: number;
  readonly #ttlMs: number;
  readonly #onError: (error: Error) => void;
  readonly #alive: () => boolean;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(options: WorkerHeartbeatOptions) {
    this.#redis = options.redis;
    this.#key = heartbeatKey(options.keyPrefix);
    this.#pager = options.pager;
    this.#sendingRates = options.sendingRates;
    this.#clock = options.clock;
    this.#intervalMs = options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
    this.#ttlMs = options.ttlMs ?? HEARTBEAT_TTL_MS;
    this.#onError = options.onError ?? (() => {});
    this.#alive = options.alive ?? (() => true);
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
  }

  /** Writes one beat now, and forgets the beats of workers gone longer than the TTL. */
  async beat(): Promise<void> {
    const now = this.#clock();
    const beat: WorkerBeat = {
      workerId: this.workerId,
      at: now.toISO()!,
      host: hostname(),
      pid: process.pid,
      pager: this.#pager,
      ...(this.#sendingRates ? { sendingRates: this.#sendingRates } : {}),
    };
    const results = await this.#redis.multi().hset(this.#key, this.workerId, JSON.stringify(beat)).pexpire(this.#key, this.#ttlMs).hgetall(this.#key).exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (!results || failed) throw failed ?? new Error("the heartbeat transaction was discarded");
    const all = (results[2]?.[1] ?? {}) as Record<string, string>;
    const gone = Object.entries(all)
      .filter(([, raw]) => {
        const other = parseBeat(raw);
        return !other || now.diff(DateTime.fromISO(other.at)).toMillis() > this.#ttlMs;
      })
      .map(([id]) => id);
    if (gone.length > 0) await this.#redis.hdel(this.#key, ...gone);
  }

  /**
   * Beats now, then every interval until {@link stop}; resolves once the first beat is written or
   * has failed (told to `onError`), or after two seconds of a Redis that does not answer: the
   * worker starts anyway, and its beat is written when Redis is back. The timer does not keep
   * the process alive.
   */
  async start(): Promise<this> {
    const beat = async () => {
      // While Redis is away a beat waits in the connection's queue: one is enough.
      if (!this.#alive() || this.#inFlight) return;
      this.#inFlight = this.beat().catch((error: unknown) => this.#onError(error instanceof Error ? error : new Error(String(error))));
      await this.#inFlight;
      this.#inFlight = undefined;
    };
    await withinOrGiveUp(beat(), STOP_WAIT_MS);
    this.#timer = setInterval(() => void beat(), this.#intervalMs);
    this.#timer.unref();
    return this;
  }

  /**
   * Stops beating and removes this worker's beat, so a clean stop is not mistaken for a stuck
   * worker. Never holds a shutdown up for long: with Redis away, the beat simply ages out.
   */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    // A beat on its way would write this worker back after the removal.
    await withinOrGiveUp(this.#inFlight ?? Promise.resolve(), STOP_WAIT_MS);
    await withinOrGiveUp(this.#redis.hdel(this.#key, this.workerId), STOP_WAIT_MS);
  }
}

/** The workers' latest beats, newest first; beats older than `ttlMs` at `now` are left out. */
export async function readHeartbeats(
  redis: Redis,
  now: DateTime,
  options: { keyPrefix?: string; ttlMs?: number } = {},
): Promise<(WorkerBeat & { ageMs: number })[]> {
  const ttlMs = options.ttlMs ?? HEARTBEAT_TTL_MS;
  const all = await redis.hgetall(heartbeatKey(options.keyPrefix));
  return Object.values(all)
    .map(parseBeat)
    .filter((beat): beat is WorkerBeat => beat !== undefined)
    .map((beat) => ({ ...beat, ageMs: Math.max(0, now.diff(DateTime.fromISO(beat.at)).toMillis()) }))
    .filter((beat) => beat.ageMs <= ttlMs)
    .sort((a, b) => a.ageMs - b.ageMs);
}

/** How long a start or a stop waits for Redis before going on without it. */
const STOP_WAIT_MS = 2_000;

async function withinOrGiveUp(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function parseBeat(raw: string): WorkerBeat | undefined {
  try {
    const parsed = WorkerBeat.safeParse(JSON.parse(raw));
    return parsed.success && DateTime.fromISO(parsed.data.at).isValid ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
