import type { ReportSettings } from "./report.js";

/** What a figure measures in: calls or requests counted, seconds, a share from 0 to 1, or a breakdown. */
export type FigureUnit = "count" | "seconds" | "share" | "breakdown";

/** A figure's name for people, its unit and what exactly it counts. */
export interface FigureDefinition {
  label: string;
  unit: FigureUnit;
  /**
   * What it counts, in plain words. `{serviceLevelSeconds}` and `{shortAbandonSeconds}` stand for
   * the report's settings (`60 s (SERVICE_LEVEL_SECONDS)`): `figureDefinitions(settings)` fills them in.
   */
  definition: string;
}

/**
 * Every figure of a `Report`, keyed by its path in the report (`calls.offered`; per-queue figures
 * under `queues.`, the same in `totals` and in each interval), in the order a legend lists them.
 * 311 centres compute the same names differently: this is how Civic Line computes them, and the
 * one place that says so (the CLI's legend and the console read it).
 */
export const FIGURE_DEFINITIONS = {
  "period.intervals": {
    label: "Periods and intervals",
    unit: "breakdown",
    definition:
      "Days, weeks (Monday to Sunday) and months run from midnight to midnight in the City's time zone (the hours document's zone, America/Edmonton), so the day the clocks change has 23 or 25 hours. A call counts in the interval it started in; a request in the interval it was made in (created) and in the one it was closed in (closed); an incident in the interval it was opened in. The first and last intervals are cut to the period.",
  },

  "headline.calls": { label: "Calls", unit: "count", definition: "Calls offered: every call that reached the line in the period (calls.offered)." },
  "headline.answeredWithoutFurtherAction": {
    label: "Answered without further action",
    unit: "count",
    definition: "Calls answered without further action in the period (calls.answeredWithoutFurtherAction).",
  },
  "headline.answeredWithoutFurtherActionShare": {
    label: "Share answered without further action",
    unit: "share",
    definition:
      "Calls answered without further action ÷ calls offered. Every call offered is in the denominator: abandoned calls, voicemails, urgent reports and transfers count against it.",
  },
  "headline.serviceRequests": { label: "Service requests", unit: "count", definition: "Service requests made in the period, by every channel (requests.created)." },
  "headline.onlineRequests": { label: "Requests made online", unit: "count", definition: "Service requests made through the City's web form (Open311) in the period." },
  "headline.onlineShare": { label: "Share of requests made online", unit: "share", definition: "Requests made online ÷ service requests made in the period." },

  "calls.offered": {
    label: "Calls offered",
    unit: "count",
    definition:
      "Calls that reached the line, whatever happened next, counted once in the interval they started in. Each ends in exactly one of: answered by IVR, answered by agent, abandoned in queue, abandoned in IVR, voicemail, transferred, urgent report; these add up to it.",
  },
  "calls.afterHours": {
    label: "After hours",
    unit: "count",
    definition: "Calls offered while the line was closed by the hours (and any emergency override) in force when they started: they reached the after-hours menu.",
  },
  "calls.answeredByIvr": {
    label: "Answered by IVR",
    unit: "count",
    definition: "Calls that ended in the automated menus without an agent, a service request or a voicemail: a recorded answer was all the caller needed (outcome answered-by-ivr).",
  },
  "calls.queued": {
    label: "Queued",
    unit: "count",
    definition: "Calls put in an agent queue, however they left it. A call queued twice counts once, in its last queue.",
  },
  "calls.answeredByAgent": {
    label: "Answered by agent",
    unit: "count",
    definition: "Calls an agent answered: Twilio bridged the caller from the queue to the agent (QueueResult bridged; outcome queued-to-agent).",
  },
  "calls.abandonedInQueue": {
    label: "Abandoned in queue",
    unit: "count",
    definition: "Calls whose caller hung up while waiting in an agent queue (QueueResult hangup, or the call ended while it was still in the queue).",
  },
  "calls.abandonedInQueueShort": {
    label: "Short abandons",
    unit: "count",
    definition:
      "Of the calls abandoned in queue, those whose caller hung up after waiting {shortAbandonSeconds} or less: often a wrong number or a caller who calls again. They stay in every other figure.",
  },
  "calls.abandonedInIvr": {
    label: "Abandoned in IVR",
    unit: "count",
    definition:
      "Calls whose caller hung up outside a queue before the call reached an end: in the menus, during a recording, or after leaving a queue (outcome abandoned, not waiting in a queue when it ended).",
  },
  "calls.voicemail": {
    label: "Voicemail",
    unit: "count",
    definition: "Calls that left a voicemail to be called back (outcome voicemail); each is a callback request.",
  },
  "calls.transferred": {
    label: "Transferred",
    unit: "count",
    definition: "Calls the line passed to another number, which answered (outcome transferred).",
  },
  "calls.urgentReports": {
    label: "Urgent reports",
    unit: "count",
    definition: "Calls that filed an urgent report for the crew on call (outcome urgent-report).",
  },
  "calls.answeredWithoutFurtherAction": {
    label: "Answered without further action",
    unit: "count",
    definition:
      "Calls answered by the IVR or by an agent that left no service request behind (no request carries the call's CallSid, and the call gave out no reference): nobody has anything more to do. Voicemails, urgent reports, transfers and abandoned calls are not in it.",
  },

  "queues.queued": { label: "Queued", unit: "count", definition: "Calls put in this agent queue, however they left it." },
  "queues.answered": { label: "Answered", unit: "count", definition: "Calls an agent answered from this queue (QueueResult bridged)." },
  "queues.abandoned": { label: "Abandoned", unit: "count", definition: "Calls whose caller hung up while waiting in this queue." },
  "queues.abandonedShort": {
    label: "Short abandons",
    unit: "count",
    definition: "Of the calls abandoned in this queue, those that waited {shortAbandonSeconds} or less.",
  },
  "queues.answeredWithinServiceLevel": {
    label: "Answered in time",
    unit: "count",
    definition: "Calls an agent answered from this queue after a wait of {serviceLevelSeconds} or less.",
  },
  "queues.averageSpeedOfAnswerSeconds": {
    label: "Average speed of answer",
    unit: "seconds",
    definition: "The mean wait of the calls an agent answered from this queue (Twilio's QueueTime). Calls not answered are not in it: see the service level.",
  },
  "queues.serviceLevel": {
    label: "Service level",
    unit: "share",
    definition:
      "Calls answered after a wait of {serviceLevelSeconds} or less ÷ every call queued. Abandoned calls count against it (short abandons too), and so do callers who took the voicemail offer or whom the queue could not take: each is a caller not answered in time.",
  },
  "queues.longestWaitSeconds": {
    label: "Longest wait",
    unit: "seconds",
    definition: "The longest any caller waited in this queue, however the wait ended.",
  },

  "requests.created": {
    label: "Requests made",
    unit: "count",
    definition: "Service requests made in the interval: urgent reports, voicemails (callbacks) and requests from the City's web form (Open311).",
  },
  "requests.byService": {
    label: "By service",
    unit: "breakdown",
    definition: "Requests made, by service: power, water, roads, callback, an agent queue's service...",
  },
  "requests.byDepartment": {
    label: "By department",
    unit: "breakdown",
    definition: "Requests made, by the department that handles their service (flows/departments.yaml); none when no department handles it.",
  },
  "requests.byChannel.phone": { label: "Phone", unit: "count", definition: "Requests made through the day line: a voicemail left while the line was open." },
  "requests.byChannel.after-hours": {
    label: "After hours",
    unit: "count",
    definition: "Requests made through the after-hours line: urgent reports, and voicemails left while the line was closed.",
  },
  "requests.byChannel.online": { label: "Online", unit: "count", definition: "Requests made through the City's web form (Open311 POST requests.json)." },
  "requests.closed": {
    label: "Requests closed",
    unit: "count",
    definition: "Requests closed in the interval, whenever they were made. A request reopened and closed again counts when it was last closed.",
  },
  "requests.medianTimeToCloseSeconds": {
    label: "Median time to close",
    unit: "seconds",
    definition: "Of the requests closed in the interval, the median time from being made to being closed: half were closed sooner, half later.",
  },

  "callbacks.open": {
    label: "Open callbacks",
    unit: "count",
    definition: "Voicemails (service callback) made before the end of the period (or now, if it has not ended) and not closed by then: people waiting for the City to call back.",
  },
  "callbacks.overdue": {
    label: "Overdue callbacks",
    unit: "count",
    definition:
      "Open callbacks still open after the first whole business day that began after they were left. A business day is a day the City's hours (hours.yaml: weekly hours, holidays and closures; not emergency overrides) open the line, from its first opening to its last closing: a voicemail left on Friday evening is due by Monday's close, one left on Tuesday at 10:00 by Wednesday's close.",
  },
  "callbacks.medianAgeSeconds": { label: "Median age", unit: "seconds", definition: "How long the open callbacks have waited, in calendar time: the median." },
  "callbacks.oldestAgeSeconds": { label: "Oldest", unit: "seconds", definition: "How long the oldest open callback has waited, in calendar time." },
  "callbacks.ages": {
    label: "Ages",
    unit: "breakdown",
    definition: "The open callbacks by how long they have waited in calendar time: under a day, one to three days, three to seven days, over seven days.",
  },

  "urgent.reports": {
    label: "Urgent reports",
    unit: "count",
    definition: "Urgent reports filed in the interval (service requests that belong to an incident), whether each opened an incident or joined one.",
  },
  "urgent.incidents": {
    label: "Incidents",
    unit: "count",
    definition: "Incidents opened in the interval: one problem in one place, paged once; later reports of it join it instead of paging again.",
  },
  "urgent.acknowledged": {
    label: "Acknowledged",
    unit: "count",
    definition: "Of the incidents opened in the interval, those someone on call took (an ACK reply or a keypress on the voice page), whenever they did.",
  },
  "urgent.medianTimeToAcknowledgeSeconds": {
    label: "Median time to acknowledge",
    unit: "seconds",
    definition:
      "Of the incidents opened in the interval and acknowledged, the median time from opening to the first acknowledgement. Incidents never acknowledged are not in it (see alarms and acknowledged).",
  },
  "urgent.p90TimeToAcknowledgeSeconds": {
    label: "90th percentile time to acknowledge",
    unit: "seconds",
    definition: "Of the same incidents, the time within which nine in ten were acknowledged.",
  },
  "urgent.escalated": {
    label: "Escalated",
    unit: "count",
    definition: "Incidents opened in the interval whose pages went beyond the first person on call, because nobody answered in time.",
  },
  "urgent.escalations": {
    label: "Escalations",
    unit: "count",
    definition: "Pages beyond the first person on call, summed over the incidents opened in the interval: how far down the chain they went.",
  },
  "urgent.alarms": {
    label: "Alarms",
    unit: "count",
    definition: "Incidents opened in the interval that raised the alarm (the supervisor line was paged): every round of pages went unanswered, or nobody was on call.",
  },
  "urgent.byCategory": {
    label: "By category",
    unit: "breakdown",
    definition: "The urgent figures for each category of report (power, water, roads...): a report's category is its service, an incident's its category.",
  },

  callsByWeekdayHour: {
    label: "Calls by weekday and hour",
    unit: "breakdown",
    definition:
      "Calls offered over the whole period by the weekday and the hour, local time, they started in: for staffing. The night the clocks go back, 01:00-01:59 happens twice and both count in hour 1; the night they go forward, hour 2 has none.",
  },
} as const satisfies Record<string, FigureDefinition>;

/** A key of `FIGURE_DEFINITIONS`. */
export type FigureKey = keyof typeof FIGURE_DEFINITIONS;

/** A figure's definition with the report's thresholds written in. */
export interface FigureLegendEntry extends FigureDefinition {
  key: FigureKey;
}

/**
 * Every definition in legend order, with `{serviceLevelSeconds}` and `{shortAbandonSeconds}`
 * replaced by the report's settings (or left as the variable's name without them).
 */
export function figureDefinitions(settings?: ReportSettings): FigureLegendEntry[] {
  return (Object.entries(FIGURE_DEFINITIONS) as [FigureKey, FigureDefinition][]).map(([key, figure]) => ({
    key,
    label: figure.label,
    unit: figure.unit,
    definition: figure.definition
      .replaceAll("{serviceLevelSeconds}", settings ? `${settings.serviceLevelSeconds} s (SERVICE_LEVEL_SECONDS)` : "SERVICE_LEVEL_SECONDS seconds")
      .replaceAll("{shortAbandonSeconds}", settings ? `${settings.shortAbandonSeconds} s (SHORT_ABANDON_SECONDS)` : "SHORT_ABANDON_SECONDS seconds"),
  }));
}
