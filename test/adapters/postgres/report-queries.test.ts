/**
 * The City's figures computed by the database, on a server and on PGlite, for a day of calls
 * and requests whose right answers are worked out by hand below: Tuesday 8 December 2026 in
 * Lethbridge (America/Edmonton, UTC-7 in winter; the line open 08:00-16:30). Service level 60 s,
 * short abandon 10 s.
 */
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresRecordStore } from "../../../src/adapters/postgres/record-store.js";
import { computeReport } from "../../../src/adapters/postgres/report-queries.js";
import type { CallOutcome } from "../../../src/domain/flow/call-state.js";
import type { IncidentEvent } from "../../../src/domain/oncall/incident.js";
import type { CallRecord, RequestChannel, ServiceRequest } from "../../../src/domain/records.js";
import { ReportRequestError, type Report, type ReportInterval } from "../../../src/domain/reports/index.js";
import { lethbridgeHours } from "../../fixtures/hours/load.js";
import { DATABASE_KINDS, testDatabase, type TestDatabase } from "../../helpers/database.js";
import { callRecord, serviceRequest } from "../../helpers/records.js";

const hours = lethbridgeHours();
const settings = { serviceLevelSeconds: 60, shortAbandonSeconds: 10 };
/** Well after the constructed day: the open callbacks are counted at the end of the period asked for. */
const NOW = DateTime.fromISO("2026-12-14T12:00", { zone: hours.zone });

/** A local time in Lethbridge as an ISO instant: `at("2026-12-08T09:15")`. */
const at = (local: string) => DateTime.fromISO(local, { zone: hours.zone }).toUTC().toISO()!;

/** A call of three minutes that started at a local time, with the outcome the day's table gives it. */
function call(
  callSid: string,
  local: string,
  outcome: CallOutcome,
  fields: { afterHours?: boolean; queue?: CallRecord["queue"]; reference?: string; category?: string } = {},
): CallRecord {
  return callRecord({ callSid, startedAt: at(local), durationSeconds: 180, outcome, ...fields });
}

const queue = (name: string, result: string | null, waitSeconds: number | null) => ({ name, result, waitSeconds });

/** A request made at a local time: a callback keeps the caller's number; each channel its own source. */
function request(reference: string, local: string, service: string, department: string | null, channel: RequestChannel, fields: Partial<ServiceRequest> = {}): ServiceRequest {
  return serviceRequest({
    reference,
    service,
    department,
    channel,
    requestedAt: at(local),
    callbackNumber: service === "callback" ? "+14035550123" : null,
    source: channel === "online" ? "open311:web" : service === "callback" ? "voicemail" : "ivr",
    ...fields,
  });
}

const CONTACT_CENTRE = "311 Contact Centre";
const ELECTRIC = "Electric Utility";
const WATER = "Water and Sewer";

/**
 * The day, call by call (local times). B = the utility-billing queue, A = animal-control.
 *
 *   CA01 07:10 after hours, answered by IVR (heard the closed message)
 *   CA02 09:00 answered by IVR
 *   CA03 09:05 answered by IVR
 *   CA04 09:15 B bridged after 30 s            agent, in time
 *   CA05 09:20 B bridged after 60 s            agent, in time (60 s is within 60 s)
 *   CA06 09:30 B bridged after 61 s            agent, late
 *   CA20 09:45 B bridged after 20 s            agent, in time; the agent filed request 6001 for it
 *   CA07 10:00 B hangup after 8 s              abandoned in queue, short
 *   CA08 10:10 B hangup after 10 s             abandoned in queue, short (10 s is within 10 s)
 *   CA09 10:20 B hangup after 95 s             abandoned in queue
 *   CA10 11:00 B leave after 120 s, voicemail  request 5001 (callback)
 *   CA11 11:30 A bridged after 5 s             agent, in time
 *   CA12 12:00 abandoned in the menus          abandoned in IVR
 *   CA13 13:00 A, the call ended in the queue before any QueueResult: abandoned in queue (wait unknown)
 *   CA14 14:00 B leave after 130 s, then hung up before the beep: abandoned in IVR (out of the queue)
 *   CA15 15:00 transferred
 *   CA16 16:00 voicemail from the menu          request 5002 (callback)
 *   CA21 18:00 after hours, abandoned in IVR
 *   CA19 20:00 after hours, urgent report water request 7003, opens incident 7003
 *   CA17 22:00 after hours, urgent report power request 7001, opens incident 7001
 *   CA18 23:30 after hours, urgent report power request 7002, joins incident 7001
 *   CA22 05:00 after hours, urgent report water request 7010, opens incident 7010
 *
 * and, outside the day, CA90 at 23:59 on Monday the 7th and CA91 at 00:00 on Wednesday the 9th.
 */
