import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TwilioPager } from "../../src/adapters/twilio/twilio-pager.js";
import type { ReportDraft } from "../../src/domain/flow/actions.js";
import { everySupervisor, parseRoster, whoIsOnCall, type Roster } from "../../src/domain/oncall/roster/index.js";
import { startTwilioStandIn, type StandInRequest, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { AUTH_TOKEN, at, newCallSid, parseTwiml, TestLine, type Twiml } from "../helpers/line.js";

// A caller's own recording reaches the crew by voice only: the page SMS says it exists and how to
// hear it, the voice page plays it on 3. Recordings of a caller who could not use the menu go to
// a supervisor first.

const ACCOUNT_SID = `AC${"7a".repeat(16)}`;
const FROM = "+14035550311";
const RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC7a/Recordings/RE0123456789abcdef0123456789abcdef";
const NIGHT = at("2026-12-05T02:00");
const fixture = parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml");
/** Water goes round once, so its alarm comes within seconds. */
const roster: Roster = {
  ...fixture,
  categories: { ...fixture.categories, water: { ...fixture.categories.water!, escalation: { ...fixture.categories.water!.escalation, rounds: 1 } } },
};
const power = whoIsOnCall(roster, "power", NIGHT);
const water = whoIsOnCall(roster, "water", NIGHT);

let standIn: TwilioStandIn;
let line: TestLine;

beforeAll(async () => {
  standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  line = await TestLine.start({ roster, now: NIGHT, pager: new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiUrl: standIn.url }) });
});
afterAll(async () => {
  await line.close();
  await standIn.close();
});
afterEach(() => {
  standIn.reset();
});

async function report(draft: Partial<ReportDraft> & { category: string }): Promise<string> {
  return line.reports.dispatch({ location: "(not given)", callbackNumber: "+14035550123", callSid: newCallSid(), receivedAt: line.now.toISO()!, ...draft });
}

/** A text from `from` to the line, and its reply. */
const text = (from: string, body: string): Promise<string> => line.text(from, body, FROM);

const about = (reference: string) => (request: StandInRequest) => (request.body ?? request.url ?? "").includes(reference);
const smsTo = (phone: string) => (request: StandInRequest) => request.to === phone && request.kind === "sms";
const callTo = (phone: string) => (request: StandInRequest) => request.to === phone && request.kind === "call";
/** Every SMS the stand-in was asked to send: none may carry a recording. */
const everySms = () => standIn.requests.filter((request) => request.kind === "sms").map((request) => request.body ?? "");

/** The voice page Twilio fetches when the crew member answers the call. */
async function answerCall(call: StandInRequest): Promise<Twiml> {
  return parseTwiml((await line.post(call.url!, { CallSid: newCallSid(), From: FROM, To: call.to })).body);
}

describe("a report whose place was recorded because speech was unsure (power: Jen takes voice pages)", () => {
  let reference: string;
  let page: Twiml;
  let requests: StandInRequest[];
  beforeAll(async () => {
    reference = await report({ category: "power", location: "4 avenue and stafford", recordingUrl: RECORDING });
    requests = await standIn.waitFor((all) => all.some((request) => callTo(power.primary!.phone)(request) && about(reference)(request)));
    page = await answerCall(requests.find(callTo(power.primary!.phone))!);
  });
  afterAll(async () => {
    await text(power.supervisor.phone, `DONE ${reference}`);
  });

  it("says on the voice page what the line heard, as unsure, and offers 3 for the caller's words", () => {
    expect(page.says).toContain("The place as the line heard it, which may be wrong: 4 avenue and stafford.");
    expect(page.says).toContain("To take it, press 1. To hear it again, press 2. To hear the caller's words, press 3.");
    expect(page.xml).not.toContain(RECORDING);
  });

  describe("pressing 3", () => {
    let played: Twiml;
    beforeAll(async () => {
      played = parseTwiml((await line.post(page.attrs("Gather")!.action!, { CallSid: newCallSid(), Digits: "3" })).body);
    });

    it("plays the caller's recording", () => {
      expect(played.text("Play")).toBe(RECORDING);
    });

    it("then offers the page's keys again, answered on the same page", () => {
      expect(played.verbs[0]).toBe("Gather");
      expect(played.attrs("Gather")!.action).toBe(page.attrs("Gather")!.action);
      expect(played.says.at(-2)).toBe("To take it, press 1. To hear it again, press 2. To hear the caller's words, press 3.");
    });

    it("and a 1 after it takes the incident, with the recording still one key away", async () => {
      const taken = parseTwiml((await line.post(played.attrs("Gather")!.action!, { CallSid: newCallSid(), Digits: "1" })).body);
      expect(taken.says[0]).toMatch(new RegExp(`^Thank you, ${power.primary!.name}\\..* To hear the caller's words, press 3\\.$`));
      expect(taken.attrs("Gather")!.action).toBe(page.attrs("Gather")!.action);
      expect(await line.incidents.get(reference)).toMatchObject({ status: "acknowledged", acknowledgedBy: power.primary!.name });
    });
  });
});

