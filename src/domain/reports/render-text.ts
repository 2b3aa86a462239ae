import { DateTime } from "luxon";
import { figureDefinitions } from "./definitions.js";
import type { Figures, IntervalFigures, Report } from "./report.js";

const NOTHING = "-";
const numbers = new Intl.NumberFormat("en-CA");

/** A count with thousands separators: 12,345. */
export function formatCount(value: number | null): string {
  return value === null ? NOTHING : numbers.format(value);
}

/** A share as a percentage with one decimal: 86.1%. */
export function formatShare(value: number | null): string {
  return value === null ? NOTHING : `${(value * 100).toFixed(1)}%`;
}

/** A duration the way people say it: 45 s, 3 min 20 s, 2 h 05 min, 3 d 4 h. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return NOTHING;
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  if (total < 3_600) return `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, "0")} s`;
  if (total < 86_400) return `${Math.floor(total / 3_600)} h ${String(Math.floor((total % 3_600) / 60)).padStart(2, "0")} min`;
  return `${Math.floor(total / 86_400)} d ${Math.floor((total % 86_400) / 3_600)} h`;
}

/**
 * Columns two spaces apart: the first (a label) to the left, the figures to the right, so digits
 * line up. No trailing spaces.
 */
export function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Words wrapped to `width` columns, every line after the first indented by `indent`. */
export function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    const limit = lines.length === 0 ? width : width - indent.length;
    if (line && line.length + 1 + word.length > limit) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.map((text, index) => (index === 0 ? text : `${indent}${text}`)).join("\n");
}

function intervalLabel(interval: Pick<IntervalFigures, "from" | "to">): string {
  return interval.from === interval.to ? `${interval.from} ${DateTime.fromISO(interval.from, { zone: "utc", locale: "en-CA" }).toFormat("ccc")}` : `${interval.from} to ${interval.to}`;
}

/** The interval rows of a table, then the period's total. */
function byInterval(report: Report, header: string[], cells: (figures: Figures) => string[]): string {
  return columns([
    header,
    ...report.intervals.map((interval) => [intervalLabel(interval), ...cells(interval)]),
    ["Whole period", ...cells(report.totals)],
  ]);
}

/**
 * The report as text for a terminal: the headline, then calls, agent queues, requests, open
 * callbacks, urgent reports and the weekday × hour table, and at the end a legend that defines
 * every figure (with the report's thresholds written in).
 */
