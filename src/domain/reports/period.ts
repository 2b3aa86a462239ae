import { DateTime } from "luxon";
import { z } from "zod";
import { RECORD_YEARS } from "../records.js";
import { REPORT_INTERVALS, type ReportInterval } from "./report.js";

/** The longest period one report covers: three years of days. */
export const MAX_REPORT_DAYS = 1_096;

/** A report asked for in a way that cannot be answered: a malformed date, `to` before `from`, too long a period. */
export class ReportRequestError extends Error {
  override readonly name = "ReportRequestError";
}

/** What a report is asked for: whole days in the City's zone, `to` included. */
export interface ReportRequest {
  /** `yyyy-MM-dd`. */
  from: string;
  /** `yyyy-MM-dd`, inclusive. */
  to: string;
  by: ReportInterval;
}

/** One interval of a period, as instants in the City's zone. */
export interface PeriodInterval {
  /** The first day in the period, `yyyy-MM-dd`. */
  from: string;
  /** The last day in the period, inclusive. */
  to: string;
  start: DateTime;
  /** Exclusive. */
  end: DateTime;
}

/** A period cut into its intervals, in the City's zone. */
export interface ReportPeriod extends ReportRequest {
  zone: string;
  /** Midnight starting `from`. */
  start: DateTime;
  /** Midnight after `to` (exclusive). */
  end: DateTime;
  intervals: PeriodInterval[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The interval a period is cut into when none is asked for: days for a month or less, weeks for
 * a quarter or less, months beyond.
 */
export function defaultInterval(days: number): ReportInterval {
  if (days <= 31) return "day";
  if (days <= 92) return "week";
  return "month";
}

function isDate(text: string): boolean {
  return DATE.test(text) && DateTime.fromISO(text, { zone: "utc" }).isValid;
}

/** Days from `from` to `to`, both included. */
function daysIn(from: string, to: string): number {
  return DateTime.fromISO(to, { zone: "utc" }).diff(DateTime.fromISO(from, { zone: "utc" }), "days").days + 1;
}

/**
 * Checks what a report is asked for (from the command line, `--from`, or the API, `from=`) and
 * fills in the interval. `prefix` is put before each option's name in messages (`--` for the
 * command line).
 *
 * @throws ReportRequestError naming every problem
 * @example parseReportRequest({ from: "2026-12-01", to: "2026-12-31" }) // { from: "2026-12-01", to: "2026-12-31", by: "day" }
 */
export function parseReportRequest(input: { from?: unknown; to?: unknown; by?: unknown }, prefix = ""): ReportRequest {
  const date = (name: string) =>
    z
      .string({ error: (issue) => (issue.input === undefined ? `${prefix}${name} is required: a date written yyyy-MM-dd, e.g. 2026-12-01` : `${prefix}${name} must be a date written yyyy-MM-dd`) })
      .refine(isDate, {
        error: (issue) => `${prefix}${name} "${String(issue.input).slice(0, 40)}" is not a date: write it as yyyy-MM-dd, e.g. 2026-12-01`,
      });
  const schema = z
    .object({
      from: date("from"),
      to: date("to"),
      by: z.enum(REPORT_INTERVALS, { error: (issue) => `${prefix}by "${String(issue.input).slice(0, 40)}" must be day, week or month` }).optional(),
    })
    .check((ctx) => {
      const { from, to } = ctx.value;
      if (!isDate(from) || !isDate(to)) return;
      const outside = ([["from", from], ["to", to]] as const).filter(([, day]) => day < `${RECORD_YEARS.earliest}-01-01` || day > `${RECORD_YEARS.latest}-12-31`);
      if (outside.length > 0) {
        for (const [name, day] of outside) {
          ctx.issues.push({ code: "custom", input: day, path: [name], message: `${prefix}${name} (${day}) is out of range: a report covers days from ${RECORD_YEARS.earliest} to ${RECORD_YEARS.latest}` });
        }
      } else if (to < from) {
        ctx.issues.push({ code: "custom", input: to, path: ["to"], message: `${prefix}to (${to}) is before ${prefix}from (${from}): the period runs from the first day to the last, both included` });
      } else if (daysIn(from, to) > MAX_REPORT_DAYS) {
        ctx.issues.push({ code: "custom", input: to, path: ["to"], message: `the period is ${daysIn(from, to)} days long; a report covers at most ${MAX_REPORT_DAYS} days (three years)` });
      }
    });
  const parsed = schema.safeParse({ from: input.from, to: input.to, by: input.by === "" ? undefined : input.by });
  if (!parsed.success) throw new ReportRequestError(parsed.error.issues.map((issue) => issue.message).join("; "));
  const { from, to, by } = parsed.data;
  return { from, to, by: by ?? defaultInterval(daysIn(from, to)) };
}

/**
 * The period's instants and intervals in `zone`. The database is given these instants (it
 * counts what falls between them) rather than the zone: its own time zone data may not be the
 * line's (PGlite 0.5 and a server can disagree about a zone's future rules), and every other
 * local time of the line comes from luxon. Days run midnight to midnight there, so a day
 * the clocks change is 23 or 25 hours long; weeks start on Monday; the first and last intervals
 * are cut to the period.
 *
 * @throws ReportRequestError when the zone is unknown or the dates are not dates
 */
export function reportPeriod(request: ReportRequest, zone: string): ReportPeriod {
  const start = DateTime.fromISO(request.from, { zone }).startOf("day");
  const end = DateTime.fromISO(request.to, { zone }).startOf("day").plus({ days: 1 });
  if (!start.isValid || !end.isValid) throw new ReportRequestError(`cannot read the period ${request.from} to ${request.to} in the zone "${zone}"`);
  const intervals: PeriodInterval[] = [];
  for (let cursor = start; cursor < end; ) {
    const whole = cursor.startOf(request.by);
    const next = whole.plus({ [request.by]: 1 });
    const stop = next < end ? next : end;
    intervals.push({ from: cursor.toISODate()!, to: stop.minus({ days: 1 }).toISODate()!, start: cursor, end: stop });
    cursor = stop;
  }
  return { ...request, zone, start, end, intervals };
}

/**
 * For each hour of the period counted from its start (hour 0 is the first hour of the first
 * day), the local weekday and hour it is, as `(isoWeekday - 1) * 24 + hour`: the cell of the
 * weekday × hour table. The night the clocks go back, two hours of the period are local hour 1;
 * the night they go forward, no hour is local hour 2. (Zones whose clocks change by whole
 * hours, as every Canadian zone's do.)
 */
export function hourSlots(period: Pick<ReportPeriod, "start" | "end">): number[] {
  const slots: number[] = [];
  for (let day = period.start; day < period.end; ) {
    const next = day.plus({ days: 1 });
    const hours = Math.round(next.diff(day, "hours").hours);
    const weekday = day.weekday - 1;
    if (hours === 24) {
      for (let hour = 0; hour < 24; hour++) slots.push(weekday * 24 + hour);
    } else {
      // Only the days the clocks change need luxon hour by hour.
      for (let hour = 0; hour < hours; hour++) {
        const local = day.plus({ hours: hour });
        slots.push((local.weekday - 1) * 24 + local.hour);
      }
    }
    day = next;
  }
  return slots;
}
