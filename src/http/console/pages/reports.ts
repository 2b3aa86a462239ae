import { DateTime } from "luxon";
import { figureDefinitions, type FigureKey, type FigureLegendEntry } from "../../../domain/reports/definitions.js";
import type { Figures, IntervalFigures, Report, ReportInterval } from "../../../domain/reports/report.js";
import { readableServiceName, type ServiceNames } from "../../../domain/service-names.js";
import type { RecordsBacklog } from "../../../operations/line-status.js";
import type { ChartSpec } from "../chart-spec.js";
import { backlogBox } from "./backlog.js";
import { count, duration, share, when } from "../format.js";
import { attributes, html, type Html } from "../html.js";
import { page, type Notice, type PageContext } from "../layout.js";

export interface ReportsView {
  /** What the form shows: the period asked for (or the default one). */
  asked: { from: string; to: string; by: ReportInterval | "" };
  /** Undefined when the period could not be read, or the console has no records database. */
  report: Report | undefined;
  today: DateTime;
  notice?: Notice | undefined;
  /** What the records may be missing just now (calls and voicemails not yet written). */
  backlog?: RecordsBacklog | undefined;
  /** The names supervisors know the services and queues by (`serviceNamesOf` the live definitions); their codes in words without it. */
  serviceNames?: ServiceNames | undefined;
}

const BY_WORDS: Record<ReportInterval | "", string> = {
  "": "Chosen for the period",
  day: "Day",
  week: "Week",
  month: "Month",
};

const WEEKDAY_WORDS: Record<string, string> = {
  monday: "Monday",
  tuesday: "Tuesday",
  wednesday: "Wednesday",
  thursday: "Thursday",
  friday: "Friday",
  saturday: "Saturday",
  sunday: "Sunday",
};

/** How dark a heatmap cell is: seven steps from none to the busiest hour. */
const HEAT_STEPS = 6;

type Definitions = Map<FigureKey, FigureLegendEntry>;

/** A figure's value as people read it, by its unit. */
function value(entry: FigureLegendEntry, raw: number | null): string {
  if (entry.unit === "share") return share(raw);
  if (entry.unit === "seconds") return duration(raw);
  return raw === null ? "–" : count(raw);
}

/** A row of a figures table: the name, the value, and what it counts. */
function figureRow(definitions: Definitions, key: FigureKey, raw: number | null, options: { indent?: boolean } = {}): Html {
  const entry = definitions.get(key)!;
  return html`<tr${options.indent ? html` class="sub-figure"` : ""}>
    <th scope="row">${entry.label}</th>
    <td class="num figure-value">${value(entry, raw)}</td>
    <td class="definition">${entry.definition}</td>
  </tr>`;
}

function figuresTable(caption: string, rows: Html[]): Html {
  return html`<table class="figures">
    <caption class="visually-hidden">${caption}</caption>
    <thead><tr><th scope="col">Figure</th><th scope="col" class="num">For the period</th><th scope="col">What it counts</th></tr></thead>
    <tbody>${rows}</tbody>
  </table>`;
}

/** The words under a table whose columns are figures: each column's definition. */
function columnDefinitions(definitions: Definitions, keys: FigureKey[]): Html {
  return html`<details class="column-definitions" open>
    <summary>What these columns count</summary>
    <dl>${keys.map((key) => html`<dt>${definitions.get(key)!.label}</dt><dd>${definitions.get(key)!.definition}</dd>`)}</dl>
  </details>`;
}

/** From the first of a month to its last day: a month interval the period does not cut short. */
function wholeMonth(from: DateTime, to: DateTime): boolean {
  return from.day === 1 && to.plus({ days: 1 }).day === 1;
}

/** An interval's name as a supervisor says it: `Tue 1 Dec`, `30 Nov – 6 Dec`, `December 2026`. */
export function intervalLabel(interval: Pick<IntervalFigures, "from" | "to">, by: ReportInterval): string {
  const from = DateTime.fromISO(interval.from, { zone: "utc" });
  const to = DateTime.fromISO(interval.to, { zone: "utc" });
  if (by === "day") return from.toFormat("ccc d LLL");
  if (by === "month" && wholeMonth(from, to)) return from.toFormat("LLLL yyyy");
  if (from.month === to.month) return `${from.day}–${to.day} ${to.toFormat("LLL")}`;
  return `${from.toFormat("d LLL")} – ${to.toFormat("d LLL")}`;
}

