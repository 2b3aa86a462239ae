/**
 * Whether the line can page anyone right now, in figures and in words: what `GET /status` and
 * `npm run oncall -- status` say. Pure: the figures come in, read by {@link readLineFigures}.
 */
import type { PagerMode } from "../config/env.js";
import { HEARTBEAT_INTERVAL_MS } from "../adapters/redis/heartbeat.js";
import { MAX_TEXT_SEGMENTS, pagingBoundMs, type SendingRates } from "../domain/oncall/sending-limits.js";

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
  /**
   * How much longer than Twilio's sending limits explain the oldest first page on a send queue
   * may wait before the line counts as behind: what Twilio's answers and the worker's own work
   * add on top of the limits.
   * @defaultValue 10 s
   */
  sendLateMs: number;
}

export const DEFAULT_STATUS_THRESHOLDS: StatusThresholds = {
  heartbeatLateMs: 3 * HEARTBEAT_INTERVAL_MS,
  dueJobLateMs: 60_000,
  sendLateMs: 10_000,
};

/** What waits on one send queue (`twilio-sms`, `twilio-calls`). */
export interface SendQueueFigures {
  /** Sends waiting their turn. */
  waiting: number;
  /** How long the send that has waited longest has waited; 0 when none waits. */
  oldestWaitMs: number;
  /** First pages among them. */
  firstPages: number;
  /** How long the oldest first page has waited; 0 when none waits. */
  oldestFirstPageWaitMs: number;
  /** Sends of this kind that started going out since the oldest first page was queued: the most that can have gone before it. */
  sentSinceOldestFirstPage: number;
}

/** What was read from Redis and BullMQ; `undefined` figures could not be read (Redis is down). */
export interface LineFigures {
  redis: "ok" | "not answering";
  /** When Redis answers on the connection the figures were read through but not on these (named by what they serve). */
  unansweredConnections?: string[];
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
  /** What waits on the send queues, and the rates they are sent at (undefined when nobody says). Undefined when not read. */
  sending?: { sms: SendQueueFigures; calls: SendQueueFigures; rates: SendingRates | undefined };
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
  /** The send queues: what waits on each, how long the oldest has waited, and the rate it is sent at. */
  sending?: { "twilio-sms": SendQueueStatus; "twilio-calls": SendQueueStatus };
  /** What is wrong, in plain words, with what to do. Empty when all is well. */
  problems: string[];
}

/** One send queue as `/status` shows it. */
export interface SendQueueStatus {
  waiting: number;
  oldestWaitSeconds: number;
  firstPages: number;
  oldestFirstPageWaitSeconds: number;
  /** The rate its sends go out at, as the workers say; unknown when no worker says and this process does not know. */
  perSecond: number | "unknown";
}

/**
 * Turns the figures into a status: trouble when Redis does not answer, when no worker has beaten
 * lately (missing), when its heartbeat or the oldest due job is late (behind), or when pages are
 * not being sent (the console pager): each is a night a crew would not hear of a report.
 */
export function assessLineStatus(figures: LineFigures, thresholds: StatusThresholds = DEFAULT_STATUS_THRESHOLDS): LineStatus {
  const problems: string[] = [];
  if (figures.unansweredConnections?.length) {
    problems.push(
      `Redis does not answer on ${figures.unansweredConnections.join(" and ")}, though it answers on this process's other connection: calls get the fallback. The connection reconnects by itself; if this lasts, restart the web role (npm run start:web, or npm start).`,
    );
  } else if (figures.redis !== "ok") {
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
  const sending = figures.sending;
  for (const kind of ["sms", "calls"] as const) {
    const late = sending ? sendingBehind(kind, sending[kind], sending.rates, thresholds) : undefined;
    if (late) problems.push(late);
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
    ...(sending
      ? {
          sending: {
            "twilio-sms": sendQueueStatus(sending.sms, sending.rates?.smsPerSecond),
            "twilio-calls": sendQueueStatus(sending.calls, sending.rates?.callsPerSecond),
          },
        }
      : {}),
    problems,
  };
}

const SEND_QUEUE_NAMES = { sms: "twilio-sms", calls: "twilio-calls" } as const;

function sendQueueStatus(figures: SendQueueFigures, perSecond: number | undefined): SendQueueStatus {
  return {
    waiting: figures.waiting,
    oldestWaitSeconds: seconds(figures.oldestWaitMs),
    firstPages: figures.firstPages,
    oldestFirstPageWaitSeconds: seconds(figures.oldestFirstPageWaitMs),
    perSecond: perSecond ?? "unknown",
  };
}

/**
 * The line is behind on a send queue when its oldest first page has waited longer than the limit
 * explains: every send that can have gone before it (those of its kind started since it was
 * queued) and itself, one interval each ({@link pagingBoundMs}; a text two, the segments it takes
 * at most), and the threshold's margin. Unjudged when the rates are unknown.
 */
function sendingBehind(kind: "sms" | "calls", figures: SendQueueFigures, rates: SendingRates | undefined, thresholds: StatusThresholds): string | undefined {
  if (!rates || figures.firstPages === 0) return undefined;
  const sends = figures.sentSinceOldestFirstPage + 1;
  const allowedMs = pagingBoundMs(kind === "sms" ? { sms: sends * MAX_TEXT_SEGMENTS, calls: 0 } : { sms: 0, calls: sends }, rates);
  if (figures.oldestFirstPageWaitMs <= allowedMs + thresholds.sendLateMs) return undefined;
  const rate = sendingRate(kind, kind === "sms" ? rates.smsPerSecond : rates.callsPerSecond);
  const since = figures.sentSinceOldestFirstPage;
  const segments = kind === "sms" ? `, ${MAX_TEXT_SEGMENTS} segments ${since === 0 ? "" : "each "}at most,` : "";
  const before = since === 0 ? `it alone${segments} takes` : `it and the ${since} send${since === 1 ? "" : "s"} of its kind started since it was queued${segments} take`;
  return (
    `Pages are going out slower than Twilio's limits allow on ${SEND_QUEUE_NAMES[kind]}: the oldest first page has waited ${inWords(figures.oldestFirstPageWaitMs)}, ` +
    `where at ${rate} ${before} ${inWords(allowedMs)}. ` +
    `Check the worker's logs: "Twilio asked us to slow down" (a 429 holds every send of the kind for as long as Twilio asks) or "send worker error"; restart the worker if it says neither.`
  );
}

/** `1 SMS segment a second`, `2 calls a second`, `1 call a second`. */
export function sendingRate(kind: "sms" | "calls", perSecond: number): string {
  return kind === "sms" ? `${perSecond} SMS segment${perSecond === 1 ? "" : "s"} a second` : `${perSecond} call${perSecond === 1 ? "" : "s"} a second`;
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