describe("a report whose place was recorded, paged by SMS, that nobody acknowledges", () => {
  let reference: string;
  let sms: string[];
  beforeAll(async () => {
    reference = await report({ category: "water", location: "(recorded: listen to the recording)", recordingUrl: RECORDING });
    await standIn.waitFor((all) => all.some((request) => smsTo(water.supervisor.phone)(request) && (request.body ?? "").startsWith("311 ALARM")), 15_000);
    sms = standIn.requests.filter(about(reference)).filter((request) => request.kind === "sms").map((request) => request.body!);
  }, 20_000);
  afterAll(async () => {
    await text(water.supervisor.phone, `DONE ${reference}`);
  });

  it("pages by SMS saying the caller's words are recorded and how to hear them", () => {
    expect(sms[0]).toBe(
      `311 URGENT Water and sewer #${reference}. Caller's words recorded: answer the voice page and press 3 to hear them. Caller 403-555-0123. Reported 02:00 Sat 5 Dec. Reply ACK ${reference} to take it, DONE ${reference} when fixed.`,
    );
  });

  it("never puts the recording in an SMS, the alarm included", () => {
    expect(sms.some((body) => body.startsWith("311 ALARM"))).toBe(true);
    expect(everySms().filter((body) => body.includes(RECORDING) || /https?:|Recordings\//.test(body))).toEqual([]);
  });
});

describe("a place the caller confirmed when it was read back", () => {
  it("is paged as confirmed", async () => {
    const reference = await report({ category: "water", location: "5th Avenue and 13th Street South", locationConfirmed: true });
    const [page] = (await standIn.waitFor((all) => all.some((request) => smsTo(water.primary!.phone)(request) && about(reference)(request)))).filter(about(reference));
    expect(page!.body).toContain("At (caller confirmed): 5th Avenue and 13th Street South.");
    await text(water.primary!.phone, `DONE ${reference}`);
  });
});

describe("a caller who could not use the menu, recorded for a supervisor", () => {
  describe("who had chosen a category", () => {
    let reference: string;
    let first: StandInRequest;
    beforeAll(async () => {
      reference = await report({ category: "water", recordingUrl: RECORDING, pageSupervisor: true });
      first = (await standIn.waitFor((all) => all.some(about(reference)))).find(about(reference))!;
    });
    afterAll(async () => {
      await text(water.supervisor.phone, `DONE ${reference}`);
    });

    it("pages the category's supervisor, not the crew", async () => {
      expect(first.to).toBe(water.supervisor.phone);
      expect((await line.incidents.get(reference))!.plan.map((step) => step.role)).toEqual(["supervisor"]);
    });

    it("says the caller could not use the menu, and how to hear them", () => {
      expect(first.body).toMatch(new RegExp(`^311 URGENT Water and sewer #${reference}\\. Caller could not use the menu\\. Caller's words recorded: answer the voice page and press 3`));
    });

    it("plays the recording on the supervisor's voice page", async () => {
      const calls = await standIn.waitFor((all) => all.some((request) => callTo(water.supervisor.phone)(request) && about(reference)(request)));
      const page = await answerCall(calls.find((request) => callTo(water.supervisor.phone)(request) && about(reference)(request))!);
      expect(page.says).toContain("The caller could not use the menu.");
      const played = parseTwiml((await line.post(page.attrs("Gather")!.action!, { CallSid: newCallSid(), Digits: "3" })).body);
      expect(played.text("Play")).toBe(RECORDING);
    });
  });

  describe("who had chosen no category", () => {
    it("pages every supervisor at once", async () => {
      const reference = await report({ category: "general", recordingUrl: RECORDING, pageSupervisor: true });
      const supervisors = everySupervisor(roster).map((supervisor) => supervisor.phone);
      const requests = await standIn.waitFor((all) => supervisors.every((phone) => all.some((request) => smsTo(phone)(request) && about(reference)(request))));
      expect(new Set(requests.filter(about(reference)).map((request) => request.to))).toEqual(new Set(supervisors));
      expect(requests.find(about(reference))!.body).toMatch(/^311 URGENT General #\d+\. Caller could not use the menu\./);
      await text(supervisors[0]!, `DONE ${reference}`);
    });
  });
});