const CALLS: CallRecord[] = [
  call("CA01", "2026-12-08T07:10", "answered-by-ivr", { afterHours: true }),
  call("CA02", "2026-12-08T09:00", "answered-by-ivr"),
  call("CA03", "2026-12-08T09:05", "answered-by-ivr"),
  call("CA04", "2026-12-08T09:15", "queued-to-agent", { queue: queue("utility-billing", "bridged", 30) }),
  call("CA05", "2026-12-08T09:20", "queued-to-agent", { queue: queue("utility-billing", "bridged", 60) }),
  call("CA06", "2026-12-08T09:30", "queued-to-agent", { queue: queue("utility-billing", "bridged", 61) }),
  call("CA20", "2026-12-08T09:45", "queued-to-agent", { queue: queue("utility-billing", "bridged", 20) }),
  call("CA07", "2026-12-08T10:00", "abandoned", { queue: queue("utility-billing", "hangup", 8) }),
  call("CA08", "2026-12-08T10:10", "abandoned", { queue: queue("utility-billing", "hangup", 10) }),
  call("CA09", "2026-12-08T10:20", "abandoned", { queue: queue("utility-billing", "hangup", 95) }),
  call("CA10", "2026-12-08T11:00", "voicemail", { queue: queue("utility-billing", "leave", 120), reference: "5001" }),
  call("CA11", "2026-12-08T11:30", "queued-to-agent", { queue: queue("animal-control", "bridged", 5) }),
  call("CA12", "2026-12-08T12:00", "abandoned"),
  call("CA13", "2026-12-08T13:00", "abandoned", { queue: queue("animal-control", null, null) }),
  call("CA14", "2026-12-08T14:00", "abandoned", { queue: queue("utility-billing", "leave", 130) }),
  call("CA15", "2026-12-08T15:00", "transferred"),
  call("CA16", "2026-12-08T16:00", "voicemail", { reference: "5002" }),
  call("CA21", "2026-12-08T18:00", "abandoned", { afterHours: true }),
  call("CA19", "2026-12-08T20:00", "urgent-report", { afterHours: true, reference: "7003", category: "water" }),
  call("CA17", "2026-12-08T22:00", "urgent-report", { afterHours: true, reference: "7001", category: "power" }),
  call("CA18", "2026-12-08T23:30", "urgent-report", { afterHours: true, reference: "7002", category: "power" }),
  call("CA22", "2026-12-08T05:00", "urgent-report", { afterHours: true, reference: "7010", category: "water" }),
  call("CA90", "2026-12-07T23:59", "answered-by-ivr", { afterHours: true }),
  call("CA91", "2026-12-09T00:00", "answered-by-ivr", { afterHours: true }),
];

/**
 * The requests. Made on the 8th: 5001, 5002 (callbacks, phone), 6001 (utility billing, phone,
 * filed by the agent on CA20; closed at 10:50, after 1 h), 7001, 7002 (power), 7003, 7010 (water,
 * all after hours), 8001 (potholes, online; closed at 15:00, after 2 h), 8002 (graffiti, online,
 * no department). Made before: 4001, a callback from Friday the 4th at 17:00, still open; 4002,
 * a callback from Monday the 7th at 10:00, closed on the 8th at 09:00 (after 23 h).
 */
