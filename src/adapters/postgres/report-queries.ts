/**
 * The City's figures, computed by the database: one aggregate query per part of the report,
 * grouped by the interval in the City's zone (`date_trunc` of the local time, so days and DST are
 * the zone's), with `percentile_cont` for medians. The same SQL runs on a server and on PGlite.
 */
import type { DateTime } from "luxon";
import type { Hours } from "../../domain/hours/index.js";
import { CALLBACK_SERVICE, type RequestChannel } from "../../domain/records.js";
import {
  assembleReport,
  CALLBACK_AGE_BRACKETS,
  type CallAggregate,
  type CallbackAggregate,
  type IncidentAggregate,
  type QueueAggregate,
  type ReportAggregates,
  type RequestsClosedAggregate,
  type RequestsMadeAggregate,
  type WeekdayHourAggregate,
} from "../../domain/reports/assemble.js";
import { overdueCutoff } from "../../domain/reports/callbacks.js";
import { parseReportRequest, reportPeriod, type ReportPeriod } from "../../domain/reports/period.js";
import { OPEN_CALLBACKS_LISTED, type Report, type ReportInterval, type ReportSettings } from "../../domain/reports/report.js";
import type { Queryable } from "./database.js";

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
const bucketOf = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/**
 * The local date starting the interval a time falls in, in the zone ($3) and the unit ($4): what
 * `PeriodInterval.key` is. `AT TIME ZONE` gives the local wall time, so a local day is a day
 * whatever the clocks did.
 */
const bucket = (column: string) => `to_char(date_trunc($4::text, ${column} AT TIME ZONE $3::text), 'YYYY-MM-DD')`;

/**
 * Every call of the period with what the figures need to know of it. A call "made a request" when
 * it gave out a reference or a request carries its CallSid; it "was abandoned in the queue" when
 * the caller hung up waiting there (QueueResult hangup, or the call ended with no result yet).
 */
const PERIOD_CALLS = `
  WITH c AS (
    SELECT ${bucket("calls.started_at")} AS bucket,
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
  SELECT bucket,
         count(*) AS offered,
         count(*) FILTER (WHERE after_hours) AS after_hours,
         count(*) FILTER (WHERE outcome = 'answered-by-ivr') AS answered_by_ivr,
         count(*) FILTER (WHERE queue IS NOT NULL) AS queued,
         count(*) FILTER (WHERE outcome = 'queued-to-agent') AS answered_by_agent,
         count(*) FILTER (WHERE abandoned_in_queue) AS abandoned_in_queue,
         count(*) FILTER (WHERE abandoned_in_queue AND wait <= $5) AS abandoned_in_queue_short,
         count(*) FILTER (WHERE outcome = 'abandoned' AND NOT abandoned_in_queue) AS abandoned_in_ivr,
         count(*) FILTER (WHERE outcome = 'voicemail') AS voicemail,
         count(*) FILTER (WHERE outcome = 'transferred') AS transferred,
         count(*) FILTER (WHERE outcome = 'urgent-report') AS urgent_reports,
         count(*) FILTER (WHERE outcome IN ('answered-by-ivr', 'queued-to-agent') AND no_request) AS without_further_action
    FROM c
   GROUP BY GROUPING SETS ((bucket), ())`;

const QUEUES_SQL = `${PERIOD_CALLS}
  SELECT bucket, queue,
         count(*) AS queued,
         count(*) FILTER (WHERE outcome = 'queued-to-agent') AS answered,
         count(*) FILTER (WHERE abandoned_in_queue) AS abandoned,
         count(*) FILTER (WHERE abandoned_in_queue AND wait <= $5) AS abandoned_short,
         count(*) FILTER (WHERE outcome = 'queued-to-agent' AND wait <= $6) AS answered_within,
         avg(wait) FILTER (WHERE outcome = 'queued-to-agent') AS average_speed_of_answer,
         max(wait) AS longest_wait
    FROM c
   WHERE queue IS NOT NULL
   GROUP BY GROUPING SETS ((bucket, queue), (queue))`;

