/**
 * Putting the database's aggregates together into the report: every interval present, the
 * breakdowns added up, shares divided, urgent reports and incidents side by side per category.
 */
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import {
  assembleReport,
  FIGURE_DEFINITIONS,
  reportPeriod,
  type CallAggregate,
  type ReportAggregates,
  type Report,
} from "../../../src/domain/reports/index.js";

const ZONE = "America/Edmonton";
const period = reportPeriod({ from: "2026-12-07", to: "2026-12-09", by: "day" }, ZONE);
const settings = { serviceLevelSeconds: 60, shortAbandonSeconds: 10 };

const calls = (interval: number | null, offered: number, changes: Partial<CallAggregate> = {}): CallAggregate => ({
  interval,
  offered,
  afterHours: 0,
  answeredByIvr: offered,
  queued: 0,
  answeredByAgent: 0,
  abandonedInQueue: 0,
  abandonedInQueueShort: 0,
  abandonedInIvr: 0,
  voicemail: 0,
  transferred: 0,
  urgentReports: 0,
  answeredWithoutFurtherAction: offered,
  ...changes,
});

const NOTHING: ReportAggregates = {
  calls: [],
  queues: [],
  requestsMade: [],
  requestsClosed: [],
  incidents: [],
  callsByHour: [],
  callbacks: { open: 0, overdue: 0, medianAgeSeconds: null, oldestAgeSeconds: null, ages: { underOneDay: 0, oneToThreeDays: 0, threeToSevenDays: 0, overSevenDays: 0 }, oldest: [] },
};

const context = {
  settings,
  generatedAt: DateTime.fromISO("2026-12-10T17:00:00Z"),
  asOf: period.end,
  overdueIfLeftBefore: DateTime.fromISO("2026-12-09T08:00", { zone: ZONE }),
};

function assemble(aggregates: Partial<ReportAggregates>): Report {
  return assembleReport(period, { ...NOTHING, ...aggregates }, context);
}

