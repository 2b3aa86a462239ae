import type { DateTime } from "luxon";
import { WEEKDAYS } from "../hours/index.js";
import type { RequestChannel } from "../records.js";
import { hourSlots, type ReportPeriod } from "./period.js";
import type {
  CallbackFigures,
  CallFigures,
  Figures,
  OpenCallback,
  QueueFigures,
  Report,
  ReportSettings,
  RequestFigures,
  UrgentCounts,
  UrgentFigures,
} from "./report.js";

/*
 * What the database aggregates, in the shape the assembler reads. `interval` is the index of the
 * interval in `ReportPeriod.intervals`; null is the whole period. Medians and percentiles come
 * from the database per interval and for the whole period: they cannot be added up.
 */

export interface CallAggregate extends CallFigures {
  interval: number | null;
}

export interface QueueAggregate {
  interval: number | null;
  queue: string;
  queued: number;
  answered: number;
  abandoned: number;
  abandonedShort: number;
  answeredWithinServiceLevel: number;
  averageSpeedOfAnswerSeconds: number | null;
  longestWaitSeconds: number | null;
}

/** Requests made, counted by every key a breakdown needs; the assembler adds them up. */
export interface RequestsMadeAggregate {
  interval: number;
  service: string;
  department: string | null;
  channel: RequestChannel;
  /** Belongs to an incident: an urgent report. */
  urgent: boolean;
  created: number;
}

export interface RequestsClosedAggregate {
  interval: number | null;
  closed: number;
  medianTimeToCloseSeconds: number | null;
}

/** Incidents, by interval and category; null in either is all of them. */
export interface IncidentAggregate extends Omit<UrgentCounts, "reports"> {
  interval: number | null;
  category: string | null;
}

/** Calls offered in one hour of the period: hour 0 starts at the period's start (see `hourSlots`). */
export interface HourAggregate {
  hour: number;
  calls: number;
}

export interface CallbackAggregate {
  open: number;
  overdue: number;
  medianAgeSeconds: number | null;
  oldestAgeSeconds: number | null;
  ages: CallbackFigures["ages"];
  /** The oldest open callbacks, oldest first. */
  oldest: { reference: string; requestedAt: string }[];
}

export interface ReportAggregates {
  calls: CallAggregate[];
  queues: QueueAggregate[];
  requestsMade: RequestsMadeAggregate[];
  requestsClosed: RequestsClosedAggregate[];
  incidents: IncidentAggregate[];
  callsByHour: HourAggregate[];
  callbacks: CallbackAggregate;
}

export interface AssembleContext {
  settings: ReportSettings;
  generatedAt: DateTime;
  /** When the open callbacks are counted: the period's end, or now if sooner. */
  asOf: DateTime;
  /** `overdueCutoff(hours, asOf)`. */
  overdueIfLeftBefore: DateTime | null;
}

const NO_CALLS: CallFigures = {
  offered: 0,
  afterHours: 0,
  answeredByIvr: 0,
  queued: 0,
  answeredByAgent: 0,
  abandonedInQueue: 0,
  abandonedInQueueShort: 0,
  abandonedInIvr: 0,
  voicemail: 0,
  transferred: 0,
  urgentReports: 0,
  answeredWithoutFurtherAction: 0,
};

const NO_URGENT: UrgentCounts = {
  reports: 0,
  incidents: 0,
  acknowledged: 0,
  medianTimeToAcknowledgeSeconds: null,
  p90TimeToAcknowledgeSeconds: null,
  escalated: 0,
  escalations: 0,
  alarms: 0,
};

