/**
 * The City's figures, computed by the database: one aggregate query per part of the report,
 * grouped by interval, with `percentile_cont` for medians. The same SQL runs on a server and on
 * PGlite.
 *
 * The intervals' boundaries are instants worked out by luxon in the City's zone and handed to
 * the database (`width_bucket` over their starts), never the zone itself: the database's time
 * zone data need not be the line's. (PGlite 0.5.14 has America/Edmonton on UTC-6 for good from
 * March 2026, where Node's and Debian's data still change the clocks in November: grouping by
 * `AT TIME ZONE` would put a call in a different day depending on the database.)
 */
import type { DateTime } from "luxon";
import type { Hours } from "../../domain/hours/index.js";
import { CALLBACK_SERVICE, type RequestChannel } from "../../domain/records.js";
import {
  assembleReport,
  CALLBACK_AGE_BRACKETS,
  type CallAggregate,
  type CallbackAggregate,
  type HourAggregate,
  type IncidentAggregate,
  type QueueAggregate,
  type ReportAggregates,
  type RequestsClosedAggregate,
  type RequestsMadeAggregate,
} from "../../domain/reports/assemble.js";
import { overdueCutoff } from "../../domain/reports/callbacks.js";
import { parseReportRequest, reportPeriod, type ReportPeriod, type ReportRequest } from "../../domain/reports/period.js";
import { OPEN_CALLBACKS_LISTED, type Report, type ReportInterval, type ReportSettings } from "../../domain/reports/report.js";
import type { Queryable } from "./database.js";
import { iso, orNull } from "./rows.js";

export interface ComputeReportOptions {
  /** First day, `yyyy-MM-dd`, in the hours' zone. */
  from: string;
  /** Last day, inclusive. */
  to: string;
  /** Omitted: days for a month or less, weeks for a quarter, months beyond. */
  by?: ReportInterval;
  /** The City's hours: their zone is the report's, and they say what a business day is (overdue callbacks). */
  hours: Hours;
  settings: ReportSettings;
  /** Now: open callbacks are counted at the period's end, or now if that is sooner. */
  now: DateTime;
}

type Row = Record<string, unknown>;

const count = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const seconds = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const text = (value: unknown): string | null => orNull(value, String);
/** The database's interval number (1 for the first) as an index into the period's intervals; null for the whole period. */
const intervalOf = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value) - 1);

/**
 * The interval a time falls in, numbered from 1: $3 holds the intervals' starts, in order. The
 * rows are already limited to [$1, $2), so every time falls in one.
 */
const interval = (column: string) => `width_bucket(${column}, $3::timestamptz[])`;

/**
 * Every call of the period with what the figures need to know of it. A call "made a request" when
 * it gave out a reference or a request carries its CallSid; it "was abandoned in the queue" when
 * the caller hung up waiting there (QueueResult hangup, or the call ended with no result yet).
 */
const PERIOD_CALLS = `
  WITH c AS (
    SELECT ${interval("calls.started_at")} AS interval,
           calls.outcome,
           calls.after_hours,
           calls.queue,
           calls.queue_wait_seconds AS wait,
           (calls.outcome = 'abandoned' AND calls.queue IS NOT NULL AND (calls.queue_result IS NULL OR calls.queue_result = 'hangup')) AS abandoned_in_queue,
           (calls.reference IS NULL AND requests.reference IS NULL) AS no_request
      FROM calls LEFT JOIN service_requests AS requests ON requests.call_sid = calls.call_sid
     WHERE calls.started_at >= $1::timestamptz AND calls.started_at < $2::timestamptz
  )`;

const CALLS_SQL = `${PERIOD_CALLS}
  SELECT interval,
         count(*) AS offered,
         count(*) FILTER (WHERE after_hours) AS after_hours,
         count(*) FILTER (WHERE outcome = 'answered-by-ivr') AS answered_by_ivr,
         count(*) FILTER (WHERE queue IS NOT NULL) AS queued,
         count(*) FILTER (WHERE outcome = 'queued-to-agent') AS answered_by_agent,
         count(*) FILTER (WHERE abandoned_in_queue) AS abandoned_in_queue,
         count(*) FILTER (WHERE abandoned_in_queue AND wait <= $4) AS abandoned_in_queue_short,
         count(*) FILTER (WHERE outcome = 'abandoned' AND NOT abandoned_in_queue) AS abandoned_in_ivr,
         count(*) FILTER (WHERE outcome = 'voicemail') AS voicemail,
         count(*) FILTER (WHERE outcome = 'transferred') AS transferred,
         count(*) FILTER (WHERE outcome = 'urgent-report') AS urgent_reports,
         count(*) FILTER (WHERE outcome IN ('answered-by-ivr', 'queued-to-agent') AND no_request) AS without_further_action
    FROM c
   GROUP BY GROUPING SETS ((interval), ())`;