/**
 * The intervals' names for a chart's x axis, short enough to sit side by side: `Mon 30 Nov`,
 * `Tue 1 Dec`, `Wed 2` (the month where it changes); a week by its Monday, `30 Nov`; a month by its
 * short name, `Jan 2026`, `Feb`, with the year where it starts; a part of a month as `1–2 Dec`.
 * The chart's legend and its table keep the whole names ({@link intervalLabel}).
 */
export function intervalTicks(intervals: readonly Pick<IntervalFigures, "from" | "to">[], by: ReportInterval): string[] {
  return intervals.map((interval, index) => {
    const from = DateTime.fromISO(interval.from, { zone: "utc" });
    const before = index > 0 ? DateTime.fromISO(intervals[index - 1]!.from, { zone: "utc" }) : undefined;
    if (by === "day") return before?.hasSame(from, "month") ? from.toFormat("ccc d") : from.toFormat("ccc d LLL");
    if (by === "week") return from.toFormat("d LLL");
    if (!wholeMonth(from, DateTime.fromISO(interval.to, { zone: "utc" }))) return intervalLabel(interval, by);
    return before?.hasSame(from, "year") ? from.toFormat("LLL") : from.toFormat("LLL yyyy");
  });
}

/** The period in words: `Tue 1 Dec 2026 to Mon 7 Dec 2026`. */
function periodWords(report: Report): string {
  const day = (date: string) => DateTime.fromISO(date, { zone: "utc" }).toFormat("ccc d LLL yyyy");
  return report.period.from === report.period.to ? day(report.period.from) : `${day(report.period.from)} to ${day(report.period.to)}`;
}

/** A service or queue as supervisors know it, with the code the records and downloads use beside it. */
function named(names: ServiceNames, code: string): Html {
  const name = names(code);
  return name === code ? html`${code}` : html`${name} <span class="service-code">(${code})</span>`;
}

/** All agent queues of an interval taken together: answered in time ÷ queued. */
function serviceLevel(figures: Figures): number | null {
  const queued = figures.queues.reduce((sum, queue) => sum + queue.queued, 0);
  const inTime = figures.queues.reduce((sum, queue) => sum + queue.answeredWithinServiceLevel, 0);
  return queued === 0 ? null : inTime / queued;
}

/** A chart drawn by the script, with its numbers in a table for everyone the canvas does not reach. */
function chart(id: string, spec: ChartSpec, report: Report): Html {
  const labels = spec.labels;
  return html`<figure class="chart" aria-labelledby="${id}-caption">
    <figcaption id="${id}-caption">${spec.title}, by ${report.period.by}</figcaption>
    <div class="chart-box" data-chart="${JSON.stringify(spec)}" role="img" aria-label="${`${spec.title}, by ${report.period.by}: the numbers are in the table below the chart`}">
      <p class="muted">The chart needs the console's script; the numbers are in the table below.</p>
    </div>
    <details class="chart-numbers">
      <summary>The chart's numbers</summary>
      <div class="table-scroll"><table>
        <thead><tr><th scope="col">${BY_WORDS[report.period.by]}</th>${spec.series.map((series) => html`<th scope="col" class="num">${series.label}</th>`)}</tr></thead>
        <tbody>${labels.map(
          (label, index) => html`<tr><th scope="row">${label}</th>${spec.series.map((series) => {
            const raw = series.values[index] ?? null;
            return html`<td class="num">${raw === null ? "–" : spec.unit === "%" ? `${raw.toFixed(1)} %` : count(raw)}</td>`;
          })}</tr>`,
        )}</tbody>
      </table></div>
    </details>
  </figure>`;
}