/** a ÷ b, or null when there is nothing to divide by. */
export function share(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/**
 * Puts the database's aggregates together into the report: every interval of the period (those
 * with nothing in them too), the period's totals, the headline, the open callbacks and the
 * weekday × hour table. Pure.
 */
export function assembleReport(period: ReportPeriod, aggregates: ReportAggregates, context: AssembleContext): Report {
  // Rows grouped by interval once: a year by day is hundreds of intervals and thousands of rows.
  const calls = byInterval(aggregates.calls);
  const queues = byInterval(aggregates.queues);
  const made = byInterval(aggregates.requestsMade);
  const closed = byInterval(aggregates.requestsClosed);
  const incidents = byInterval(aggregates.incidents);
  const figuresFor = (interval: number | null): Figures => {
    // The period's requests are every interval's: the database gives them per interval only.
    const requestsMade = interval === null ? aggregates.requestsMade : (made.get(interval) ?? []);
    return {
      calls: callsFor(calls.get(interval)?.[0]),
      queues: queuesFor(queues.get(interval) ?? []),
      requests: requestsFor(requestsMade, closed.get(interval)?.[0]),
      urgent: urgentFor(requestsMade, incidents.get(interval) ?? []),
    };
  };
  const totals = figuresFor(null);
  const online = totals.requests.byChannel.online;
  return {
    period: { from: period.from, to: period.to, by: period.by, zone: period.zone, start: period.start.toISO()!, end: period.end.toISO()! },
    settings: { ...context.settings },
    generatedAt: context.generatedAt.setZone(period.zone).toISO()!,
    headline: {
      calls: totals.calls.offered,
      answeredWithoutFurtherAction: totals.calls.answeredWithoutFurtherAction,
      answeredWithoutFurtherActionShare: share(totals.calls.answeredWithoutFurtherAction, totals.calls.offered),
      serviceRequests: totals.requests.created,
      onlineRequests: online,
      onlineShare: share(online, totals.requests.created),
    },
    totals,
    intervals: period.intervals.map((interval, index) => ({
      from: interval.from,
      to: interval.to,
      start: interval.start.toISO()!,
      end: interval.end.toISO()!,
      ...figuresFor(index),
    })),
    callbacks: callbacksAt(aggregates.callbacks, context, period.zone),
    callsByWeekdayHour: weekdayHourTable(aggregates.callsByHour, hourSlots(period)),
  };
}

function byInterval<Row extends { interval: number | null }>(rows: readonly Row[]): Map<number | null, Row[]> {
  const grouped = new Map<number | null, Row[]>();
  for (const row of rows) {
    const group = grouped.get(row.interval);
    if (group) group.push(row);
    else grouped.set(row.interval, [row]);
  }
  return grouped;
}

function callsFor(row: CallAggregate | undefined): CallFigures {
  if (!row) return { ...NO_CALLS };
  const { interval: _interval, ...figures } = row;
  return { ...NO_CALLS, ...figures };
}

function queuesFor(rows: readonly QueueAggregate[]): QueueFigures[] {
  return rows
    .map(({ interval: _interval, ...row }) => ({ ...row, serviceLevel: share(row.answeredWithinServiceLevel, row.queued) }))
    .sort((a, b) => a.queue.localeCompare(b.queue));
}

function requestsFor(made: readonly RequestsMadeAggregate[], closed: RequestsClosedAggregate | undefined): RequestFigures {
  const byService = new Map<string, number>();
  const byDepartment = new Map<string | null, number>();
  const byChannel = { phone: 0, "after-hours": 0, online: 0 };
  let created = 0;
  for (const row of made) {
    created += row.created;
    byService.set(row.service, (byService.get(row.service) ?? 0) + row.created);
    byDepartment.set(row.department, (byDepartment.get(row.department) ?? 0) + row.created);
    byChannel[row.channel] += row.created;
  }
  return {
    created,
    byService: [...byService].map(([service, count]) => ({ service, created: count })).sort((a, b) => b.created - a.created || a.service.localeCompare(b.service)),
    byDepartment: [...byDepartment]
      .map(([department, count]) => ({ department, created: count }))
      // Requests no department handles come last among equals: a named department is what people look for.
      .sort((a, b) => b.created - a.created || (a.department ?? "\uffff").localeCompare(b.department ?? "\uffff")),
    byChannel,
    closed: closed?.closed ?? 0,
    medianTimeToCloseSeconds: closed?.medianTimeToCloseSeconds ?? null,
  };
}

function urgentFor(made: readonly RequestsMadeAggregate[], incidents: readonly IncidentAggregate[]): UrgentFigures {
  const reports = new Map<string, number>();
  for (const row of made) if (row.urgent) reports.set(row.service, (reports.get(row.service) ?? 0) + row.created);
  const countsFor = (category: string | null): UrgentCounts => {
    const row = incidents.find((candidate) => candidate.category === category);
    const reported = category === null ? [...reports.values()].reduce((sum, count) => sum + count, 0) : (reports.get(category) ?? 0);
    if (!row) return { ...NO_URGENT, reports: reported };
    const { interval: _interval, category: _category, ...counts } = row;
    return { ...NO_URGENT, ...counts, reports: reported };
  };
  const categories = [...new Set([...reports.keys(), ...incidents.flatMap((row) => (row.category === null ? [] : [row.category]))])].sort();
  return { ...countsFor(null), byCategory: categories.map((category) => ({ category, ...countsFor(category) })) };
}

const DAY = 24 * 60 * 60;

function callbacksAt(aggregate: CallbackAggregate, context: AssembleContext, zone: string): CallbackFigures {
  const cutoff = context.overdueIfLeftBefore;
  const oldest: OpenCallback[] = aggregate.oldest.map((callback) => {
    const requested = Date.parse(callback.requestedAt);
    return {
      reference: callback.reference,
      requestedAt: callback.requestedAt,
      ageSeconds: Math.max(0, Math.round((context.asOf.toMillis() - requested) / 1000)),
      overdue: cutoff !== null && requested < cutoff.toMillis(),
    };
  });
  return {
    asOf: context.asOf.setZone(zone).toISO()!,
    open: aggregate.open,
    overdue: aggregate.overdue,
    overdueIfLeftBefore: cutoff ? cutoff.setZone(zone).toISO()! : null,
    medianAgeSeconds: aggregate.medianAgeSeconds,
    oldestAgeSeconds: aggregate.oldestAgeSeconds,
    ages: { ...aggregate.ages },
    oldest,
  };
}

/** Seconds in a day, for the callbacks' age brackets. */
export const CALLBACK_AGE_BRACKETS = { oneDay: DAY, threeDays: 3 * DAY, sevenDays: 7 * DAY } as const;

function weekdayHourTable(rows: readonly HourAggregate[], slots: readonly number[]): Report["callsByWeekdayHour"] {
  const calls = WEEKDAYS.map(() => Array.from({ length: 24 }, () => 0));
  for (const row of rows) {
    const slot = slots[row.hour];
    if (slot === undefined) continue;
    const day = calls[Math.floor(slot / 24)]!;
    day[slot % 24] = (day[slot % 24] ?? 0) + row.calls;
  }
  return { weekdays: WEEKDAYS, calls };
}