describe("assembleReport", () => {
  describe("a period with nothing in it", () => {
    const report = assemble({});

    it("has every interval, each with zero counts and no durations or shares", () => {
      expect(report.intervals.map((interval) => interval.from)).toEqual(["2026-12-07", "2026-12-08", "2026-12-09"]);
      for (const figures of [report.totals, ...report.intervals]) {
        expect(Object.values(figures.calls).every((value) => value === 0)).toBe(true);
        expect(figures.queues).toEqual([]);
        expect(figures.requests).toEqual({ created: 0, byService: [], byDepartment: [], byChannel: { phone: 0, "after-hours": 0, online: 0 }, closed: 0, medianTimeToCloseSeconds: null });
        expect(figures.urgent.medianTimeToAcknowledgeSeconds).toBeNull();
        expect(figures.urgent.byCategory).toEqual([]);
      }
    });

    it("has no shares in the headline rather than 0% of nothing", () => {
      expect(report.headline).toEqual({ calls: 0, answeredWithoutFurtherAction: 0, answeredWithoutFurtherActionShare: null, serviceRequests: 0, onlineRequests: 0, onlineShare: null });
    });

    it("says the period, its zone and its thresholds", () => {
      expect(report.period).toEqual({
        from: "2026-12-07",
        to: "2026-12-09",
        by: "day",
        zone: ZONE,
        start: "2026-12-07T00:00:00.000-07:00",
        end: "2026-12-10T00:00:00.000-07:00",
      });
      expect(report.settings).toEqual(settings);
      expect(report.generatedAt).toBe("2026-12-10T10:00:00.000-07:00");
    });

    it("has a weekday × hour table of zeros, Monday first", () => {
      expect(report.callsByWeekdayHour.weekdays[0]).toBe("monday");
      expect(report.callsByWeekdayHour.calls).toHaveLength(7);
      expect(report.callsByWeekdayHour.calls.every((day) => day.length === 24 && day.every((count) => count === 0))).toBe(true);
    });
  });

  describe("calls", () => {
    it("puts each interval's row in its interval and the period's row in the totals", () => {
      const report = assemble({ calls: [calls(0, 3), calls(2, 2), calls(null, 5)] });
      expect(report.intervals.map((interval) => interval.calls.offered)).toEqual([3, 0, 2]);
      expect(report.totals.calls.offered).toBe(5);
    });

    it("gives the share answered without further action of all calls offered", () => {
      const report = assemble({ calls: [calls(null, 8, { answeredWithoutFurtherAction: 6 })] });
      expect(report.headline.answeredWithoutFurtherAction).toBe(6);
      expect(report.headline.answeredWithoutFurtherActionShare).toBe(0.75);
    });
  });

  describe("queues", () => {
    it("divides the calls answered in time by every call queued, abandoned ones included", () => {
      const report = assemble({
        queues: [
          { interval: null, queue: "utility-billing", queued: 4, answered: 2, abandoned: 2, abandonedShort: 1, answeredWithinServiceLevel: 1, averageSpeedOfAnswerSeconds: 45, longestWaitSeconds: 130 },
          { interval: null, queue: "animal-control", queued: 1, answered: 1, abandoned: 0, abandonedShort: 0, answeredWithinServiceLevel: 1, averageSpeedOfAnswerSeconds: 5, longestWaitSeconds: 5 },
        ],
      });
      expect(report.totals.queues.map((queue) => [queue.queue, queue.serviceLevel])).toEqual([
        ["animal-control", 1],
        ["utility-billing", 0.25],
      ]);
      expect(report.intervals[0]!.queues).toEqual([]);
    });
  });

  describe("requests", () => {
    const report = assemble({
      requestsMade: [
        { interval: 0, service: "callback", department: "311 Contact Centre", channel: "phone", urgent: false, created: 3 },
        { interval: 0, service: "callback", department: "311 Contact Centre", channel: "after-hours", urgent: false, created: 1 },
        { interval: 1, service: "power", department: "Electric", channel: "after-hours", urgent: true, created: 2 },
        { interval: 1, service: "potholes", department: null, channel: "online", urgent: false, created: 1 },
      ],
      requestsClosed: [
        { interval: 1, closed: 2, medianTimeToCloseSeconds: 3600 },
        { interval: null, closed: 2, medianTimeToCloseSeconds: 3600 },
      ],
    });

    it("adds up the period by service, most first", () => {
      expect(report.totals.requests.byService).toEqual([
        { service: "callback", created: 4 },
        { service: "power", created: 2 },
        { service: "potholes", created: 1 },
      ]);
    });

    it("adds up by department, with the requests no department handles named null", () => {
      expect(report.totals.requests.byDepartment).toEqual([
        { department: "311 Contact Centre", created: 4 },
        { department: "Electric", created: 2 },
        { department: null, created: 1 },
      ]);
    });

    it("adds up by channel, per interval and for the period", () => {
      expect(report.intervals.map((interval) => interval.requests.byChannel)).toEqual([
        { phone: 3, "after-hours": 1, online: 0 },
        { phone: 0, "after-hours": 2, online: 1 },
        { phone: 0, "after-hours": 0, online: 0 },
      ]);
      expect(report.totals.requests.created).toBe(7);
      expect(report.headline.onlineShare).toBeCloseTo(1 / 7);
    });

    it("takes the closed and their median from the database's row for each interval", () => {
      expect(report.intervals.map((interval) => [interval.requests.closed, interval.requests.medianTimeToCloseSeconds])).toEqual([
        [0, null],
        [2, 3600],
        [0, null],
      ]);
    });

    it("counts the urgent ones as reports of their category", () => {
      expect(report.intervals[1]!.urgent.reports).toBe(2);
      expect(report.totals.urgent.byCategory).toEqual([expect.objectContaining({ category: "power", reports: 2, incidents: 0 })]);
    });
  });

  describe("urgent", () => {
    it("puts reports and incidents of a category side by side, categories by name", () => {
      const report = assemble({
        requestsMade: [{ interval: 0, service: "water", department: null, channel: "after-hours", urgent: true, created: 3 }],
        incidents: [
          { interval: null, category: null, incidents: 3, acknowledged: 2, medianTimeToAcknowledgeSeconds: 300, p90TimeToAcknowledgeSeconds: 540, escalated: 1, escalations: 2, alarms: 1 },
          { interval: null, category: "water", incidents: 2, acknowledged: 2, medianTimeToAcknowledgeSeconds: 300, p90TimeToAcknowledgeSeconds: 540, escalated: 1, escalations: 2, alarms: 0 },
          { interval: null, category: "power", incidents: 1, acknowledged: 0, medianTimeToAcknowledgeSeconds: null, p90TimeToAcknowledgeSeconds: null, escalated: 0, escalations: 0, alarms: 1 },
        ],
      });
      const { byCategory, ...all } = report.totals.urgent;
      expect(all).toEqual({ reports: 3, incidents: 3, acknowledged: 2, medianTimeToAcknowledgeSeconds: 300, p90TimeToAcknowledgeSeconds: 540, escalated: 1, escalations: 2, alarms: 1 });
      expect(byCategory.map((category) => [category.category, category.reports, category.incidents, category.alarms])).toEqual([
        ["power", 0, 1, 1],
        ["water", 3, 2, 0],
      ]);
    });
  });

  describe("open callbacks", () => {
    it("gives each listed callback its age at the time they are counted and whether it is overdue", () => {
      const report = assemble({
        callbacks: {
          ...NOTHING.callbacks,
          open: 2,
          overdue: 1,
          oldest: [
            { reference: "1001", requestedAt: "2026-12-08T15:00:00.000Z" },
            { reference: "1002", requestedAt: "2026-12-09T17:00:00.000Z" },
          ],
        },
      });
      // As of midnight 10 December in Edmonton (07:00Z): 1001 waited 40 h, 1002 14 h. Overdue: left before 9 December 08:00 local.
      expect(report.callbacks.oldest).toEqual([
        { reference: "1001", requestedAt: "2026-12-08T15:00:00.000Z", ageSeconds: 40 * 3600, overdue: true },
        { reference: "1002", requestedAt: "2026-12-09T17:00:00.000Z", ageSeconds: 14 * 3600, overdue: false },
      ]);
      expect(report.callbacks.asOf).toBe("2026-12-10T00:00:00.000-07:00");
      expect(report.callbacks.overdueIfLeftBefore).toBe("2026-12-09T08:00:00.000-07:00");
    });
  });

  it("puts the calls of each hour of the period in its weekday and hour", () => {
    // The period starts on Monday 7 December at 00:00: hour 33 is Tuesday 09:00, hour 71 Wednesday 23:00.
    const report = assemble({ callsByHour: [{ hour: 33, calls: 4 }, { hour: 71, calls: 1 }, { hour: 9, calls: 2 }] });
    expect(report.callsByWeekdayHour.calls[0]![9]).toBe(2);
    expect(report.callsByWeekdayHour.calls[1]![9]).toBe(4);
    expect(report.callsByWeekdayHour.calls[2]![23]).toBe(1);
  });
});