export function reportText(report: Report, options: { width?: number; names?: (code: string) => string } = {}): string {
  // A queue, service or category as supervisors know it, with the code the options take beside it.
  const named = (code: string) => {
    const name = options.names?.(code);
    return name && name !== code ? `${name} (${code})` : code;
  };
  const width = options.width ?? 100;
  const { period, settings, headline, totals, callbacks } = report;
  const inZone = (iso: string) => DateTime.fromISO(iso, { setZone: true, locale: "en-CA" }).setZone(period.zone);
  const sections: string[] = [];
  sections.push(
    [
      "Civic Line: the City's figures",
      `Period: ${period.from} to ${period.to} (${period.zone}), by ${period.by}`,
      `Computed ${inZone(report.generatedAt).toFormat("yyyy-MM-dd HH:mm ZZZZ")}; service level ${settings.serviceLevelSeconds} s, short abandon ${settings.shortAbandonSeconds} s`,
    ].join("\n"),
  );
  sections.push(
    [
      "HEADLINE",
      columns([
        ["  Calls", formatCount(headline.calls), ""],
        ["  Answered without further action", formatCount(headline.answeredWithoutFurtherAction), formatShare(headline.answeredWithoutFurtherActionShare)],
        ["  Service requests", formatCount(headline.serviceRequests), ""],
        ["  Requests made online", formatCount(headline.onlineRequests), formatShare(headline.onlineShare)],
      ]),
    ].join("\n"),
  );
  sections.push(
    [
      "CALLS",
      byInterval(
        report,
        ["", "Offered", "After hours", "By IVR", "Queued", "By agent", "Aband. queue", "(short)", "Aband. IVR", "Voicemail", "Transferred", "Urgent", "No further action"],
        ({ calls }) => [
          calls.offered,
          calls.afterHours,
          calls.answeredByIvr,
          calls.queued,
          calls.answeredByAgent,
          calls.abandonedInQueue,
          calls.abandonedInQueueShort,
          calls.abandonedInIvr,
          calls.voicemail,
          calls.transferred,
          calls.urgentReports,
          calls.answeredWithoutFurtherAction,
        ].map(formatCount),
      ),
    ].join("\n"),
  );
  sections.push(
    [
      "AGENT QUEUES (whole period)",
      totals.queues.length === 0
        ? "  No call was queued."
        : columns([
            ["Queue", "Queued", "Answered", "Abandoned", "(short)", "Avg speed of answer", "Service level", "Longest wait"],
            ...totals.queues.map((queue) => [
              named(queue.queue),
              formatCount(queue.queued),
              formatCount(queue.answered),
              formatCount(queue.abandoned),
              formatCount(queue.abandonedShort),
              formatDuration(queue.averageSpeedOfAnswerSeconds),
              formatShare(queue.serviceLevel),
              formatDuration(queue.longestWaitSeconds),
            ]),
          ]),
    ].join("\n"),
  );
  sections.push(
    [
      "SERVICE REQUESTS",
      byInterval(report, ["", "Made", "Phone", "After hours", "Online", "Closed", "Median time to close"], ({ requests }) => [
        formatCount(requests.created),
        formatCount(requests.byChannel.phone),
        formatCount(requests.byChannel["after-hours"]),
        formatCount(requests.byChannel.online),
        formatCount(requests.closed),
        formatDuration(requests.medianTimeToCloseSeconds),
      ]),
      "",
      totals.requests.byService.length === 0
        ? "No request was made."
        : [
            columns([["By service (whole period)", "Made"], ...totals.requests.byService.map((row) => [`  ${named(row.service)}`, formatCount(row.created)])]),
            "",
            columns([["By department (whole period)", "Made"], ...totals.requests.byDepartment.map((row) => [`  ${row.department ?? "(no department)"}`, formatCount(row.created)])]),
          ].join("\n"),
    ].join("\n"),
  );
  sections.push(
    [
      `OPEN CALLBACKS (as of ${inZone(callbacks.asOf).toFormat("yyyy-MM-dd HH:mm")})`,
      columns([
        ["  Open", formatCount(callbacks.open)],
        ["  Overdue", formatCount(callbacks.overdue)],
        ["  Median age", formatDuration(callbacks.medianAgeSeconds)],
        ["  Oldest", formatDuration(callbacks.oldestAgeSeconds)],
        ["  Waiting under a day", formatCount(callbacks.ages.underOneDay)],
        ["  One to three days", formatCount(callbacks.ages.oneToThreeDays)],
        ["  Three to seven days", formatCount(callbacks.ages.threeToSevenDays)],
        ["  Over seven days", formatCount(callbacks.ages.overSevenDays)],
      ]),
      ...(callbacks.overdueIfLeftBefore ? [`  Overdue: left before ${inZone(callbacks.overdueIfLeftBefore).toFormat("ccc yyyy-MM-dd HH:mm")}, the start of the last business day that has ended.`] : []),
      ...(callbacks.oldest.length === 0
        ? []
        : [
            "",
            columns([
              ["Oldest open callbacks", "Left", "Waiting", ""],
              ...callbacks.oldest.map((callback) => [
                `  ${callback.reference}`,
                inZone(callback.requestedAt).toFormat("yyyy-MM-dd HH:mm"),
                formatDuration(callback.ageSeconds),
                callback.overdue ? "overdue" : "",
              ]),
            ]),
          ]),
    ].join("\n"),
  );
  sections.push(
    [
      "URGENT REPORTS",
      byInterval(report, ["", "Reports", "Incidents", "Acknowledged", "Median to ack", "90th pct to ack", "Escalated", "Escalations", "Alarms"], ({ urgent }) => [
        formatCount(urgent.reports),
        formatCount(urgent.incidents),
        formatCount(urgent.acknowledged),
        formatDuration(urgent.medianTimeToAcknowledgeSeconds),
        formatDuration(urgent.p90TimeToAcknowledgeSeconds),
        formatCount(urgent.escalated),
        formatCount(urgent.escalations),
        formatCount(urgent.alarms),
      ]),
      ...(totals.urgent.byCategory.length === 0
        ? []
        : [
            "",
            columns([
              ["By category (whole period)", "Reports", "Incidents", "Acknowledged", "Median to ack", "90th pct to ack", "Escalated", "Escalations", "Alarms"],
              ...totals.urgent.byCategory.map((category) => [
                `  ${named(category.category)}`,
                formatCount(category.reports),
                formatCount(category.incidents),
                formatCount(category.acknowledged),
                formatDuration(category.medianTimeToAcknowledgeSeconds),
                formatDuration(category.p90TimeToAcknowledgeSeconds),
                formatCount(category.escalated),
                formatCount(category.escalations),
                formatCount(category.alarms),
              ]),
            ]),
          ]),
    ].join("\n"),
  );
  const table = report.callsByWeekdayHour;
  sections.push(
    [
      "CALLS OFFERED BY WEEKDAY AND HOUR (local time; whole period)",
      columns([
        ["", ...Array.from({ length: 24 }, (_, hour) => String(hour).padStart(2, "0"))],
        ...table.weekdays.map((weekday, day) => [weekday.charAt(0).toUpperCase() + weekday.slice(1, 3), ...table.calls[day]!.map((calls) => (calls === 0 ? "." : String(calls)))]),
      ]),
    ].join("\n"),
  );
  sections.push(
    [
      "WHAT THE FIGURES MEAN",
      ...figureDefinitions(settings).map((figure) => wrap(`${figure.label} (${figure.key}): ${figure.definition}`, width, "    ")),
    ].join("\n"),
  );
  return `${sections.join("\n\n")}\n`;
}
