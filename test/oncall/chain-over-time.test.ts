import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TwilioPager } from "../../src/adapters/twilio/twilio-pager.js";
import { parseRoster, whoIsOnCall, type Roster } from "../../src/domain/oncall/roster/index.js";
import { startTwilioStandIn, type StandInRequest, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { AUTH_TOKEN, at, newCallSid, parseTwiml, TestLine } from "../helpers/line.js";

// The chain and the joining of repeat reports as time passes: who is on call is read from the
// roster when each step runs, and an acknowledged incident stops taking repeat reports after its
// category's window. The clock is the line's own (line.now), moved by the tests; the chain's waits
// are the test roster's 2 s.

const ACCOUNT_SID = `AC${"9e".repeat(16)}`;
const FROM = "+14035550311";
const fixture = parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml");
/** The test roster, with roads taking repeat reports for 30 minutes after an ACK instead of the default two hours. */
const roster: Roster = {
  ...fixture,
  categories: { ...fixture.categories, roads: { ...fixture.categories.roads!, repeatsJoinForMs: 30 * 60_000 } },
};
/** The weekly handoff: Monday 2026-12-07 08:00. */
const BEFORE_HANDOFF = at("2026-12-07T07:59");
const AFTER_HANDOFF = at("2026-12-07T08:00");
const SATURDAY_NIGHT = at("2026-12-05T02:00");

let standIn: TwilioStandIn;
let line: TestLine;

beforeAll(async () => {
  standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  line = await TestLine.start({ roster, now: SATURDAY_NIGHT, pager: new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiUrl: standIn.url }) });
});
afterAll(async () => {
  await line.close();
  await standIn.close();
});
afterEach(() => {
  standIn.reset();
  line.now = SATURDAY_NIGHT;
});

let avenue = 0;
/** A fresh intersection, so each test's reports join only each other. */
function newCorner(): string {
  avenue += 1;
  return `${avenue} Avenue and 27 Street North`;
}

async function report(category: string, location: string): Promise<string> {
  return line.reports.dispatch({ category, location, callbackNumber: "+14035550123", callSid: newCallSid(), receivedAt: line.now.toISO()! });
}

/** A text from `from` to the line, and its reply. */
const text = (from: string, body: string): Promise<string> => line.text(from, body, FROM);

const about = (reference: string) => (request: StandInRequest) => (request.body ?? request.url ?? "").includes(reference);
/** Resolves once `phone` has been paged (SMS or call) about `reference`. */
const pagedBy = (phone: string, reference: string) =>
  standIn.waitFor((requests) => requests.some((request) => request.to === phone && about(reference)(request)));

