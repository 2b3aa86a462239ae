/**
 * The report as people read it: a table for the terminal that ends with what every figure
 * means, and CSV for a spreadsheet.
 */
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import {
  assembleReport,
  csvCell,
  FIGURE_DEFINITIONS,
  figureDefinitions,
  formatDuration,
  formatShare,
  reportCsv,
  reportPeriod,
  reportText,
  type ReportAggregates,
} from "../../../src/domain/reports/index.js";

const ZONE = "America/Edmonton";
const settings = { serviceLevelSeconds: 45, shortAbandonSeconds: 8 };

const aggregates: ReportAggregates = {
  calls: [
    { interval: 0, offered: 10, afterHours: 2, answeredByIvr: 5, queued: 4, answeredByAgent: 3, abandonedInQueue: 1, abandonedInQueueShort: 1, abandonedInIvr: 0, voicemail: 1, transferred: 0, urgentReports: 0, answeredWithoutFurtherAction: 8 },
    { interval: null, offered: 10, afterHours: 2, answeredByIvr: 5, queued: 4, answeredByAgent: 3, abandonedInQueue: 1, abandonedInQueueShort: 1, abandonedInIvr: 0, voicemail: 1, transferred: 0, urgentReports: 0, answeredWithoutFurtherAction: 8 },
  ],
  queues: [{ interval: null, queue: "utility-billing", queued: 4, answered: 3, abandoned: 1, abandonedShort: 1, answeredWithinServiceLevel: 2, averageSpeedOfAnswerSeconds: 40, longestWaitSeconds: 95 }],
  requestsMade: [
    { interval: 0, service: "callback", department: "=HYPERLINK(\"http://evil\")", channel: "phone", urgent: false, created: 1 },
    { interval: 0, service: "potholes", department: "Roads, Parks", channel: "online", urgent: false, created: 1 },
  ],
  requestsClosed: [],
  incidents: [],
  callsByHour: [{ hour: 9, calls: 10 }],
  callbacks: { open: 1, overdue: 0, medianAgeSeconds: 3600, oldestAgeSeconds: 3600, ages: { underOneDay: 1, oneToThreeDays: 0, threeToSevenDays: 0, overSevenDays: 0 }, oldest: [{ reference: "4821", requestedAt: "2026-12-07T23:00:00.000Z" }] },
};

const period = reportPeriod({ from: "2026-12-07", to: "2026-12-08", by: "day" }, ZONE);
const report = assembleReport(period, aggregates, {
  settings,
  generatedAt: DateTime.fromISO("2026-12-09T17:00:00Z"),
  asOf: period.end,
  overdueIfLeftBefore: DateTime.fromISO("2026-12-08T08:00", { zone: ZONE }),
});

describe("figureDefinitions", () => {
  it("writes the report's thresholds into the definitions that use them", () => {
    const byKey = new Map(figureDefinitions(settings).map((figure) => [figure.key, figure.definition]));
    expect(byKey.get("queues.serviceLevel")).toContain("after a wait of 45 s (SERVICE_LEVEL_SECONDS) or less");
    expect(byKey.get("calls.abandonedInQueueShort")).toContain("after waiting 8 s (SHORT_ABANDON_SECONDS) or less");
  });

  it("names the settings without a report", () => {
    const serviceLevel = figureDefinitions().find((figure) => figure.key === "queues.serviceLevel")!;
    expect(serviceLevel.definition).toContain("after a wait of SERVICE_LEVEL_SECONDS seconds or less");
    expect(figureDefinitions().some((figure) => figure.definition.includes("{"))).toBe(false);
  });

  it("lists every definition, in the order FIGURE_DEFINITIONS gives them", () => {
    expect(figureDefinitions().map((figure) => figure.key)).toEqual(Object.keys(FIGURE_DEFINITIONS));
  });
});

