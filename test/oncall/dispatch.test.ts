import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TwilioPager } from "../../src/adapters/twilio/twilio-pager.js";
import { parseRoster, whoIsOnCall, type Roster } from "../../src/domain/oncall/roster/index.js";
import { startTwilioStandIn, type StandInRequest, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { AUTH_TOKEN, at, newCallSid, parseTwiml, PUBLIC_URL, TestLine } from "../helpers/line.js";

const ACCOUNT_SID = `AC${"ab".repeat(16)}`;
const FROM = "+14035550311";
const roster: Roster = parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml");
const SATURDAY_NIGHT = at("2026-12-05T02:00");

let standIn: TwilioStandIn;
let line: TestLine;

beforeAll(async () => {
  standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const pager = new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiUrl: standIn.url });
  line = await TestLine.start({ roster, pager, now: SATURDAY_NIGHT, updateWindowMs: 1_500 });
});
afterAll(async () => {
  await line.close();
  await standIn.close();
});
afterEach(() => {
  standIn.reset();
  line.now = SATURDAY_NIGHT;
});

let placeNumber = 0;
/** A fresh place, so reports in different tests never join each other's incidents. */
function newPlace(): string {
  placeNumber += 1;
  return `${100 + placeNumber} Scenic Drive South`;
}

/** Files a report exactly as the voice webhook does, and returns its reference. */
async function report(category: string, location: string, callbackNumber: string | null = "+14035550123"): Promise<string> {
  return line.reports.dispatch({
    category,
    location,
    callbackNumber,
    callSid: newCallSid(),
    receivedAt: line.now.toISO()!,
  });
}

const onCall = (category: string) => whoIsOnCall(roster, category, SATURDAY_NIGHT);
const to = (phone: string, kind: "sms" | "call" = "sms") => (request: StandInRequest) => request.to === phone && request.kind === kind;
const about = (reference: string) => (request: StandInRequest) => (request.body ?? request.url ?? "").includes(reference);