/** Resolves once the worker has taken the report in, with what it did: joined an incident, or opened its own. */
async function incidentOf(reference: string): Promise<string> {
  for (let waited = 0; ; waited += 50) {
    const incident = await line.incidents.lookup(reference);
    if (incident) return incident;
    if (waited > 5_000) throw new Error(`report ${reference} was never taken in`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("escalation follows the roster as it is at each step", () => {
  describe("a chain that crosses the Monday 08:00 handoff (roads: Ben and Tomás until then, Tomás and Kim after)", () => {
    const before = whoIsOnCall(roster, "roads", BEFORE_HANDOFF);
    const after = whoIsOnCall(roster, "roads", AFTER_HANDOFF);
    let reference: string;
    let requests: StandInRequest[];
    beforeAll(async () => {
      expect(after.backup!.phone).not.toBe(before.backup!.phone);
      line.now = BEFORE_HANDOFF;
      reference = await report("roads", newCorner());
      await pagedBy(before.primary!.phone, reference);
      // The handoff happens while the first step waits for an acknowledgement.
      line.now = AFTER_HANDOFF;
      requests = await pagedBy(after.backup!.phone, reference);
    });

    it("pages the primary on call when the report came in", async () => {
      expect((await line.incidents.get(reference))!.plan[0]).toMatchObject({ index: 0, role: "primary", name: before.primary!.name });
    });

    it("pages the new crew's backup next, not the backup who went off shift", () => {
      const rest = requests.filter(about(reference)).filter((request) => request.to !== before.primary!.phone);
      expect(rest.length).toBeGreaterThan(0);
      expect(rest.every((request) => request.to === after.backup!.phone)).toBe(true);
    });

    it("keeps who each step paged, so the voice page's keypress says who takes it", async () => {
      expect((await line.incidents.get(reference))!.plan[1]).toMatchObject({ index: 1, role: "backup", name: after.backup!.name, phone: after.backup!.phone });
      const taken = parseTwiml((await line.post(`/twilio/page/answer?ref=${reference}&step=1`, { CallSid: newCallSid(), Digits: "1" })).body);
      expect(taken.says[0]).toMatch(new RegExp(`^Thank you, ${after.backup!.name}\\. Reference `));
      expect(await line.incidents.get(reference)).toMatchObject({ status: "acknowledged", acknowledgedBy: after.backup!.name });
      await text(after.backup!.phone, `DONE ${reference}`);
    });
  });
});

describe("repeat reports of the same place", () => {
  describe("after the incident was acknowledged", () => {
    // Water: Lee is primary until Monday 08:00, Pat from then on. Lee takes it at 06:30.
    const corner = newCorner();
    const lee = whoIsOnCall(roster, "water", BEFORE_HANDOFF).primary!;
    const pat = whoIsOnCall(roster, "water", AFTER_HANDOFF).primary!;
    let first: string;
    beforeAll(async () => {
      line.now = at("2026-12-07T06:25");
      first = await report("water", corner);
      await pagedBy(lee.phone, first);
      line.now = at("2026-12-07T06:30");
      await text(lee.phone, `ACK ${first}`);
    });
    afterAll(async () => {
      await text(lee.phone, `DONE ${first}`);
    });

    it("join it for two hours after the acknowledgement, paging nobody", async () => {
      line.now = at("2026-12-07T08:29");
      const repeat = await report("water", corner);
      expect(await incidentOf(repeat)).toBe(first);
      expect(standIn.requests.filter(about(repeat))).toEqual([]);
    });

    it("open a new incident after that, which pages whoever is on call now", async () => {
      line.now = at("2026-12-07T08:31");
      const late = await report("water", corner);
      expect(await incidentOf(late)).toBe(late);
      await pagedBy(pat.phone, late);
      expect(standIn.requests.filter(about(late)).some((request) => request.to === lee.phone)).toBe(false);
      await text(pat.phone, `DONE ${late}`);
    });
  });

  describe("after the incident was acknowledged, in a category with a window of its own (roads: 30 minutes)", () => {
    it("open a new incident once the window has passed", async () => {
      const corner = newCorner();
      const primary = whoIsOnCall(roster, "roads", SATURDAY_NIGHT).primary!;
      const first = await report("roads", corner);
      await pagedBy(primary.phone, first);
      await text(primary.phone, `ACK ${first}`);
      line.now = SATURDAY_NIGHT.plus({ minutes: 29 });
      expect(await incidentOf(await report("roads", corner))).toBe(first);
      line.now = SATURDAY_NIGHT.plus({ minutes: 31 });
      const late = await report("roads", corner);
      expect(await incidentOf(late)).toBe(late);
      await pagedBy(primary.phone, late);
      await text(primary.phone, `DONE ${first}`);
      await text(primary.phone, `DONE ${late}`);
    });
  });

  describe("while nobody has acknowledged the incident", () => {
    it("keep joining it while its pages are still going out", async () => {
      const corner = newCorner();
      const { primary, supervisor } = whoIsOnCall(roster, "power", SATURDAY_NIGHT);
      const first = await report("power", corner);
      await pagedBy(primary!.phone, first);
      const repeat = await report("power", corner);
      expect(await incidentOf(repeat)).toBe(first);
      await text(supervisor.phone, `DONE ${first}`);
    });

    it("open a new incident once every round went unanswered, which pages whoever is on call now", async () => {
      const corner = newCorner();
      const { primary, supervisor } = whoIsOnCall(roster, "power", SATURDAY_NIGHT);
      const first = await report("power", corner);
      // Two rounds of three 2 s steps, then the supervisor's alarm.
      await standIn.waitFor((requests) => requests.some((request) => request.to === supervisor.phone && /ALARM/.test(request.body ?? "") && (request.body ?? "").includes(first)), 20_000);
      line.now = SATURDAY_NIGHT.plus({ hours: 5 });
      const later = await report("power", corner);
      expect(await incidentOf(later)).toBe(later);
      await pagedBy(primary!.phone, later);
      await text(supervisor.phone, `DONE ${first}`);
      await text(supervisor.phone, `DONE ${later}`);
    });
  });

  describe("once the incident is resolved", () => {
    it("open a new incident at once", async () => {
      const corner = newCorner();
      const primary = whoIsOnCall(roster, "water", SATURDAY_NIGHT).primary!;
      const first = await report("water", corner);
      await pagedBy(primary.phone, first);
      await text(primary.phone, `ACK ${first}`);
      await text(primary.phone, `DONE ${first}`);
      const next = await report("water", corner);
      expect(await incidentOf(next)).toBe(next);
      await pagedBy(primary.phone, next);
      await text(primary.phone, `DONE ${next}`);
    });
  });
});