function periodForm(view: ReportsView, zone: string): Html {
  const today = view.today.setZone(zone).startOf("day");
  const quick: { label: string; from: DateTime; to: DateTime; by: ReportInterval }[] = [
    { label: "Today", from: today, to: today, by: "day" },
    { label: "Yesterday", from: today.minus({ days: 1 }), to: today.minus({ days: 1 }), by: "day" },
    { label: "Last 7 days", from: today.minus({ days: 6 }), to: today, by: "day" },
    { label: "This month", from: today.startOf("month"), to: today, by: "day" },
    { label: "Last month", from: today.minus({ months: 1 }).startOf("month"), to: today.startOf("month").minus({ days: 1 }), by: "week" },
    { label: "This year", from: today.startOf("year"), to: today, by: "month" },
  ];
  const link = (from: DateTime, to: DateTime, by: string) => `/console/reports?from=${from.toISODate()}&to=${to.toISODate()}&by=${by}`;
  return html`<section class="card" aria-labelledby="period-title">
  <h2 id="period-title">Period</h2>
  <form class="inline-form" method="get" action="/console/reports">
    <div class="field">
      <label for="from">From</label>
      <input id="from" name="from" type="date" value="${view.asked.from}" required>
    </div>
    <div class="field">
      <label for="to">To (included)</label>
      <input id="to" name="to" type="date" value="${view.asked.to}" required>
    </div>
    <div class="field">
      <label for="by">Figures by</label>
      <select id="by" name="by">
        ${(["", "day", "week", "month"] as const).map((by) => html`<option value="${by}"${attributes({ selected: by === view.asked.by })}>${BY_WORDS[by]}</option>`)}
      </select>
    </div>
    <div class="field"><button type="submit">Show</button></div>
  </form>
  <p class="quick-periods">Or: ${quick.map((entry, index) => html`${index > 0 ? " · " : ""}<a href="${link(entry.from, entry.to, entry.by)}">${entry.label}</a>`)}</p>
  <p class="field-hint">Days run from midnight to midnight, City time (${zone}); weeks start on Monday. A call counts in the day it started.</p>
</section>`;
}

function headline(report: Report, definitions: Definitions): Html {
  const tiles: [FigureKey, number | null][] = [
    ["headline.calls", report.headline.calls],
    ["headline.answeredWithoutFurtherActionShare", report.headline.answeredWithoutFurtherActionShare],
    ["headline.serviceRequests", report.headline.serviceRequests],
    ["headline.onlineShare", report.headline.onlineShare],
  ];
  return html`<section class="headline" aria-label="The headline figures">
  ${tiles.map(([key, raw]) => {
    const entry = definitions.get(key)!;
    return html`<div class="card tile">
      <p class="tile-value">${value(entry, raw)}</p>
      <h2 class="tile-label">${entry.label}</h2>
      <p class="definition">${entry.definition}</p>
    </div>`;
  })}
</section>`;
}

function downloads(report: Report): Html {
  const query = `from=${report.period.from}&to=${report.period.to}`;
  return html`<section class="card" aria-labelledby="downloads-title">
  <h2 id="downloads-title">Download the records</h2>
  <ul class="downloads">
    <li><a href="${`/console/reports/calls.csv?${query}`}" download>Calls (CSV)</a> <span class="muted">every call that started in the period, one per row; callers' numbers are masked (+*********23).</span></li>
    <li><a href="${`/console/reports/requests.csv?${query}`}" download>Service requests (CSV)</a> <span class="muted">every request made in the period, in GeoReport's bulk columns (service_request_id, requested_datetime, … source); no callback numbers or recordings.</span></li>
    <li><a href="${`/console/reports/figures.csv?${query}&by=${report.period.by}`}" download>These figures (CSV)</a> <span class="muted">one figure per row, for the period and each ${report.period.by}.</span></li>
  </ul>
  <p class="field-hint">Opened in a spreadsheet, a cell that would start a formula (=, +, -, @) starts with an apostrophe instead, so nothing a caller said runs as one.</p>
</section>`;
}

/** The x axis of every chart of a report: the intervals' whole names, and their short ones. */
interface Axis {
  labels: string[];
  ticks: string[];
}

function callsSection(report: Report, definitions: Definitions, axis: Axis): Html {
  const totals = report.totals.calls;
  const spec: ChartSpec = {
    title: "Calls",
    unit: "calls",
    ...axis,
    series: [
      { label: "Offered", values: report.intervals.map((interval) => interval.calls.offered) },
      { label: "Answered without further action", values: report.intervals.map((interval) => interval.calls.answeredWithoutFurtherAction) },
      { label: "Abandoned (queue and IVR)", values: report.intervals.map((interval) => interval.calls.abandonedInQueue + interval.calls.abandonedInIvr) },
      { label: "Voicemail", values: report.intervals.map((interval) => interval.calls.voicemail) },
    ],
  };
  return html`<section class="card" aria-labelledby="calls-title">
  <h2 id="calls-title">Calls</h2>
  ${chart("calls-chart", spec, report)}
  ${figuresTable("Calls in the period", [
    figureRow(definitions, "calls.offered", totals.offered),
    figureRow(definitions, "calls.afterHours", totals.afterHours, { indent: true }),
    figureRow(definitions, "calls.answeredWithoutFurtherAction", totals.answeredWithoutFurtherAction),
    figureRow(definitions, "calls.answeredByIvr", totals.answeredByIvr),
    figureRow(definitions, "calls.queued", totals.queued),
    figureRow(definitions, "calls.answeredByAgent", totals.answeredByAgent),
    figureRow(definitions, "calls.abandonedInQueue", totals.abandonedInQueue),
    figureRow(definitions, "calls.abandonedInQueueShort", totals.abandonedInQueueShort, { indent: true }),
    figureRow(definitions, "calls.abandonedInIvr", totals.abandonedInIvr),
    figureRow(definitions, "calls.voicemail", totals.voicemail),
    figureRow(definitions, "calls.transferred", totals.transferred),
    figureRow(definitions, "calls.urgentReports", totals.urgentReports),
  ])}
</section>`;
}

