/**
 * Whether the line can page anyone right now, in figures and in words: what `GET /status` and
 * `npm run oncall -- status` say. Pure: the figures come in, read by {@link readLineFigures}.
 */
import type { PagerMode } from "../config/env.js";
import { HEARTBEAT_INTERVAL_MS } from "../adapters/redis/heartbeat.js";

/** What the pager field says when pages are kept in Redis instead of sent. */
export const CONSOLE_PAGER_STATUS = "console: pages are NOT being sent";

/** How the pager reads in `/readyz` and `/status`. */
export function describePager(mode: PagerMode): string {
  return mode === "console" ? CONSOLE_PAGER_STATUS : "twilio";
}

/** When the line counts as in trouble. */
export interface StatusThresholds {
  /**
   * The youngest heartbeat may be this old before the worker counts as behind (it beats every
   * {@link HEARTBEAT_INTERVAL_MS}).
   * @defaultValue 3 heartbeats: 15 s
   */
  heartbeatLateMs: number;
  /**
   * A job that has been due this long without a worker taking it means the worker is behind or
   * stuck (a healthy worker takes a due job within a second).
   * @defaultValue 60 s
   */
  dueJobLateMs: number;
}

export const DEFAULT_STATUS_THRESHOLDS: StatusThresholds = {
  heartbeatLateMs: 3 * HEARTBEAT_INTERVAL_MS,
  dueJobLateMs: 60_000,
};

/** What was read from Redis and BullMQ; `undefined` figures could not be read (Redis is down). */
export interface LineFigures {
  redis: "ok" | "not answering";
  /** The youngest live worker heartbeat's age, and how many workers beat; undefined when Redis did not answer. */
  heartbeats: { youngestAgeMs: number | undefined; workers: number; pagers: PagerMode[] } | undefined;
  dispatch:
    | {
        /** How long the job that has been due longest has waited for a worker; 0 when none is due. */
        oldestDueMs: number;
        waiting: number;
        delayed: number;
        active: number;
        failed: number;
      }
    | undefined;
  /** This process's own pager, used when no worker has said which one it uses; unknown to the command line. */
  configuredPager: PagerMode | undefined;
  /** The records handed to the worker and not yet in the database. Undefined when not read. */
  records?: RecordsBacklog;
}

/** The records handed to the worker and not yet in the database. */
export interface RecordsBacklog {
  /** Waiting their turn (none for long while the worker keeps up). */
  waiting: number;
  /** Waiting to be tried again: the database refused them. */
  retrying: number;
  /** Given up: set aside, in the worker's logs. */
  failed: number;
}

/** The line's status as `/status` answers it. Holds no secret and no phone number. */
export interface LineStatus {
  status: "ok" | "trouble";
  web: "up";
  redis: "ok" | "not answering";
  worker: { heartbeatAgeSeconds: number | "missing" | "unknown"; processes: number | "unknown" };
  dispatch: { oldestDueJobDelaySeconds: number; waiting: number; delayed: number; active: number; failed: number } | "unknown";
  pager: string;
  records?: RecordsBacklog;
  /** What is wrong, in plain words, with what to do. Empty when all is well. */
  problems: string[];
}

/**
 * Turns the figures into a status: trouble when Redis does not answer, when no worker has beaten
 * lately (missing), when its heartbeat or the oldest due job is late (behind), or when pages are
 * not being sent (the console pager): each is a night a crew would not hear of a report.
 */
export function assessLineStatus(figures: LineFigures, thresholds: StatusThresholds = DEFAULT_STATUS_THRESHOLDS): LineStatus {
  const problems: string[] = [];
  if (figures.redis !== "ok") {
    problems.push("Redis does not answer: calls get the fallback and no report reaches the crew. Check REDIS_URL and the Redis server.");
  }
  const beats = figures.heartbeats;
  if (beats && beats.youngestAgeMs === undefined) {
    problems.push(
      "No worker is running: no worker has left a heartbeat in Redis lately, so nobody takes reports off oncall-dispatch and nobody is paged. Start one (npm run start:worker, or npm start).",
    );
  } else if (beats?.youngestAgeMs !== undefined && beats.youngestAgeMs > thresholds.heartbeatLateMs) {
    problems.push(
      `The worker is behind: its last heartbeat was ${seconds(beats.youngestAgeMs)} s ago (it beats every ${seconds(HEARTBEAT_INTERVAL_MS)} s). Check its logs; restart it if it stays behind.`,
    );
  }
  const dispatch = figures.dispatch;
  if (dispatch && dispatch.oldestDueMs > thresholds.dueJobLateMs) {
    problems.push(
      `The worker is behind: a job on oncall-dispatch has been due for ${inWords(dispatch.oldestDueMs)} without a worker taking it. Reports and pages are waiting. Restart the worker; start another if it is overloaded.`,
    );
  }
  const pagers = beats && beats.pagers.length > 0 ? beats.pagers : figures.configuredPager ? [figures.configuredPager] : [];
  if (pagers.includes("console")) {
    problems.push(
      "Pages are NOT being sent: the worker uses the console pager (PAGER=console, or development without Twilio credentials), so no crew is texted or called. Set TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER, and restart.",
    );
  }
  const records = figures.records;
  if (records && records.retrying > 0) {
    problems.push(
      `Records are waiting for the database: ${records.retrying} could not be written yet and are tried again every minute (calls and pages go on; nothing is lost). Check DATABASE_URL and the database server, and the worker's logs.`,
    );
  }
  if (records && records.failed > 0) {
    problems.push(`${records.failed} record(s) could not be written and were set aside: see the worker's logs ("records:").`);
  }
  return {
    status: problems.length === 0 ? "ok" : "trouble",
    web: "up",
    redis: figures.redis,
    worker: beats
      ? { heartbeatAgeSeconds: beats.youngestAgeMs === undefined ? "missing" : seconds(beats.youngestAgeMs), processes: beats.workers }
      : { heartbeatAgeSeconds: "unknown", processes: "unknown" },
    dispatch: dispatch
      ? {
          oldestDueJobDelaySeconds: seconds(dispatch.oldestDueMs),
          waiting: dispatch.waiting,
          delayed: dispatch.delayed,
          active: dispatch.active,
          failed: dispatch.failed,
        }
      : "unknown",
    pager: pagers.length === 0 ? "unknown: no worker says" : describePager(pagers.includes("console") ? "console" : "twilio"),
    ...(records ? { records } : {}),
    problems,
  };
}

function seconds(ms: number): number {
  return Math.floor(ms / 1_000);
}

/** `4 min 3 s`, `45 s`, `2 h 5 min`. */
export function inWords(ms: number): string {
  const total = seconds(ms);
  const hours = Math.floor(total / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const rest = total % 60;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min ${rest} s`;
  return `${rest} s`;
}