const REQUESTS_MADE_SQL = `
  SELECT ${bucket("requested_at")} AS bucket, service, department, channel, (incident IS NOT NULL) AS urgent, count(*) AS created
    FROM service_requests
   WHERE requested_at >= $1::timestamptz AND requested_at < $2::timestamptz
   GROUP BY 1, 2, 3, 4, 5`;

const REQUESTS_CLOSED_SQL = `
  SELECT bucket, count(*) AS closed, percentile_cont(0.5) WITHIN GROUP (ORDER BY took) AS median_time_to_close
    FROM (SELECT ${bucket("closed_at")} AS bucket, extract(epoch FROM closed_at - requested_at) AS took
            FROM service_requests
           WHERE closed_at >= $1::timestamptz AND closed_at < $2::timestamptz) AS closed
   GROUP BY GROUPING SETS ((bucket), ())`;

// Ordered-set aggregates skip nulls: an incident never acknowledged is in neither percentile.
const INCIDENTS_SQL = `
  SELECT bucket, category,
         count(*) AS incidents,
         count(took) AS acknowledged,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY took) AS median_ack,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY took) AS p90_ack,
         count(*) FILTER (WHERE escalations > 0) AS escalated,
         coalesce(sum(escalations), 0) AS escalations,
         count(*) FILTER (WHERE alarm) AS alarms
    FROM (SELECT ${bucket("opened_at")} AS bucket, category, escalations, alarm,
                 extract(epoch FROM acknowledged_at - opened_at) AS took
            FROM incidents
           WHERE opened_at >= $1::timestamptz AND opened_at < $2::timestamptz) AS opened
   GROUP BY GROUPING SETS ((bucket, category), (bucket), (category), ())`;

const WEEKDAY_HOUR_SQL = `
  SELECT extract(isodow FROM started_at AT TIME ZONE $3::text) AS weekday,
         extract(hour FROM started_at AT TIME ZONE $3::text) AS hour,
         count(*) AS calls
    FROM calls
   WHERE started_at >= $1::timestamptz AND started_at < $2::timestamptz
   GROUP BY 1, 2`;

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
  const range = [period.start.toISO(), period.end.toISO(), period.zone, period.by];
  const [calls, queues, made, closed, incidents, weekdayHour, callbacks, oldest] = await Promise.all([
    db.query<Row>(CALLS_SQL, [...range, settings.shortAbandonSeconds]),
    db.query<Row>(QUEUES_SQL, [...range, settings.shortAbandonSeconds, settings.serviceLevelSeconds]),
    db.query<Row>(REQUESTS_MADE_SQL, range),
    db.query<Row>(REQUESTS_CLOSED_SQL, range),
    db.query<Row>(INCIDENTS_SQL, range),
    db.query<Row>(WEEKDAY_HOUR_SQL, range.slice(0, 3)),
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
        bucket: bucketOf(row.bucket),
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
        bucket: bucketOf(row.bucket),
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
        bucket: String(row.bucket),
        service: String(row.service),
        department: row.department === null || row.department === undefined ? null : String(row.department),
        channel: row.channel as RequestChannel,
        urgent: Boolean(row.urgent),
        created: count(row.created),
      }),
    ),
    requestsClosed: closed.map(
      (row): RequestsClosedAggregate => ({
        bucket: bucketOf(row.bucket),
        closed: count(row.closed),
        medianTimeToCloseSeconds: seconds(row.median_time_to_close),
      }),
    ),
    incidents: incidents.map(
      (row): IncidentAggregate => ({
        bucket: bucketOf(row.bucket),
        category: bucketOf(row.category),
        incidents: count(row.incidents),
        acknowledged: count(row.acknowledged),
        medianTimeToAcknowledgeSeconds: seconds(row.median_ack),
        p90TimeToAcknowledgeSeconds: seconds(row.p90_ack),
        escalated: count(row.escalated),
        escalations: count(row.escalations),
        alarms: count(row.alarms),
      }),
    ),
    weekdayHour: weekdayHour.map((row): WeekdayHourAggregate => ({ isoWeekday: count(row.weekday), hour: count(row.hour), calls: count(row.calls) })),
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
    oldest: oldest.map((callback) => ({ reference: String(callback.reference), requestedAt: new Date(callback.requested_at as string | Date).toISOString() })),
  };
}