function queuesSection(report: Report, definitions: Definitions, axis: Axis, names: ServiceNames): Html {
  const queues = report.totals.queues;
  const keys: FigureKey[] = [
    "queues.queued",
    "queues.answered",
    "queues.abandoned",
    "queues.abandonedShort",
    "queues.averageSpeedOfAnswerSeconds",
    "queues.serviceLevel",
    "queues.longestWaitSeconds",
  ];
  const spec: ChartSpec = {
    title: "Service level, all agent queues",
    unit: "%",
    ...axis,
    series: [{ label: "Answered in time", values: report.intervals.map((interval) => (serviceLevel(interval) === null ? null : serviceLevel(interval)! * 100)) }],
  };
  return html`<section class="card" aria-labelledby="queues-title">
  <h2 id="queues-title">Agent queues</h2>
  ${queues.length === 0
    ? html`<p>No call was put in an agent queue in this period.</p>`
    : html`${chart("queues-chart", spec, report)}
  <div class="table-scroll"><table>
    <caption class="visually-hidden">Each agent queue over the period</caption>
    <thead><tr><th scope="col">Queue</th>${keys.map((key) => html`<th scope="col" class="num">${definitions.get(key)!.label}</th>`)}</tr></thead>
    <tbody>${queues.map(
      (queue) => html`<tr><th scope="row">${named(names, queue.queue)}</th>
        <td class="num">${count(queue.queued)}</td>
        <td class="num">${count(queue.answered)}</td>
        <td class="num">${count(queue.abandoned)}</td>
        <td class="num">${count(queue.abandonedShort)}</td>
        <td class="num">${duration(queue.averageSpeedOfAnswerSeconds)}</td>
        <td class="num">${share(queue.serviceLevel)}</td>
        <td class="num">${duration(queue.longestWaitSeconds)}</td></tr>`,
    )}</tbody>
  </table></div>
  ${columnDefinitions(definitions, keys)}`}
</section>`;
}

function requestsSection(report: Report, definitions: Definitions, axis: Axis, names: ServiceNames): Html {
  const requests = report.totals.requests;
  const spec: ChartSpec = {
    title: "Service requests",
    unit: "requests",
    ...axis,
    series: [
      { label: "Made", values: report.intervals.map((interval) => interval.requests.created) },
      { label: "Closed", values: report.intervals.map((interval) => interval.requests.closed) },
    ],
  };
  const breakdown = (title: string, key: FigureKey, rows: { name: Html | string; created: number }[]) => html`<div>
    <h3>${title}</h3>
    <p class="field-hint">${definitions.get(key)!.definition}</p>
    ${rows.length === 0
      ? html`<p class="muted">None.</p>`
      : html`<table><thead><tr><th scope="col">${title.replace(/^By /, "").replace(/^./, (first) => first.toUpperCase())}</th><th scope="col" class="num">Made</th></tr></thead>
      <tbody>${rows.map((row) => html`<tr><th scope="row">${row.name}</th><td class="num">${count(row.created)}</td></tr>`)}</tbody></table>`}
  </div>`;
  return html`<section class="card" aria-labelledby="requests-title">
  <h2 id="requests-title">Service requests</h2>
  ${chart("requests-chart", spec, report)}
  ${figuresTable("Service requests in the period", [
    figureRow(definitions, "requests.created", requests.created),
    figureRow(definitions, "requests.byChannel.phone", requests.byChannel.phone, { indent: true }),
    figureRow(definitions, "requests.byChannel.after-hours", requests.byChannel["after-hours"], { indent: true }),
    figureRow(definitions, "requests.byChannel.online", requests.byChannel.online, { indent: true }),
    figureRow(definitions, "requests.closed", requests.closed),
    figureRow(definitions, "requests.medianTimeToCloseSeconds", requests.medianTimeToCloseSeconds),
  ])}
  <div class="grid-2 breakdowns">
    ${breakdown("By service", "requests.byService", requests.byService.map((row) => ({ name: named(names, row.service), created: row.created })))}
    ${breakdown("By department", "requests.byDepartment", requests.byDepartment.map((row) => ({ name: row.department ?? html`<span class="muted">no department</span>`, created: row.created })))}
  </div>
</section>`;
}