describe("reportText", () => {
  const text = reportText(report);

  it("starts with the period, its zone and the thresholds", () => {
    expect(text.split("\n").slice(0, 3)).toEqual([
      "Civic Line: the City's figures",
      "Period: 2026-12-07 to 2026-12-08 (America/Edmonton), by day",
      "Computed 2026-12-09 10:00 MST; service level 45 s, short abandon 8 s",
    ]);
  });

  it("shows the headline with its shares", () => {
    expect(text).toMatch(/Answered without further action\s+8\s+80\.0%/);
    expect(text).toMatch(/Requests made online\s+1\s+50\.0%/);
  });

  it("has a row per interval and one for the whole period", () => {
    expect(text).toMatch(/^2026-12-07 Mon\s+10\s+2\s+5\s+4\s+3\s+1\s+1\s+0\s+1\s+0\s+0\s+8$/m);
    expect(text).toMatch(/^2026-12-08 Tue(\s+0){12}$/m);
    expect(text).toMatch(/^Whole period\s+10\s/m);
  });

  it("shows each queue's service level and waits in words", () => {
    expect(text).toMatch(/^utility-billing\s+4\s+3\s+1\s+1\s+40 s\s+50\.0%\s+1 min 35 s$/m);
  });

  it("lists the oldest open callbacks by reference, never with a phone number", () => {
    // Left Monday 16:00 local; counted at the period's end, Wednesday 00:00: 32 hours, and Tuesday has passed.
    expect(text).toMatch(/^ {2}4821\s+2026-12-07 16:00\s+1 d 8 h\s+overdue$/m);
    expect(text).not.toMatch(/\+1\d{10}/);
  });

  it("ends with a legend that defines every figure", () => {
    const legend = text.slice(text.indexOf("WHAT THE FIGURES MEAN"));
    const flat = legend.replace(/\n\s+/g, " ");
    for (const figure of figureDefinitions(settings)) expect(flat).toContain(`${figure.label} (${figure.key}): ${figure.definition}`);
  });

  it("keeps the legend's lines within 100 columns", () => {
    const legend = text.slice(text.indexOf("WHAT THE FIGURES MEAN")).split("\n");
    expect(legend.filter((line) => line.length > 100)).toEqual([]);
  });
});

describe("reportCsv", () => {
  const csv = reportCsv(report);
  const lines = csv.split("\r\n");

  it("has a header, then one figure per row, with CRLF line ends", () => {
    expect(lines[0]).toBe("scope,from,to,figure,breakdown,value");
    expect(csv.endsWith("\r\n")).toBe(true);
    expect(lines).toContain("period,2026-12-07,2026-12-08,calls.offered,,10");
    expect(lines).toContain("interval,2026-12-07,2026-12-07,calls.offered,,10");
    expect(lines).toContain("interval,2026-12-08,2026-12-08,calls.offered,,0");
  });

  it("writes shares as fractions and leaves unknown values empty", () => {
    expect(lines).toContain("period,2026-12-07,2026-12-08,headline.answeredWithoutFurtherActionShare,,0.8");
    expect(lines).toContain("period,2026-12-07,2026-12-08,queues.serviceLevel,utility-billing,0.5");
    expect(lines).toContain("period,2026-12-07,2026-12-08,requests.medianTimeToCloseSeconds,,");
  });

  it("quotes a name with a comma, and keeps a name a spreadsheet would run as a formula as text", () => {
    expect(lines).toContain('period,2026-12-07,2026-12-08,requests.byDepartment,"Roads, Parks",1');
    expect(lines).toContain(`period,2026-12-07,2026-12-08,requests.byDepartment,"'=HYPERLINK(""http://evil"")",1`);
  });

  it("has the weekday × hour table, one cell per row", () => {
    expect(lines).toContain("period,2026-12-07,2026-12-08,callsByWeekdayHour,monday 09,10");
    expect(lines.filter((line) => line.includes(",callsByWeekdayHour,"))).toHaveLength(7 * 24);
  });

  it("names every figure by its key in the definitions", () => {
    const keys = new Set(Object.keys(FIGURE_DEFINITIONS));
    const figures = new Set(lines.slice(1, -1).map((line) => line.split(",")[3]!));
    expect([...figures].filter((figure) => !keys.has(figure) && !keys.has(figure.replace(/^urgent\.[a-zA-Z0-9]+$/, "urgent.byCategory")))).toEqual([]);
  });
});

describe("csvCell and the durations", () => {
  it("writes numbers plainly, rounded to four decimals", () => {
    expect([csvCell(12), csvCell(0.861234), csvCell(null)]).toEqual(["12", "0.8612", ""]);
  });

  it("says durations and shares the way people do", () => {
    expect([45, 200, 7_500, 273_600, null].map(formatDuration)).toEqual(["45 s", "3 min 20 s", "2 h 05 min", "3 d 4 h", "-"]);
    expect([0.8612, null].map(formatShare)).toEqual(["86.1%", "-"]);
  });
});