const REQUESTS: ServiceRequest[] = [
  request("4001", "2026-12-04T17:00", "callback", CONTACT_CENTRE, "after-hours"),
  request("4002", "2026-12-07T10:00", "callback", CONTACT_CENTRE, "phone"),
  request("5001", "2026-12-08T11:05", "callback", CONTACT_CENTRE, "phone", { callSid: "CA10" }),
  request("5002", "2026-12-08T16:02", "callback", CONTACT_CENTRE, "phone", { callSid: "CA16" }),
  request("6001", "2026-12-08T09:50", "utility-billing", "Utility Billing", "phone", { callSid: "CA20", source: "agent" }),
  request("7001", "2026-12-08T22:02", "power", ELECTRIC, "after-hours", { callSid: "CA17", incident: "7001" }),
  request("7002", "2026-12-08T23:32", "power", ELECTRIC, "after-hours", { callSid: "CA18", incident: "7001" }),
  request("7003", "2026-12-08T20:03", "water", WATER, "after-hours", { callSid: "CA19", incident: "7003" }),
  request("7010", "2026-12-08T05:01", "water", WATER, "after-hours", { callSid: "CA22", incident: "7010" }),
  request("8001", "2026-12-08T13:00", "potholes", "Roads", "online"),
  request("8002", "2026-12-08T14:00", "graffiti", null, "online"),
];

const CLOSINGS: [reference: string, local: string][] = [
  ["4002", "2026-12-08T09:00"],
  ["6001", "2026-12-08T10:50"],
  ["8001", "2026-12-08T15:00"],
];

/**
 * The incidents: 7001 power, opened 22:02, paged the backup (step 1) and acknowledged at 22:09
 * (420 s); 7003 water, opened 20:03, went to step 2 and raised the alarm, never acknowledged;
 * 7010 water, opened 05:01, acknowledged at 05:21 (1,200 s) by the first person paged.
 */
const INCIDENTS: { reference: string; category: string; local: string; events: [local: string, event: Omit<IncidentEvent, "at">][] }[] = [
  {
    reference: "7001",
    category: "power",
    local: "2026-12-08T22:02",
    events: [
      ["2026-12-08T22:02", { kind: "paged", step: 0 }],
      ["2026-12-08T22:07", { kind: "paged", step: 1 }],
      ["2026-12-08T22:09", { kind: "acknowledged", name: "Sam" }],
    ],
  },
  {
    reference: "7003",
    category: "water",
    local: "2026-12-08T20:03",
    events: [
      ["2026-12-08T20:03", { kind: "paged", step: 0 }],
      ["2026-12-08T20:08", { kind: "paged", step: 1 }],
      ["2026-12-08T20:13", { kind: "paged", step: 2 }],
      ["2026-12-08T20:18", { kind: "alarm" }],
    ],
  },
  {
    reference: "7010",
    category: "water",
    local: "2026-12-08T05:01",
    events: [
      ["2026-12-08T05:01", { kind: "paged", step: 0 }],
      ["2026-12-08T05:21", { kind: "acknowledged", name: "Lee" }],
    ],
  },
];

async function load(store: PostgresRecordStore): Promise<void> {
  for (const record of CALLS) await store.addCall(record);
  for (const record of REQUESTS) await store.addRequest(record);
  for (const [reference, local] of CLOSINGS) await store.changeStatus(reference, { status: "closed", at: at(local), by: "dana", note: "done" });
  for (const incident of INCIDENTS) {
    await store.openIncident({ reference: incident.reference, category: incident.category, openedAt: at(incident.local) });
    for (const [local, event] of incident.events) await store.incidentEvent(incident.reference, { ...event, at: at(local) });
  }
}

