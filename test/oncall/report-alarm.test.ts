import { readFileSync } from "node:fs";
import type { Queue } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { reportJobId, URGENT_REPORT_JOB } from "../../src/adapters/bullmq/report-queue.js";
import { TwilioPager } from "../../src/adapters/twilio/twilio-pager.js";
import type { Pager } from "../../src/domain/oncall/pager.js";
import { everySupervisor, parseRoster, type Roster } from "../../src/domain/oncall/roster/index.js";
import type { IncidentStore } from "../../src/domain/ports.js";
import type { UrgentReport } from "../../src/domain/report.js";
import { createLogger } from "../../src/logger.js";
import { startTwilioStandIn, type StandInRequest, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { AUTH_TOKEN, at, newCallSid, TestLine } from "../helpers/line.js";

// A report whose job fails every attempt (Redis failing for longer than the retries last, a bug)
// must not fail silently: the supervisors are texted what was reported, and the log has it at
// error level. The failure is made where the worker meets its incident store: opening the
// incident throws for the reports a test names, as a Redis that refuses writes would.

const ACCOUNT_SID = `AC${"5b".repeat(16)}`;
const FROM = "+14035550311";
const NIGHT = at("2026-12-05T02:00");
const roster: Roster = parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml");
const supervisors = everySupervisor(roster);
const crewPhones = Object.values(roster.categories).flatMap((crew) => crew.members.map((member) => member.phone));

/** Reports (by reference) whose incident cannot be opened. */
const failing = new Set<string>();
/** What the pager is about to send; a test's hook may make Twilio fail it. */
let hook: ((to: string) => void) | undefined;
const logs: Record<string, unknown>[] = [];

let standIn: TwilioStandIn;
let line: TestLine;
/** The line's dispatch queue, for adding report jobs as the web role does. */
let queue: Queue;

beforeAll(async () => {
  standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  line = await TestLine.start({ roster, now: NIGHT });
  const twilio = new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiUrl: standIn.url });
  const pager: Pager = {
    sendSms: async (to, body) => {
      hook?.(to);
      return twilio.sendSms(to, body);
    },
    placeCall: (to, url) => twilio.placeCall(to, url),
  };
  line.startWorker(pager, {
    log: createLogger({ level: "warn", destination: { write: (entry: string) => void logs.push(JSON.parse(entry)) } }),
    incidents: (store) =>
      Object.assign(Object.create(store) as IncidentStore, {
        openOrJoin: async (...args: Parameters<IncidentStore["openOrJoin"]>) => {
          if (failing.has(args[0].reference)) throw new Error("READONLY You can't write against a read only replica.");
          return store.openOrJoin(...args);
        },
      }),
    retries: { attempts: 4, delayMs: 100 },
  });
  queue = line.dispatchQueue();
});
afterAll(async () => {
  await queue.close();
  await line.close();
  await standIn.close();
});
afterEach(() => {
  hook = undefined;
  standIn.reset();
  logs.length = 0;
});

let nextReference = 900_100;
/** A report as the line queues it, but with two quick attempts instead of the line's half hour of retries. */
async function fileFailingReport(fields: Partial<UrgentReport> = {}): Promise<UrgentReport> {
  const report: UrgentReport = {
    reference: String(nextReference++),
    category: "water",
    location: "Whoop-Up Drive and Scenic Drive",
    callbackNumber: "+14035550199",
    callSid: newCallSid(),
    receivedAt: NIGHT.toISO()!,
    ...fields,
  };
  failing.add(report.reference);
  await queue.add(URGENT_REPORT_JOB, report, { jobId: reportJobId(report.callSid), attempts: 2, backoff: { type: "fixed", delay: 100 } });
  return report;
}

const alarmTo = (phone: string) => (request: StandInRequest) => request.to === phone && request.kind === "sms" && (request.body ?? "").startsWith("311 ALARM");