const QUEUES_SQL = `${PERIOD_CALLS}
  SELECT interval, queue,
         count(*) AS queued,
         count(*) FILTER (WHERE outcome = 'queued-to-agent') AS answered,
         count(*) FILTER (WHERE abandoned_in_queue) AS abandoned,
         count(*) FILTER (WHERE abandoned_in_queue AND wait <= $4) AS abandoned_short,
         count(*) FILTER (WHERE outcome = 'queued-to-agent' AND wait <= $5) AS answered_within,
         avg(wait) FILTER (WHERE outcome = 'queued-to-agent') AS average_speed_of_answer,
         max(wait) AS longest_wait
    FROM c
   WHERE queue IS NOT NULL
   GROUP BY GROUPING SETS ((interval, queue), (queue))`;

const REQUESTS_MADE_SQL = `
  SELECT ${interval("requested_at")} AS interval, service, department, channel, (incident IS NOT NULL) AS urgent, count(*) AS created
    FROM service_requests
   WHERE requested_at >= $1::timestamptz AND requested_at < $2::timestamptz
   GROUP BY 1, 2, 3, 4, 5`;

const REQUESTS_CLOSED_SQL = `
  SELECT interval, count(*) AS closed, percentile_cont(0.5) WITHIN GROUP (ORDER BY took) AS median_time_to_close
    FROM (SELECT ${interval("closed_at")} AS interval, extract(epoch FROM closed_at - requested_at) AS took
            FROM service_requests
           WHERE closed_at >= $1::timestamptz AND closed_at < $2::timestamptz) AS closed
   GROUP BY GROUPING SETS ((interval), ())`;

// Ordered-set aggregates skip nulls: an incident never acknowledged is in neither percentile.
const INCIDENTS_SQL = `
  SELECT interval, category,
         count(*) AS incidents,
         count(took) AS acknowledged,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY took) AS median_ack,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY took) AS p90_ack,
         count(*) FILTER (WHERE escalations > 0) AS escalated,
         coalesce(sum(escalations), 0) AS escalations,
         count(*) FILTER (WHERE alarm) AS alarms
    FROM (SELECT ${interval("opened_at")} AS interval, category, escalations, alarm,
                 extract(epoch FROM acknowledged_at - opened_at) AS took
            FROM incidents
           WHERE opened_at >= $1::timestamptz AND opened_at < $2::timestamptz) AS opened
   GROUP BY GROUPING SETS ((interval, category), (interval), (category), ())`;

/** Calls by the hour of the period they started in, counted from its start: `hourSlots` says which weekday and hour each is. */
const CALLS_BY_HOUR_SQL = `
  SELECT floor(extract(epoch FROM started_at - $1::timestamptz) / 3600) AS hour, count(*) AS calls
    FROM calls
   WHERE started_at >= $1::timestamptz AND started_at < $2::timestamptz
   GROUP BY 1`;

/** Callbacks made before $1 and not closed by then, with their age at $1 in seconds. */
const OPEN_CALLBACKS = `
  FROM service_requests
 WHERE service = $2 AND requested_at < $1::timestamptz AND (closed_at IS NULL OR closed_at > $1::timestamptz)`;

const CALLBACKS_SQL = `
  SELECT count(*) AS open,
         count(*) FILTER (WHERE requested_at < $3::timestamptz) AS overdue,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY age) AS median_age,
         max(age) AS oldest_age,
         count(*) FILTER (WHERE age < $4) AS under_one_day,
         count(*) FILTER (WHERE age >= $4 AND age < $5) AS one_to_three_days,
         count(*) FILTER (WHERE age >= $5 AND age < $6) AS three_to_seven_days,
         count(*) FILTER (WHERE age >= $6) AS over_seven_days
    FROM (SELECT requested_at, extract(epoch FROM $1::timestamptz - requested_at) AS age ${OPEN_CALLBACKS}) AS open`;

const OLDEST_CALLBACKS_SQL = `SELECT reference, requested_at ${OPEN_CALLBACKS} ORDER BY requested_at, reference LIMIT ${OPEN_CALLBACKS_LISTED}`;

/**
 * The report for a period: the figures for the period and each interval, in the hours' zone.
 *
 * @throws ReportRequestError when the dates or the interval cannot be read
 * @example await computeReport(db, { from: "2026-12-01", to: "2026-12-31", by: "week", hours, settings: { serviceLevelSeconds: 60, shortAbandonSeconds: 10 }, now: DateTime.now() })
 */
export async function computeReport(db: Queryable, options: ComputeReportOptions): Promise<Report> {
  const request = parseReportRequest({ from: options.from, to: options.to, by: options.by });
  const period = reportPeriod(request, options.hours.zone);
  const asOf = options.now < period.end ? options.now : period.end;
  const cutoff = overdueCutoff(options.hours, asOf);
  const aggregates = await reportAggregates(db, period, options.settings, asOf, cutoff);
  return assembleReport(period, aggregates, { settings: options.settings, generatedAt: options.now, asOf, overdueIfLeftBefore: cutoff });
}