function callbacksSection(context: PageContext, report: Report, definitions: Definitions): Html {
  const callbacks = report.callbacks;
  const asOf = DateTime.fromISO(callbacks.asOf, { setZone: true });
  return html`<section class="card" aria-labelledby="callbacks-title">
  <h2 id="callbacks-title">Open callbacks</h2>
  <p>As they stood on ${when(asOf, context.zone)}. <a href="/console/callbacks">Go to the callback worklist</a> to call them back and close them.</p>
  ${figuresTable("Open callbacks", [
    figureRow(definitions, "callbacks.open", callbacks.open),
    figureRow(definitions, "callbacks.overdue", callbacks.overdue),
    figureRow(definitions, "callbacks.medianAgeSeconds", callbacks.medianAgeSeconds),
    figureRow(definitions, "callbacks.oldestAgeSeconds", callbacks.oldestAgeSeconds),
  ])}
  <h3>How long they have waited</h3>
  <p class="field-hint">${definitions.get("callbacks.ages")!.definition}</p>
  <table class="ages">
    <thead><tr><th scope="col" class="num">Under a day</th><th scope="col" class="num">1 to 3 days</th><th scope="col" class="num">3 to 7 days</th><th scope="col" class="num">Over 7 days</th></tr></thead>
    <tbody><tr><td class="num">${count(callbacks.ages.underOneDay)}</td><td class="num">${count(callbacks.ages.oneToThreeDays)}</td><td class="num">${count(callbacks.ages.threeToSevenDays)}</td><td class="num">${count(callbacks.ages.overSevenDays)}</td></tr></tbody>
  </table>
  ${callbacks.oldest.length > 0
    ? html`<h3>The oldest</h3>
  <table>
    <thead><tr><th scope="col">Reference</th><th scope="col">Left</th><th scope="col" class="num">Waiting</th><th scope="col">Overdue</th></tr></thead>
    <tbody>${callbacks.oldest.map(
      (callback) => html`<tr${callback.overdue ? html` class="overdue"` : ""}><td>${callback.reference}</td><td class="nowrap">${when(callback.requestedAt, context.zone)}</td><td class="num">${duration(callback.ageSeconds)}</td><td>${callback.overdue ? html`<span class="badge badge-overdue">Overdue</span>` : "no"}</td></tr>`,
    )}</tbody>
  </table>`
    : ""}
</section>`;
}

function urgentSection(report: Report, definitions: Definitions, names: ServiceNames): Html {
  const urgent = report.totals.urgent;
  const keys: FigureKey[] = ["urgent.reports", "urgent.incidents", "urgent.acknowledged", "urgent.medianTimeToAcknowledgeSeconds", "urgent.p90TimeToAcknowledgeSeconds", "urgent.escalated", "urgent.alarms"];
  return html`<section class="card" aria-labelledby="urgent-title">
  <h2 id="urgent-title">Urgent reports and incidents</h2>
  ${figuresTable("Urgent reports and incidents in the period", [
    figureRow(definitions, "urgent.reports", urgent.reports),
    figureRow(definitions, "urgent.incidents", urgent.incidents),
    figureRow(definitions, "urgent.acknowledged", urgent.acknowledged),
    figureRow(definitions, "urgent.medianTimeToAcknowledgeSeconds", urgent.medianTimeToAcknowledgeSeconds),
    figureRow(definitions, "urgent.p90TimeToAcknowledgeSeconds", urgent.p90TimeToAcknowledgeSeconds),
    figureRow(definitions, "urgent.escalated", urgent.escalated),
    figureRow(definitions, "urgent.escalations", urgent.escalations),
    figureRow(definitions, "urgent.alarms", urgent.alarms),
  ])}
  ${urgent.byCategory.length > 0
    ? html`<h3>${definitions.get("urgent.byCategory")!.label}</h3>
  <div class="table-scroll"><table>
    <caption class="visually-hidden">Urgent figures by category</caption>
    <thead><tr><th scope="col">Category</th>${keys.map((key) => html`<th scope="col" class="num">${definitions.get(key)!.label}</th>`)}</tr></thead>
    <tbody>${urgent.byCategory.map(
      (category) => html`<tr><th scope="row">${named(names, category.category)}</th>
      <td class="num">${count(category.reports)}</td><td class="num">${count(category.incidents)}</td><td class="num">${count(category.acknowledged)}</td>
      <td class="num">${duration(category.medianTimeToAcknowledgeSeconds)}</td><td class="num">${duration(category.p90TimeToAcknowledgeSeconds)}</td>
      <td class="num">${count(category.escalated)}</td><td class="num">${count(category.alarms)}</td></tr>`,
    )}</tbody>
  </table></div>
  ${columnDefinitions(definitions, keys)}`
    : ""}
</section>`;
}

