import type { Figures, Report } from "./report.js";

/** The columns of a report as CSV: one figure per row, so every breakdown fits one table (pivot it in a spreadsheet). */
export const REPORT_CSV_COLUMNS = ["scope", "from", "to", "figure", "breakdown", "value"] as const;

type CsvRow = [scope: "period" | "interval", from: string, to: string, figure: string, breakdown: string, value: number | null];

/**
 * The report as CSV (RFC 4180, CRLF line ends): a header, then one row per figure, for the period
 * as a whole (`scope` period) and for each interval. `figure` is the figure's key in
 * `FIGURE_DEFINITIONS` (`calls.offered`, `queues.serviceLevel`); `breakdown` names the queue,
 * service, department, channel, category or weekday and hour it is for. An unknown value is an
 * empty cell; shares are fractions (0.861), durations seconds.
 */
export function reportCsv(report: Report): string {
  const { from, to } = report.period;
  const rows: CsvRow[] = [];
  const period = (figure: string, value: number | null, breakdown = "") => rows.push(["period", from, to, figure, breakdown, value]);
  for (const [name, value] of Object.entries(report.headline)) period(`headline.${name}`, value);
  figureRows(report.totals, (figure, value, breakdown) => rows.push(["period", from, to, figure, breakdown, value]));
  for (const interval of report.intervals) {
    figureRows(interval, (figure, value, breakdown) => rows.push(["interval", interval.from, interval.to, figure, breakdown, value]));
  }
  const { callbacks } = report;
  period("callbacks.open", callbacks.open);
  period("callbacks.overdue", callbacks.overdue);
  period("callbacks.medianAgeSeconds", callbacks.medianAgeSeconds);
  period("callbacks.oldestAgeSeconds", callbacks.oldestAgeSeconds);
  for (const [bracket, value] of Object.entries(callbacks.ages)) period("callbacks.ages", value, bracket);
  report.callsByWeekdayHour.weekdays.forEach((weekday, day) => {
    report.callsByWeekdayHour.calls[day]!.forEach((calls, hour) => period("callsByWeekdayHour", calls, `${weekday} ${String(hour).padStart(2, "0")}`));
  });
  return [REPORT_CSV_COLUMNS.join(","), ...rows.map((row) => row.map(csvCell).join(","))].join("\r\n") + "\r\n";
}

function figureRows(figures: Figures, add: (figure: string, value: number | null, breakdown: string) => void): void {
  for (const [name, value] of Object.entries(figures.calls)) add(`calls.${name}`, value, "");
  for (const queue of figures.queues) {
    for (const [name, value] of Object.entries(queue)) if (name !== "queue") add(`queues.${name}`, value as number | null, queue.queue);
  }
  const { requests, urgent } = figures;
  add("requests.created", requests.created, "");
  for (const row of requests.byService) add("requests.byService", row.created, row.service);
  for (const row of requests.byDepartment) add("requests.byDepartment", row.created, row.department ?? "(none)");
  for (const [channel, value] of Object.entries(requests.byChannel)) add(`requests.byChannel.${channel}`, value, "");
  add("requests.closed", requests.closed, "");
  add("requests.medianTimeToCloseSeconds", requests.medianTimeToCloseSeconds, "");
  const { byCategory, ...all } = urgent;
  for (const [name, value] of Object.entries(all)) add(`urgent.${name}`, value, "");
  for (const category of byCategory) {
    for (const [name, value] of Object.entries(category)) if (name !== "category") add(`urgent.${name}`, value as number | null, category.category);
  }
}

/**
 * One CSV cell: quoted when it holds a comma, quote or line break; text a spreadsheet would take
 * for a formula (a department named "=HYPERLINK(...)") is kept as text with a leading apostrophe.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Math.round(value * 10_000) / 10_000);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