/** Runs the report's queries (side by side on a server's pool; PGlite takes them in turn). */
export async function reportAggregates(
  db: Queryable,
  period: ReportPeriod,
  settings: ReportSettings,
  asOf: DateTime,
  cutoff: DateTime | null,
): Promise<ReportAggregates> {
  const range = [period.start.toUTC().toISO(), period.end.toUTC().toISO()];
  const intervals = [...range, period.intervals.map((interval) => interval.start.toUTC().toISO())];
  const [calls, queues, made, closed, incidents, byHour, callbacks, oldest] = await Promise.all([
    db.query<Row>(CALLS_SQL, [...intervals, settings.shortAbandonSeconds]),
    db.query<Row>(QUEUES_SQL, [...intervals, settings.shortAbandonSeconds, settings.serviceLevelSeconds]),
    db.query<Row>(REQUESTS_MADE_SQL, intervals),
    db.query<Row>(REQUESTS_CLOSED_SQL, intervals),
    db.query<Row>(INCIDENTS_SQL, intervals),
    db.query<Row>(CALLS_BY_HOUR_SQL, range),
    db.query<Row>(CALLBACKS_SQL, [
      asOf.toISO(),
      CALLBACK_SERVICE,
      cutoff?.toISO() ?? null,
      CALLBACK_AGE_BRACKETS.oneDay,
      CALLBACK_AGE_BRACKETS.threeDays,
      CALLBACK_AGE_BRACKETS.sevenDays,
    ]),
    db.query<Row>(OLDEST_CALLBACKS_SQL, [asOf.toISO(), CALLBACK_SERVICE]),
  ]);
  return {
    calls: calls.map(
      (row): CallAggregate => ({
        interval: intervalOf(row.interval),
        offered: count(row.offered),
        afterHours: count(row.after_hours),
        answeredByIvr: count(row.answered_by_ivr),
        queued: count(row.queued),
        answeredByAgent: count(row.answered_by_agent),
        abandonedInQueue: count(row.abandoned_in_queue),
        abandonedInQueueShort: count(row.abandoned_in_queue_short),
        abandonedInIvr: count(row.abandoned_in_ivr),
        voicemail: count(row.voicemail),
        transferred: count(row.transferred),
        urgentReports: count(row.urgent_reports),
        answeredWithoutFurtherAction: count(row.without_further_action),
      }),
    ),
    queues: queues.map(
      (row): QueueAggregate => ({
        interval: intervalOf(row.interval),
        queue: String(row.queue),
        queued: count(row.queued),
        answered: count(row.answered),
        abandoned: count(row.abandoned),
        abandonedShort: count(row.abandoned_short),
        answeredWithinServiceLevel: count(row.answered_within),
        averageSpeedOfAnswerSeconds: seconds(row.average_speed_of_answer),
        longestWaitSeconds: seconds(row.longest_wait),
      }),
    ),
    requestsMade: made.map(
      (row): RequestsMadeAggregate => ({
        interval: Number(row.interval) - 1,
        service: String(row.service),
        department: text(row.department),
        channel: row.channel as RequestChannel,
        urgent: Boolean(row.urgent),
        created: count(row.created),
      }),
    ),
    requestsClosed: closed.map(
      (row): RequestsClosedAggregate => ({
        interval: intervalOf(row.interval),
        closed: count(row.closed),
        medianTimeToCloseSeconds: seconds(row.median_time_to_close),
      }),
    ),
    incidents: incidents.map(
      (row): IncidentAggregate => ({
        interval: intervalOf(row.interval),
        category: text(row.category),
        incidents: count(row.incidents),
        acknowledged: count(row.acknowledged),
        medianTimeToAcknowledgeSeconds: seconds(row.median_ack),
        p90TimeToAcknowledgeSeconds: seconds(row.p90_ack),
        escalated: count(row.escalated),
        escalations: count(row.escalations),
        alarms: count(row.alarms),
      }),
    ),
    callsByHour: byHour.map((row): HourAggregate => ({ hour: count(row.hour), calls: count(row.calls) })),
    callbacks: callbackAggregate(callbacks[0] ?? {}, oldest),
  };
}

function callbackAggregate(row: Row, oldest: Row[]): CallbackAggregate {
  return {
    open: count(row.open),
    overdue: count(row.overdue),
    medianAgeSeconds: seconds(row.median_age),
    oldestAgeSeconds: seconds(row.oldest_age),
    ages: {
      underOneDay: count(row.under_one_day),
      oneToThreeDays: count(row.one_to_three_days),
      threeToSevenDays: count(row.three_to_seven_days),
      overSevenDays: count(row.over_seven_days),
    },
    oldest: oldest.map((callback) => ({ reference: String(callback.reference), requestedAt: iso(callback.requested_at) })),
  };
}

/**
 * The City's figures for a period, from the records database, with the live hours (the zone and
 * the business days) and the reports' settings: what the API and the console ask.
 */
export function cityReports(db: Queryable, context: { hours: () => Hours; settings: ReportSettings; clock: () => DateTime }): (request: ReportRequest) => Promise<Report> {
  return (request) => computeReport(db, { ...request, hours: context.hours(), settings: context.settings, now: context.clock() });
}