describe("a report whose job fails every attempt", () => {
  describe("in a category with a crew", () => {
    let report: UrgentReport;
    let requests: StandInRequest[];
    let logged: Record<string, unknown>[];
    beforeAll(async () => {
      report = await fileFailingReport();
      requests = await standIn.waitFor((all) => all.some(alarmTo(roster.categories.water!.supervisor.phone)));
      logged = [...logs];
    });

    it("texts the category's supervisor what was reported: category, place, callback number, and that nobody was paged", () => {
      expect(requests.find(alarmTo(roster.categories.water!.supervisor.phone))!.body).toBe(
        `311 ALARM: Water and sewer report #${report.reference} could not be sent to the crew. NOBODY WAS PAGED: please call the crew yourself. At: Whoop-Up Drive and Scenic Drive. Caller 403-555-0199. Reported 02:00 Sat 5 Dec.`,
      );
    });

    it("texts no other supervisor, and pages no crew member", () => {
      expect(requests.filter((request) => request.to !== roster.categories.water!.supervisor.phone)).toEqual([]);
      expect(requests.filter((request) => crewPhones.includes(request.to))).toEqual([]);
    });

    it("logs the report at error level, the caller's number masked", () => {
      expect(logged).toContainEqual(
        expect.objectContaining({
          level: 50,
          reference: report.reference,
          category: "water",
          location: "Whoop-Up Drive and Scenic Drive",
          callbackNumber: expect.stringMatching(/^\+\*+99$/),
          msg: expect.stringMatching(/^ALARM: an urgent report could not be handed to the crew/),
        }),
      );
    });
  });

  describe("in a category with no crew of its own", () => {
    it("texts every supervisor", async () => {
      const report = await fileFailingReport({ category: "general", location: "(not given)", recordingUrl: "https://api.twilio.com/2010-04-01/Accounts/AC5b/Recordings/RE1" });
      const requests = await standIn.waitFor((all) => supervisors.every((supervisor) => all.some(alarmTo(supervisor.phone))));
      const alarms = requests.filter((request) => (request.body ?? "").includes(`#${report.reference}`));
      expect(alarms.map((request) => request.to).sort()).toEqual(supervisors.map((supervisor) => supervisor.phone).sort());
      expect(alarms[0]!.body).not.toContain("https:");
    });
  });

  describe("when one supervisor's SMS fails for a moment", () => {
    it("is retried, and texts nobody twice", async () => {
      const flaky = supervisors[1]!.phone;
      let failed = false;
      hook = (to) => {
        if (to === flaky && !failed) {
          failed = true;
          standIn.failNext(1, 503);
        }
      };
      const report = await fileFailingReport({ category: "general" });
      const delivered = (phone: string) => (request: StandInRequest) => alarmTo(phone)(request) && request.status === 201 && (request.body ?? "").includes(`#${report.reference}`);
      await standIn.waitFor((all) => supervisors.every((supervisor) => all.some(delivered(supervisor.phone))), 10_000);
      const alarms = standIn.requests.filter((request) => (request.body ?? "").includes(`#${report.reference}`));
      expect(alarms.filter((request) => request.to === flaky).map((request) => request.status)).toEqual([503, 201]);
      for (const supervisor of supervisors.filter((each) => each.phone !== flaky)) {
        expect(alarms.filter((request) => request.to === supervisor.phone)).toHaveLength(1);
      }
    });
  });
});

describe("a report job the worker cannot read at all", () => {
  /** As a web role of another version might write it: no reference, a time in another format. */
  async function fileUnreadable(location: string): Promise<void> {
    const callSid = newCallSid();
    await queue.add(
      URGENT_REPORT_JOB,
      { category: "roads", location, callbackNumber: "+14035550188", callSid, receivedAt: "Sat 5 Dec 02:00" },
      { jobId: reportJobId(callSid), attempts: 2, backoff: { type: "fixed", delay: 100 } },
    );
  }
  const supervisor = roster.categories.roads!.supervisor.phone;
  const alarmAbout = (place: string) => (request: StandInRequest) => alarmTo(supervisor)(request) && (request.body ?? "").includes(place);

  it("still raises the alarm with what could be read", async () => {
    await fileUnreadable("Highway 3 at the river bridge");
    const alarm = (await standIn.waitFor((all) => all.some(alarmAbout("Highway 3")))).find(alarmAbout("Highway 3"));
    expect(alarm!.body).toBe(
      "311 ALARM: Roads and traffic signals report could not be sent to the crew. NOBODY WAS PAGED: please call the crew yourself. At: Highway 3 at the river bridge. Caller 403-555-0188.",
    );
  });

  it("raises an alarm for each such report, though none has a reference", async () => {
    await fileUnreadable("Scenic Drive at 3 Avenue South");
    await standIn.waitFor((all) => all.some(alarmAbout("Scenic Drive at 3 Avenue South")));
  });
});