describe.each(DATABASE_KINDS)("the report on %s", (kind) => {
  let db: TestDatabase;
  const report = (from: string, to: string, by?: ReportInterval, now = NOW): Promise<Report> =>
    computeReport(db.database, { from, to, ...(by ? { by } : {}), hours, settings, now });

  beforeAll(async () => {
    db = await testDatabase(kind);
    await load(new PostgresRecordStore(db.database));
  }, 60_000);
  afterAll(() => db.close());

  describe("the constructed day, Tuesday 8 December", () => {
    let day: Report;
    beforeAll(async () => {
      day = await report("2026-12-08", "2026-12-08");
    });

    it("has one interval, the day, from local midnight to local midnight", () => {
      expect(day.intervals.map((interval) => [interval.from, interval.start, interval.end])).toEqual([
        ["2026-12-08", "2026-12-08T00:00:00.000-07:00", "2026-12-09T00:00:00.000-07:00"],
      ]);
    });

    it("counts the calls by how they ended", () => {
      expect(day.totals.calls).toEqual({
        // CA01-CA22: CA90 (23:59 the day before) and CA91 (00:00 the day after) are not in it.
        offered: 22,
        // CA01 07:10, CA21 18:00, CA19 20:00, CA17 22:00, CA18 23:30, CA22 05:00.
        afterHours: 6,
        // CA01, CA02, CA03.
        answeredByIvr: 3,
        // B: CA04-CA10, CA14, CA20 (9); A: CA11, CA13 (2).
        queued: 11,
        // CA04, CA05, CA06, CA20, CA11.
        answeredByAgent: 5,
        // CA07, CA08, CA09 hung up in B; CA13 ended while in A.
        abandonedInQueue: 4,
        // CA07 (8 s) and CA08 (10 s); CA13's wait is unknown, so not short.
        abandonedInQueueShort: 2,
        // CA12 in the menus, CA14 after leaving the queue, CA21 after hours.
        abandonedInIvr: 3,
        // CA10, CA16.
        voicemail: 2,
        // CA15.
        transferred: 1,
        // CA17, CA18, CA19, CA22.
        urgentReports: 4,
        // By IVR 3 + by agent 5, less CA20 (request 6001 carries its CallSid) = 7.
        answeredWithoutFurtherAction: 7,
      });
    });

    it("has outcomes that add up to the calls offered", () => {
      const { calls } = day.totals;
      expect(calls.answeredByIvr + calls.answeredByAgent + calls.abandonedInQueue + calls.abandonedInIvr + calls.voicemail + calls.transferred + calls.urgentReports).toBe(
        calls.offered,
      );
    });

    it("gives each queue's speed of answer, service level and longest wait", () => {
      expect(day.totals.queues).toEqual([
        {
          queue: "animal-control",
          // CA11, CA13.
          queued: 2,
          answered: 1,
          abandoned: 1,
          abandonedShort: 0,
          answeredWithinServiceLevel: 1,
          averageSpeedOfAnswerSeconds: 5,
          // 1 in time ÷ 2 queued: CA13 abandoned counts against it.
          serviceLevel: 0.5,
          // CA11's 5 s; CA13's wait is unknown.
          longestWaitSeconds: 5,
        },
        {
          queue: "utility-billing",
          // CA04, CA05, CA06, CA20, CA07, CA08, CA09, CA10, CA14.
          queued: 9,
          answered: 4,
          abandoned: 3,
          abandonedShort: 2,
          // CA04 (30 s), CA05 (60 s), CA20 (20 s).
          answeredWithinServiceLevel: 3,
          // (30 + 60 + 61 + 20) / 4 = 171 / 4.
          averageSpeedOfAnswerSeconds: 42.75,
          // 3 in time ÷ 9 queued: the abandoned and the two who left for voicemail count against it.
          serviceLevel: 3 / 9,
          // CA14's 130 s (it left the queue for the voicemail offer).
          longestWaitSeconds: 130,
        },
      ]);
    });

    it("counts the requests made by service, department and channel", () => {
      const { byService, byDepartment, byChannel, created } = day.totals.requests;
      // 5001, 5002, 6001, 7001, 7002, 7003, 7010, 8001, 8002 (4001 and 4002 were made before).
      expect(created).toBe(9);
      expect(byService).toEqual([
        { service: "callback", created: 2 },
        { service: "power", created: 2 },
        { service: "water", created: 2 },
        { service: "graffiti", created: 1 },
        { service: "potholes", created: 1 },
        { service: "utility-billing", created: 1 },
      ]);
      expect(byDepartment).toEqual([
        { department: CONTACT_CENTRE, created: 2 },
        { department: ELECTRIC, created: 2 },
        { department: WATER, created: 2 },
        { department: "Roads", created: 1 },
        { department: "Utility Billing", created: 1 },
        { department: null, created: 1 },
      ]);
      // Phone: 5001, 5002, 6001; after hours: 7001, 7002, 7003, 7010; online: 8001, 8002.
      expect(byChannel).toEqual({ phone: 3, "after-hours": 4, online: 2 });
    });

    it("counts the requests closed that day, whenever they were made, with the median time to close", () => {
      // 6001 after 1 h (3,600 s), 8001 after 2 h (7,200 s), 4002 after 23 h (82,800 s): the median is 7,200 s.
      expect(day.totals.requests.closed).toBe(3);
      expect(day.totals.requests.medianTimeToCloseSeconds).toBe(7_200);
    });

    it("counts urgent reports, incidents and how fast they were taken", () => {
      const { byCategory, ...all } = day.totals.urgent;
      expect(all).toEqual({
        // 7001, 7002, 7003, 7010.
        reports: 4,
        // 7001, 7003, 7010 (7002 joined 7001).
        incidents: 3,
        acknowledged: 2,
        // 420 s (7001) and 1,200 s (7010): median (420 + 1,200) / 2 = 810; 90th percentile 420 + 0.9 × 780 = 1,122.
        medianTimeToAcknowledgeSeconds: 810,
        p90TimeToAcknowledgeSeconds: 1_122,
        // 7001 went to step 1, 7003 to step 2.
        escalated: 2,
        escalations: 3,
        // 7003.
        alarms: 1,
      });
      expect(byCategory).toEqual([
        { category: "power", reports: 2, incidents: 1, acknowledged: 1, medianTimeToAcknowledgeSeconds: 420, p90TimeToAcknowledgeSeconds: 420, escalated: 1, escalations: 1, alarms: 0 },
        { category: "water", reports: 2, incidents: 2, acknowledged: 1, medianTimeToAcknowledgeSeconds: 1_200, p90TimeToAcknowledgeSeconds: 1_200, escalated: 1, escalations: 2, alarms: 1 },
      ]);
    });

    it("gives the seed's headline figures", () => {
      expect(day.headline).toEqual({
        calls: 22,
        answeredWithoutFurtherAction: 7,
        answeredWithoutFurtherActionShare: 7 / 22,
        serviceRequests: 9,
        onlineRequests: 2,
        onlineShare: 2 / 9,
      });
    });

    it("counts the open callbacks at the end of the day, with their ages, and flags the one past a business day", () => {
      // At Wednesday 00:00 the last business day that has ended is Tuesday (opened 08:00): 4001
      // (Friday 17:00) is overdue; 5001 and 5002 were left during Tuesday, due Wednesday 16:30.
      // Ages: 4001 4 d 7 h = 370,800 s; 5001 12 h 55 min = 46,500 s; 5002 7 h 58 min = 28,680 s.
      expect(day.callbacks).toEqual({
        asOf: "2026-12-09T00:00:00.000-07:00",
        open: 3,
        overdue: 1,
        overdueIfLeftBefore: "2026-12-08T08:00:00.000-07:00",
        medianAgeSeconds: 46_500,
        oldestAgeSeconds: 370_800,
        ages: { underOneDay: 2, oneToThreeDays: 0, threeToSevenDays: 1, overSevenDays: 0 },
        oldest: [
          { reference: "4001", requestedAt: at("2026-12-04T17:00"), ageSeconds: 370_800, overdue: true },
          { reference: "5001", requestedAt: at("2026-12-08T11:05"), ageSeconds: 46_500, overdue: false },
          { reference: "5002", requestedAt: at("2026-12-08T16:02"), ageSeconds: 28_680, overdue: false },
        ],
      });
    });

    it("counts open callbacks now while the period has not ended", async () => {
      // Asked on Tuesday at 12:00: 4002 was closed at 09:00, 5002 is not left yet; 4001 has waited
      // 3 d 19 h and is overdue (Monday, a whole business day, has passed); 5001 (11:05) 55 min.
      const early = await report("2026-12-08", "2026-12-08", "day", DateTime.fromISO("2026-12-08T12:00", { zone: hours.zone }));
      expect(early.callbacks.asOf).toBe("2026-12-08T12:00:00.000-07:00");
      expect(early.callbacks.oldest.map((callback) => [callback.reference, callback.ageSeconds, callback.overdue])).toEqual([
        ["4001", 3 * 86_400 + 19 * 3_600, true],
        ["5001", 55 * 60, false],
      ]);
    });

    it("puts the calls in the weekday × hour table by local time", () => {
      const tuesday = day.callsByWeekdayHour.calls[1]!;
      // 05 CA22; 07 CA01; 09 CA02-CA06, CA20; 10 CA07-CA09; 11 CA10, CA11; 12-16 one each; 18 CA21; 20 CA19; 22 CA17; 23 CA18.
      expect(Object.fromEntries(tuesday.flatMap((calls, hour) => (calls ? [[hour, calls]] : [])))).toEqual({
        5: 1,
        7: 1,
        9: 6,
        10: 3,
        11: 2,
        12: 1,
        13: 1,
        14: 1,
        15: 1,
        16: 1,
        18: 1,
        20: 1,
        22: 1,
        23: 1,
      });
      expect(day.callsByWeekdayHour.calls.flat().reduce((sum, calls) => sum + calls, 0)).toBe(22);
    });
  });

  describe("the days around it, by day", () => {
    it("puts the calls just before and after midnight in their own days", async () => {
      const days = await report("2026-12-07", "2026-12-09", "day");
      expect(days.intervals.map((interval) => [interval.from, interval.calls.offered])).toEqual([
        ["2026-12-07", 1],
        ["2026-12-08", 22],
        ["2026-12-09", 1],
      ]);
      expect(days.totals.calls.offered).toBe(24);
    });

    it("counts a request closed in one interval and made in another in each", async () => {
      const days = await report("2026-12-07", "2026-12-09", "day");
      // 4002 was made on the 7th and closed on the 8th.
      expect(days.intervals.map((interval) => [interval.requests.created, interval.requests.closed])).toEqual([
        [1, 0],
        [9, 3],
        [0, 0],
      ]);
    });
  });

  describe("by week and by month", () => {
    it("gives the same totals whatever the intervals, and each interval its share", async () => {
      const weeks = await report("2026-12-01", "2026-12-31", "week");
      const months = await report("2026-12-01", "2026-12-31", "month");
      expect(weeks.intervals.map((interval) => [interval.from, interval.to, interval.calls.offered])).toEqual([
        ["2026-12-01", "2026-12-06", 0],
        ["2026-12-07", "2026-12-13", 24],
        ["2026-12-14", "2026-12-20", 0],
        ["2026-12-21", "2026-12-27", 0],
        ["2026-12-28", "2026-12-31", 0],
      ]);
      expect(months.intervals).toHaveLength(1);
      expect(months.intervals[0]!.urgent.incidents).toBe(3);
      expect(weeks.totals).toEqual(months.totals);
    });
  });

  describe("a period with nothing in it", () => {
    it("has every interval, with zero counts, no medians and no shares", async () => {
      const empty = await report("2025-06-01", "2025-06-03", "day");
      expect(empty.intervals).toHaveLength(3);
      expect(empty.headline).toEqual({ calls: 0, answeredWithoutFurtherAction: 0, answeredWithoutFurtherActionShare: null, serviceRequests: 0, onlineRequests: 0, onlineShare: null });
      expect(Object.values(empty.totals.calls).every((value) => value === 0)).toBe(true);
      expect(empty.totals.queues).toEqual([]);
      expect(empty.totals.requests.medianTimeToCloseSeconds).toBeNull();
      expect(empty.totals.urgent).toEqual({
        reports: 0,
        incidents: 0,
        acknowledged: 0,
        medianTimeToAcknowledgeSeconds: null,
        p90TimeToAcknowledgeSeconds: null,
        escalated: 0,
        escalations: 0,
        alarms: 0,
        byCategory: [],
      });
      // Every callback was left after it ended.
      expect(empty.callbacks).toMatchObject({ open: 0, overdue: 0, medianAgeSeconds: null, oldestAgeSeconds: null, oldest: [] });
      expect(empty.callsByWeekdayHour.calls.flat().every((calls) => calls === 0)).toBe(true);
    });
  });

  it("refuses a period it cannot read", async () => {
    await expect(report("2026-12-31", "2026-12-01")).rejects.toThrow(ReportRequestError);
  });
});