describe("FIGURE_DEFINITIONS", () => {
  /** The key a figure of the report is defined under: its path, with the interval, the queue and the category left out. */
  function figureKeys(report: Report): Set<string> {
    const keys = new Set<string>(["period.intervals", "callsByWeekdayHour"]);
    for (const name of Object.keys(report.headline)) keys.add(`headline.${name}`);
    const figures = report.totals;
    for (const name of Object.keys(figures.calls)) keys.add(`calls.${name}`);
    for (const name of Object.keys(figures.queues[0]!)) if (name !== "queue") keys.add(`queues.${name}`);
    for (const [name, value] of Object.entries(figures.requests)) {
      if (name === "byChannel") for (const channel of Object.keys(value as object)) keys.add(`requests.byChannel.${channel}`);
      else keys.add(`requests.${name}`);
    }
    for (const name of Object.keys(figures.urgent)) keys.add(`urgent.${name}`);
    for (const name of Object.keys(report.callbacks)) if (!["asOf", "overdueIfLeftBefore", "oldest"].includes(name)) keys.add(`callbacks.${name}`);
    return keys;
  }

  it("defines every figure of the report, and nothing the report does not have", () => {
    const report = assemble({
      queues: [{ interval: null, queue: "q", queued: 1, answered: 1, abandoned: 0, abandonedShort: 0, answeredWithinServiceLevel: 1, averageSpeedOfAnswerSeconds: 1, longestWaitSeconds: 1 }],
    });
    expect(new Set(Object.keys(FIGURE_DEFINITIONS))).toEqual(figureKeys(report));
  });

  it("says for every figure, in words, what it counts", () => {
    for (const [key, figure] of Object.entries(FIGURE_DEFINITIONS)) {
      expect(figure.label, key).not.toBe("");
      expect(figure.definition.length, key).toBeGreaterThan(30);
    }
  });
});