/** A text from `from` to the line, and its reply. */
const text = (from: string, body: string): Promise<string> => line.text(from, body, FROM);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("paging the on-call crew", () => {
  describe("a new urgent report", () => {
    it("texts the primary within seconds with everything needed to act, in two SMS segments at most", async () => {
      const place = newPlace();
      const reference = await report("water", place);
      const primary = onCall("water").primary!;
      const [sms] = (await standIn.waitFor((requests) => requests.some(to(primary.phone)))).filter(to(primary.phone));
      expect(sms!.from).toBe(FROM);
      expect(sms!.body).toContain(`#${reference}`);
      expect(sms!.body).toContain("Water and sewer");
      expect(sms!.body).toContain(place);
      expect(sms!.body).toContain("Caller 403-555-0123");
      expect(sms!.body).toContain("Reported 02:00 Sat 5 Dec");
      expect(sms!.body).toContain(`Reply ACK ${reference}`);
      expect(sms!.body!.length).toBeLessThanOrEqual(306);
      await text(primary.phone, `ACK ${reference}`);
    });

    it("also calls a primary who takes voice pages, with a page URL on this server", async () => {
      const reference = await report("power", newPlace());
      const primary = onCall("power").primary!;
      expect(primary.channels).toContain("voice");
      const [call] = (await standIn.waitFor((requests) => requests.some(to(primary.phone, "call")))).filter(to(primary.phone, "call"));
      expect(call!.url).toBe(`${PUBLIC_URL}/twilio/page?ref=${reference}&step=0`);
      await text(primary.phone, `ACK ${reference}`);
    });

    it("speaks the page in the line's own voice and language", async () => {
      const reference = await report("power", newPlace());
      const primary = onCall("power").primary!;
      const [call] = (await standIn.waitFor((requests) => requests.some(to(primary.phone, "call")))).filter(to(primary.phone, "call"));
      const page = parseTwiml((await line.post(call!.url!.slice(PUBLIC_URL.length), { CallSid: newCallSid(), From: "+14035550311", To: primary.phone })).body);
      expect(page.attrs("Say")).toEqual({ voice: "Polly.Joanna", language: "en-US" });
      await text(primary.phone, `ACK ${reference}`);
    });

    it("keeps a long place within two segments", async () => {
      const reference = await report("water", `${newPlace()} ${"beside the big yellow house ".repeat(20)}`);
      const primary = onCall("water").primary!;
      const [sms] = (await standIn.waitFor((requests) => requests.some(to(primary.phone)))).filter(to(primary.phone));
      expect(sms!.body!.length).toBeLessThanOrEqual(306);
      expect(sms!.body).toContain(`Reply ACK ${reference} to take it, DONE ${reference} when fixed.`);
      await text(primary.phone, `ACK ${reference}`);
    });
  });

  describe("acknowledging by SMS", () => {
    it("confirms, stops the escalation and tells the resident", async () => {
      const reference = await report("water", newPlace(), "+14035550777");
      const { primary, backup } = onCall("water");
      await standIn.waitFor((requests) => requests.some(to(primary!.phone)));
      expect(await text(primary!.phone, `ack ${reference}`)).toBe(`311 #${reference} is yours. Reply DONE ${reference} when it is fixed.`);
      const resident = await standIn.waitFor((requests) => requests.some(to("+14035550777")));
      expect(resident.find(to("+14035550777"))!.body).toBe(
        `City of Lethbridge 311: your report ${reference} has been received by the on-call crew. Thank you. To add anything, call 311.`,
      );
      await sleep(3_000); // longer than the test roster's 2 s wait
      expect(standIn.requests.filter(about(reference)).filter((request) => request.to === backup!.phone)).toEqual([]);
      expect((await line.incidents.get(reference))!).toMatchObject({ status: "acknowledged", acknowledgedBy: primary!.name });
    });

    it("takes a bare ACK when it is the sender's only open page, and names what it took", async () => {
      const place = newPlace();
      const reference = await report("water", place);
      const primary = onCall("water").primary!;
      await standIn.waitFor((requests) => requests.some(to(primary.phone)));
      expect(await text(primary.phone, "ACK")).toBe(`311 #${reference} Water and sewer at ${place} is yours. Reply DONE ${reference} when it is fixed.`);
    });

    it("tells a second crew member who already has it", async () => {
      const reference = await report("water", newPlace());
      const { primary, supervisor } = onCall("water");
      await standIn.waitFor((requests) => requests.some(to(primary!.phone)));
      await text(primary!.phone, `ACK ${reference}`);
      expect(await text(supervisor.phone, `ACK ${reference}`)).toMatch(new RegExp(`already taken by ${primary!.name}`));
    });

    it("does not text the resident for a category that does not allow it", async () => {
      const reference = await report("roads", newPlace(), "+14035550778");
      const primary = onCall("roads").primary!;
      await standIn.waitFor((requests) => requests.some(to(primary.phone)));
      await text(primary.phone, `ACK ${reference}`);
      await sleep(1_000);
      expect(standIn.requests.filter(to("+14035550778"))).toEqual([]);
    });
  });

  describe("acknowledging by keypress on the voice page", () => {
    it("reads the report, takes a 1, and stops the escalation", async () => {
      const place = newPlace();
      const reference = await report("power", place);
      const { primary, backup } = onCall("power");
      const [call] = (await standIn.waitFor((requests) => requests.some(to(primary!.phone, "call")))).filter(to(primary!.phone, "call"));
      const page = parseTwiml((await line.post(call!.url!, { CallSid: newCallSid(), From: FROM, To: primary!.phone })).body);
      expect(page.says.join(" ")).toContain(place);
      expect(page.says.join(" ")).toContain("An Electric report, reference");
      expect(page.says.join(" ")).toContain("To take it, press 1. To hear it again, press 2.");
      expect(page.attrs("Gather")).toMatchObject({ numDigits: "1" });

      const again = parseTwiml((await line.post(page.attrs("Gather")!.action!, { CallSid: newCallSid(), Digits: "2" })).body);
      expect(again.verbs).toEqual(["Redirect"]);

      const taken = parseTwiml((await line.post(page.attrs("Gather")!.action!, { CallSid: newCallSid(), Digits: "1" })).body);
      expect(taken.says[0]).toMatch(new RegExp(`Thank you, ${primary!.name}`));
      await sleep(3_000);
      expect(standIn.requests.filter(about(reference)).filter((request) => request.to === backup!.phone)).toEqual([]);
    });
  });

  describe("the voice page", () => {
    it("reads the caller's words as words, never as TwiML", async () => {
      const place = `${newPlace()} </Say><Dial>+19005550000</Dial> & "corner"`;
      const reference = await report("power", place);
      const primary = onCall("power").primary!;
      const [call] = (await standIn.waitFor((requests) => requests.some(to(primary.phone, "call")))).filter(to(primary.phone, "call"));
      const page = parseTwiml((await line.post(call!.url!, { CallSid: newCallSid(), From: FROM, To: primary.phone })).body);
      expect(page.says.join(" ")).toContain(place);
      expect(page.verbs).not.toContain("Dial");
      await text(primary.phone, `ACK ${reference}`);
    });

    it("refuses a keypress that does not say which page it answers", async () => {
      const answer = parseTwiml((await line.post("/twilio/page/answer?ref=100001", { CallSid: newCallSid(), Digits: "1" })).body);
      expect(answer.says[0]).toMatch(/no longer active/);
    });
  });

  describe("the residents who reported it", () => {
    it("are each told, even one who reports after the crew has taken it", async () => {
      const place = newPlace();
      const reference = await report("water", place, "+14035550781");
      const primary = onCall("water").primary!;
      await standIn.waitFor((requests) => requests.some(to(primary.phone)));
      await text(primary.phone, `ACK ${reference}`);
      await standIn.waitFor((requests) => requests.some(to("+14035550781")));
      const late = await report("water", place, "+14035550782");
      const [told] = (await standIn.waitFor((requests) => requests.some(to("+14035550782")))).filter(to("+14035550782"));
      expect(told!.body).toContain(`your report ${late} has been received`);
      await text(primary.phone, `DONE ${reference}`);
    });

    it("are still told when another resident's number cannot take an SMS", async () => {
      standIn.rejectNumber("+14035550783", 21614);
      const place = newPlace();
      const first = await report("water", place, "+14035550783");
      await report("water", place, "+14035550784");
      const primary = onCall("water").primary!;
      await standIn.waitFor((requests) => requests.some(to(primary.phone)));
      await text(primary.phone, `ACK ${first}`);
      await standIn.waitFor((requests) => requests.some((request) => to("+14035550784")(request) && request.status === 201));
      const incident = await line.incidents.get(first);
      expect(incident!.events).toContainEqual(expect.objectContaining({ kind: "bad-number", phone: "+14035550783" }));
      await text(primary.phone, `DONE ${first}`);
    });
  });

  describe("resolving", () => {
    it("marks the incident fixed, and a new report of the same place opens a new one", async () => {
      const place = newPlace();
      const reference = await report("water", place);
      const primary = onCall("water").primary!;
      await standIn.waitFor((requests) => requests.some(to(primary.phone)));
      await text(primary.phone, `ACK ${reference}`);
      expect(await text(primary.phone, `DONE ${reference}`)).toBe(`311 #${reference} is resolved. Thank you.`);
      expect((await line.incidents.get(reference))!.status).toBe("resolved");
      const next = await report("water", place);
      await standIn.waitFor((requests) => requests.some(about(next)));
      expect((await line.incidents.get(next))!.reference).toBe(next);
      await text(primary.phone, `DONE ${next}`);
    });
  });

  describe("when nobody acknowledges", () => {
    it("pages primary, backup and supervisor, round after round, then raises the alarm", { timeout: 40_000 }, async () => {
      const reference = await report("water", newPlace());
      const { primary, backup, supervisor } = onCall("water");
      await standIn.waitFor(
        (requests) => requests.some((request) => request.to === supervisor.phone && (request.body ?? "").startsWith("311 ALARM") && about(reference)(request)),
        30_000,
      );
      const order = standIn.requests.filter(about(reference)).filter((request) => request.kind === "sms").map((request) => request.to);
      expect(order).toEqual([primary!.phone, backup!.phone, supervisor.phone, primary!.phone, backup!.phone, supervisor.phone, supervisor.phone]);
      const incident = await line.incidents.get(reference);
      expect(incident!.events.map((event) => event.kind)).toContain("alarm");
      await text(supervisor.phone, `ACK ${reference}`);
    });
  });

  describe("repeat reports of the same problem", () => {
    it("join the open incident: no new page chain, and one short update to the holder", async () => {
      const reference = await report("water", "5th Avenue and 13th Street South");
      const primary = onCall("water").primary!;
      await standIn.waitFor((requests) => requests.some(to(primary.phone)));
      await text(primary.phone, `ACK ${reference}`);
      const second = await report("water", "13 St S & 5th Ave");
      const third = await report("water", "5th avenue at 13th street south");
      const update = await standIn.waitFor((requests) => requests.some((request) => (request.body ?? "").includes("more reports")), 5_000);
      expect(update.filter((request) => (request.body ?? "").includes("more reports"))).toEqual([
        expect.objectContaining({ to: primary.phone, body: `311 #${reference}: 2 more reports of this problem came in. Reply DONE ${reference} when it is fixed.` }),
      ]);
      expect(standIn.requests.filter(about(second)).concat(standIn.requests.filter(about(third)))).toEqual([]);
      const incident = await line.incidents.get(reference);
      expect(incident!.reports.map((joined) => joined.reference)).toEqual([reference, second, third]);
      await text(primary.phone, `DONE ${reference}`);
    });
  });

  describe("a gap in the roster", () => {
    it("pages the category's supervisor at once", async () => {
      // The test roster's "lonely" crew has nobody in its rotation's second and third weeks.
      let gapAt = SATURDAY_NIGHT;
      while (whoIsOnCall(roster, "lonely", gapAt).primary) gapAt = gapAt.plus({ weeks: 1 });
      line.now = gapAt;
      const reference = await report("lonely", newPlace());
      const supervisor = roster.categories.lonely!.supervisor;
      const [first] = (await standIn.waitFor((requests) => requests.some(about(reference)))).filter(about(reference));
      expect(first!.to).toBe(supervisor.phone);
      await text(supervisor.phone, `ACK ${reference}`);
    });
  });

  describe("what crew members can text", () => {
    const crew = () => onCall("water").primary!.phone;

    it("HELP lists the commands", async () => {
      expect(await text(crew(), "help")).toMatch(/ACK <ref>.*DONE <ref>/);
    });

    it.each([["please call me"], ["acknowledged"], ["x".repeat(1_600)], ["<Response>&"]])("anything else gets the one-line hint (%#)", async (body) => {
      expect(await text(crew(), body)).toBe("Not understood. Reply ACK <ref>, DONE <ref> or HELP.");
    });

    it("an unknown reference says so", async () => {
      expect(await text(crew(), "ACK 999999")).toMatch(/No incident #999999/);
    });
  });

  describe("a number on no roster that filed no report", () => {
    it("learns nothing about any incident, acknowledges nothing, and is told to call 311", async () => {
      const reference = await report("water", newPlace());
      const primary = onCall("water").primary!;
      await standIn.waitFor((requests) => requests.some(to(primary.phone)));
      for (const body of [`ACK ${reference}`, `DONE ${reference}`, "HELP", "ACK", "DONE"]) {
        const reply = await text("+15875550999", body);
        expect(reply).toBe("City of Lethbridge 311: this number does not take messages. To report a problem, call 311. If anyone is in danger, call 911.");
        expect(reply).not.toContain(reference);
      }
      expect((await line.incidents.get(reference))!.status).toBe("open");
      await text(primary.phone, `DONE ${reference}`);
    });
  });

  describe("when Twilio fails", () => {
    it("retries 500s with backoff until the page goes out, once", async () => {
      standIn.failNext(2, 500);
      const reference = await report("roads", newPlace());
      const primary = onCall("roads").primary!;
      await standIn.waitFor((requests) => requests.some((request) => to(primary.phone)(request) && request.status === 201), 15_000);
      const delivered = standIn.messages().filter(about(reference)).filter(to(primary.phone));
      expect(delivered).toHaveLength(1);
      expect(standIn.requests.filter((request) => request.status === 500).length).toBe(2);
      await text(primary.phone, `ACK ${reference}`);
    });

    it("moves on to the next person at once when a number is bad, and records it for the supervisor", async () => {
      const { primary, backup } = onCall("roads");
      standIn.rejectNumber(primary!.phone, 21211);
      const reference = await report("roads", newPlace());
      const requests = await standIn.waitFor((all) => all.some((request) => to(backup!.phone)(request) && about(reference)(request)), 1_900);
      expect(requests.filter(about(reference)).some(to(backup!.phone))).toBe(true);
      const incident = await line.incidents.get(reference);
      expect(incident!.events).toContainEqual(expect.objectContaining({ kind: "bad-number", phone: primary!.phone }));
      await text(backup!.phone, `ACK ${reference}`);
    });
  });
});