describe.each(DATABASE_KINDS)("intervals across a change of the clocks on %s", (kind) => {
  let db: TestDatabase;
  const report = (from: string, to: string, by: ReportInterval) => computeReport(db.database, { from, to, by, hours, settings, now: NOW });

  beforeAll(async () => {
    db = await testDatabase(kind);
    const store = new PostgresRecordStore(db.database);
    // Sunday 1 November 2026: at 02:00 MDT (UTC-6) the clocks go back to 01:00 MST (UTC-7).
    const utc = (instant: string, sid: string) => ({ ...call(sid, "2026-11-01T12:00", "answered-by-ivr"), startedAt: instant, endedAt: instant });
    for (const record of [
      utc("2026-11-01T05:30:00Z", "CA-sat-2330"), // Saturday 23:30 MDT
      utc("2026-11-01T06:30:00Z", "CA-sun-0030"), // Sunday 00:30 MDT
      utc("2026-11-01T07:30:00Z", "CA-sun-0130-mdt"), // Sunday 01:30 MDT
      utc("2026-11-01T08:30:00Z", "CA-sun-0130-mst"), // Sunday 01:30 MST, the same wall time an hour later
      utc("2026-11-02T06:30:00Z", "CA-sun-2330"), // Sunday 23:30 MST: a fixed UTC-6 would put it on Monday
      utc("2026-11-02T07:30:00Z", "CA-mon-0030"), // Monday 00:30 MST
      // Sunday 8 March 2026: at 02:00 MST the clocks go forward to 03:00 MDT.
      utc("2026-03-08T06:30:00Z", "CA-mar-sat-2330"), // Saturday 7 March 23:30 MST
      utc("2026-03-09T05:30:00Z", "CA-mar-sun-2330"), // Sunday 8 March 23:30 MDT: a fixed UTC-7 would put it on Monday
      utc("2026-03-09T06:30:00Z", "CA-mar-mon-0030"), // Monday 9 March 00:30 MDT
    ]) {
      await store.addCall(record);
    }
  }, 60_000);
  afterAll(() => db.close());

  it("counts the 25-hour day the clocks go back, by its local midnights", async () => {
    const days = await report("2026-10-31", "2026-11-02", "day");
    expect(days.intervals.map((interval) => [interval.from, interval.calls.offered])).toEqual([
      ["2026-10-31", 1],
      ["2026-11-01", 4],
      ["2026-11-02", 1],
    ]);
  });

  it("counts the 23-hour day the clocks go forward, by its local midnights", async () => {
    const days = await report("2026-03-07", "2026-03-09", "day");
    expect(days.intervals.map((interval) => [interval.from, interval.calls.offered])).toEqual([
      ["2026-03-07", 1],
      ["2026-03-08", 1],
      ["2026-03-09", 1],
    ]);
  });

  it("cuts weeks at Monday's local midnight across the change", async () => {
    const weeks = await report("2026-10-31", "2026-11-02", "week");
    expect(weeks.intervals.map((interval) => [interval.from, interval.to, interval.calls.offered])).toEqual([
      ["2026-10-31", "2026-11-01", 5],
      ["2026-11-02", "2026-11-02", 1],
    ]);
  });

  it("puts both 01:30s of the night the clocks go back in hour 1", async () => {
    const { callsByWeekdayHour } = await report("2026-10-31", "2026-11-02", "day");
    const [saturday, sunday, monday] = [5, 6, 0].map((day) => callsByWeekdayHour.calls[day]!);
    expect(saturday![23]).toBe(1);
    expect([sunday![0], sunday![1], sunday![23]]).toEqual([1, 2, 1]);
    expect(monday![0]).toBe(1);
  });
});