/** The weekday × hour table: each cell shaded by how busy that hour was, with its number in it. */
function heatmap(report: Report, definitions: Definitions): Html {
  const table = report.callsByWeekdayHour;
  const busiest = Math.max(0, ...table.calls.flat());
  const step = (calls: number) => (calls === 0 || busiest === 0 ? 0 : Math.max(1, Math.ceil((calls / busiest) * HEAT_STEPS)));
  const hours = Array.from({ length: 24 }, (_, hour) => hour);
  return html`<section class="card" aria-labelledby="heatmap-title">
  <h2 id="heatmap-title">${definitions.get("callsByWeekdayHour")!.label}</h2>
  <p class="field-hint">${definitions.get("callsByWeekdayHour")!.definition} The darker the cell, the busier the hour${busiest > 0 ? ` (the busiest had ${count(busiest)})` : ""}.</p>
  <div class="table-scroll">
  <table class="heatmap">
    <caption class="visually-hidden">Calls offered by weekday (rows) and hour of the day (columns), City time</caption>
    <thead><tr><th scope="col">Day</th>${hours.map((hour) => html`<th scope="col" class="num"><abbr title="${`${String(hour).padStart(2, "0")}:00 to ${String(hour).padStart(2, "0")}:59`}">${String(hour).padStart(2, "0")}</abbr></th>`)}<th scope="col" class="num">All day</th></tr></thead>
    <tbody>${table.weekdays.map(
      (weekday, row) => html`<tr><th scope="row">${WEEKDAY_WORDS[weekday] ?? weekday}</th>${table.calls[row]!.map(
        (calls) => html`<td class="num heat heat-${step(calls)}">${calls === 0 ? html`<span class="visually-hidden">0</span>` : count(calls)}</td>`,
      )}<td class="num">${count(table.calls[row]!.reduce((sum, calls) => sum + calls, 0))}</td></tr>`,
    )}</tbody>
  </table>
  </div>
</section>`;
}

export function reportsPage(context: PageContext, view: ReportsView): string {
  const lede = html`What the City counts: calls, how many were answered without anything more to do, service requests, callbacks and urgent reports, for the period you choose. Every figure says what it counts, because 311 centres compute the same names differently.`;
  const form = periodForm(view, context.zone);
  const report = view.report;
  if (!report) return page(context, { title: "Reports", section: "reports", lede, notice: view.notice, body: form });
  const definitions: Definitions = new Map(figureDefinitions(report.settings).map((entry) => [entry.key, entry]));
  const axis: Axis = { labels: report.intervals.map((interval) => intervalLabel(interval, report.period.by)), ticks: intervalTicks(report.intervals, report.period.by) };
  const names = view.serviceNames ?? readableServiceName;
  const body = html`${form}
${backlogBox(view.backlog)}
<h2 class="period-heading">${periodWords(report)}, by ${report.period.by}</h2>
${headline(report, definitions)}
${downloads(report)}
${callsSection(report, definitions, axis)}
${queuesSection(report, definitions, axis, names)}
${requestsSection(report, definitions, axis, names)}
${callbacksSection(context, report, definitions)}
${urgentSection(report, definitions, names)}
${heatmap(report, definitions)}
<p class="muted">Computed ${when(report.generatedAt, context.zone)}, City time. Service level threshold ${report.settings.serviceLevelSeconds} s (SERVICE_LEVEL_SECONDS); short abandons ${report.settings.shortAbandonSeconds} s or less (SHORT_ABANDON_SECONDS).</p>`;
  return page(context, { title: "Reports", section: "reports", lede, notice: view.notice, body });
}
