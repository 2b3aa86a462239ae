import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TwilioPager } from "../../src/adapters/twilio/twilio-pager.js";
import { parseRoster, whoIsOnCall, type Member, type Roster } from "../../src/domain/oncall/roster/index.js";
import { startTwilioStandIn, type StandInRequest, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { AUTH_TOKEN, at, newCallSid, TestLine } from "../helpers/line.js";

// What crew members and residents get when they text the line, through the signed SMS webhook
// and the real worker: a reply must do what the person meant, and never what they did not.

const ACCOUNT_SID = `AC${"cd".repeat(16)}`;
/** The number pages come from, and the one residents' texts come from (TWILIO_RESIDENT_FROM_NUMBER). */
const CREW_FROM = "+14035550311";
const RESIDENT_FROM = "+14035550312";
const NIGHT = at("2026-12-05T02:00");
const roster: Roster = parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml");
const water = whoIsOnCall(roster, "water", NIGHT);
const primary = water.primary!;
const backup = water.backup!;
const supervisor = water.supervisor;
/** A water crew member who is neither primary nor backup tonight. */
const offDuty: Member = roster.categories.water!.members.find((member) => member.phone !== primary.phone && member.phone !== backup.phone)!;
const powerSupervisor = roster.categories.power!.supervisor;

let standIn: TwilioStandIn;
let line: TestLine;

beforeAll(async () => {
  standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  line = await TestLine.start({ roster, now: NIGHT });
  // The worker as services.ts builds it, with residents' texts going out from their own number.
  const twilioFrom = (from: string) => new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from, apiUrl: standIn.url });
  line.startWorker(twilioFrom(CREW_FROM), { residentPager: twilioFrom(RESIDENT_FROM), updateWindowMs: 500 });
});
afterAll(async () => {
  await line.close();
  await standIn.close();
});
afterEach(() => {
  standIn.reset();
});

let placeNumber = 0;
/** A fresh place, so reports in different tests never join each other's incidents. */
function newPlace(): string {
  placeNumber += 1;
  return `${300 + placeNumber} Whoop-Up Drive`;
}
/** A fresh intersection: repeat reports of it join one incident. */
function newCorner(): string {
  placeNumber += 1;
  return `${placeNumber} Avenue and 43 Street South`;
}

async function report(location: string, callbackNumber: string | null = "+14035550123", category = "water"): Promise<string> {
  return line.reports.dispatch({ category, location, callbackNumber, callSid: newCallSid(), receivedAt: line.now.toISO()! });
}

/** A text from `from` to the line, and its reply. */
const text = (from: string, body: string): Promise<string> => line.text(from, body, CREW_FROM);

const to = (phone: string, kind: "sms" | "call" = "sms") => (request: StandInRequest) => request.to === phone && request.kind === kind;
const about = (reference: string) => (request: StandInRequest) => (request.body ?? request.url ?? "").includes(reference);
/** Resolves once `phone` has been texted a page about `reference`. */
const pagedBy = (phone: string, reference: string) => standIn.waitFor((requests) => requests.some((request) => to(phone)(request) && about(reference)(request)));
/** Resolves once the incident has `count` reports (a joining report has been taken in by the worker). */
async function reportsOf(reference: string, count: number): Promise<void> {
  for (let waited = 0; (await line.incidents.get(reference))!.reports.length < count; waited += 50) {
    if (waited > 5_000) throw new Error(`incident ${reference} never had ${count} reports`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const statusOf = async (reference: string) => (await line.incidents.get(reference))!.status;

describe("what crew members' replies do", () => {
  describe("a bare DONE, from someone who holds one incident and was just paged for another", () => {
    let fixed: string;
    let fresh: string;
    let reply: string;
    beforeAll(async () => {
      fixed = await report(newPlace());
      await pagedBy(primary.phone, fixed);
      await text(primary.phone, `ACK ${fixed}`);
      fresh = await report(newPlace());
      await pagedBy(primary.phone, fresh);
      reply = await text(primary.phone, "DONE");
    });
    afterAll(async () => {
      await text(primary.phone, `DONE ${fixed}`);
      await text(supervisor.phone, `DONE ${fresh}`);
    });

    it("closes neither", async () => {
      expect(await statusOf(fixed)).toBe("acknowledged");
      expect(await statusOf(fresh)).toBe("open");
    });

    it("lists what they hold and what they were paged for, and asks for the number", () => {
      expect(reply).toMatch(new RegExp(`^311: DONE needs the number of what is fixed\\. Yours: #${fixed} Water and sewer at .*\\. Paged, not taken: #${fresh} Water and sewer at .*\\. Reply DONE and the number, e\\.g\\. DONE ${fixed}\\.$`));
    });

    it("leaves the new incident's escalation running: the backup is paged next", async () => {
      await pagedBy(backup.phone, fresh);
    });

    it("tells no resident that a crew has the new one", () => {
      expect(standIn.requests.filter((request) => request.from === RESIDENT_FROM).filter(about(fresh))).toEqual([]);
    });
  });

  describe("DONE with a reference", () => {
    describe("for an incident someone holds", () => {
      let reference: string;
      beforeAll(async () => {
        reference = await report(newPlace());
        await pagedBy(primary.phone, reference);
        await text(primary.phone, `ACK ${reference}`);
      });

      it("from another member of the crew, is refused and says who holds it", async () => {
        expect(await text(backup.phone, `DONE ${reference}`)).toBe(
          `311 #${reference} is held by ${primary.name} since 02:00 Sat 5 Dec. Only they or the supervisor can mark it fixed.`,
        );
        expect(await statusOf(reference)).toBe("acknowledged");
      });

      it("from a supervisor of another category, finds nothing", async () => {
        expect(await text(powerSupervisor.phone, `DONE ${reference}`)).toBe(`No incident #${reference} for your crew. Check the number in the page.`);
        expect(await statusOf(reference)).toBe("acknowledged");
      });

      it("from the holder, marks it fixed", async () => {
        expect(await text(primary.phone, `DONE ${reference}`)).toBe(`311 #${reference} is resolved. Thank you.`);
        expect(await line.incidents.get(reference)).toMatchObject({ status: "resolved", resolvedBy: primary.name });
      });
    });

    describe("from the category's supervisor, for an incident a crew member holds", () => {
      it("marks it fixed", async () => {
        const reference = await report(newPlace());
        await pagedBy(primary.phone, reference);
        await text(primary.phone, `ACK ${reference}`);
        expect(await text(supervisor.phone, `DONE ${reference}`)).toBe(`311 #${reference} is resolved. Thank you.`);
        expect(await line.incidents.get(reference)).toMatchObject({ status: "resolved", resolvedBy: supervisor.name });
      });
    });

    describe("for an incident nobody has taken yet", () => {
      let reference: string;
      beforeAll(async () => {
        reference = await report(newPlace(), "+14035550811");
        await pagedBy(primary.phone, reference);
      });

      it("from a crew member who was not paged for it, is refused: ACK first", async () => {
        expect(await text(offDuty.phone, `DONE ${reference}`)).toBe(
          `311 Nobody has taken #${reference} yet. If it is yours, reply ACK ${reference} first, then DONE ${reference}.`,
        );
        expect(await statusOf(reference)).toBe("open");
      });

      it("from the person paged for it, takes it and marks it fixed, and the resident hears a crew had it", async () => {
        expect(await text(primary.phone, `DONE ${reference}`)).toBe(`311 #${reference} is resolved. Thank you.`);
        expect(await line.incidents.get(reference)).toMatchObject({ status: "resolved", acknowledgedBy: primary.name, resolvedBy: primary.name });
        await standIn.waitFor((requests) => requests.some(to("+14035550811")));
      });
    });
  });

  describe("an ACK from the backup, after the primary was paged too", () => {
    let reference: string;
    beforeAll(async () => {
      reference = await report(newPlace());
      await pagedBy(primary.phone, reference);
      await pagedBy(backup.phone, reference);
      await text(backup.phone, `ACK ${reference}`);
      await standIn.waitFor((requests) => requests.some((request) => to(primary.phone)(request) && /was taken by/.test(request.body ?? "")), 10_000);
    });
    afterAll(async () => {
      await text(backup.phone, `DONE ${reference}`);
    });

    it("tells the primary who took it, so they do not drive out too", () => {
      const told = standIn.requests.filter((request) => to(primary.phone)(request) && about(reference)(request) && /was taken by/.test(request.body ?? ""));
      expect(told.map((request) => request.body)).toEqual([`311 #${reference} was taken by ${backup.name}. No need to act on it.`]);
    });

    it("does not tell the one who took it", () => {
      expect(standIn.requests.filter((request) => to(backup.phone)(request) && /was taken by/.test(request.body ?? ""))).toEqual([]);
    });
  });

  describe("a bare ACK", () => {
    describe("with two open pages", () => {
      let first: string;
      let second: string;
      let reply: string;
      beforeAll(async () => {
        first = await report(newPlace());
        second = await report(newPlace());
        await pagedBy(primary.phone, first);
        await pagedBy(primary.phone, second);
        reply = await text(primary.phone, "ACK");
      });
      afterAll(async () => {
        await text(supervisor.phone, `DONE ${first}`);
        await text(supervisor.phone, `DONE ${second}`);
      });

      it("takes neither", async () => {
        expect(await statusOf(first)).toBe("open");
        expect(await statusOf(second)).toBe("open");
      });

      it("lists both, with their places, and asks for the number", () => {
        expect(reply).toMatch(/^311: you have 2 open pages\. Open: /);
        expect(reply).toMatch(new RegExp(`#${first} Water and sewer at \\d+ Whoop-Up Drive`));
        expect(reply).toMatch(new RegExp(`#${second} Water and sewer at \\d+ Whoop-Up Drive`));
        expect(reply).toMatch(/Reply ACK and the number, e\.g\. ACK \d+\.$/);
      });
    });

    describe("from someone with no open page", () => {
      it("says so and takes nothing", async () => {
        expect(await text(offDuty.phone, "ACK")).toBe("You have no open page to take. Reply ACK followed by the number in the page, e.g. ACK 100234.");
      });
    });
  });

  describe("a reference a resident was given when their report joined an incident", () => {
    let incident: string;
    let joined: string;
    beforeAll(async () => {
      const corner = newCorner();
      incident = await report(corner);
      await pagedBy(primary.phone, incident);
      joined = await report(corner.replace("Avenue", "Ave").replace("Street", "St"));
      await reportsOf(incident, 2);
    });

    it("is taken by ACK, which names the incident's reference too", async () => {
      expect(await text(primary.phone, `ACK ${joined}`)).toBe(`311 #${joined} is part of #${incident}. #${incident} is yours. Reply DONE ${incident} when it is fixed.`);
      expect(await line.incidents.get(incident)).toMatchObject({ status: "acknowledged", acknowledgedBy: primary.name });
    });

    it("is taken by DONE", async () => {
      expect(await text(primary.phone, `DONE ${joined}`)).toBe(`311 #${joined} is part of #${incident}. #${incident} is resolved. Thank you.`);
      expect(await statusOf(incident)).toBe("resolved");
    });
  });
});

describe("a resident who texts the line", () => {
  describe("answering the SMS that a crew has their report", () => {
    const resident = "+14035550821";
    let reference: string;
    let told: StandInRequest;
    beforeAll(async () => {
      reference = await report(newPlace(), resident);
      await pagedBy(primary.phone, reference);
      await text(primary.phone, `ACK ${reference}`);
      told = (await standIn.waitFor((requests) => requests.some(to(resident)))).find(to(resident))!;
    });
    afterAll(async () => {
      await text(primary.phone, `DONE ${reference}`);
    });

    it("was texted from the residents' number, not the crew's", () => {
      expect(told.from).toBe(RESIDENT_FROM);
      expect(standIn.requests.filter(to(primary.phone)).every((request) => request.from === CREW_FROM)).toBe(true);
    });

    it("gets their reference, where it stands, and the number to call", async () => {
      expect(await text(resident, "Thanks! When will the water be back?")).toBe(
        `City of Lethbridge 311: your report ${reference} has been received and a crew has it. This number does not take messages: to add anything, call 311. If anyone is in danger, call 911.`,
      );
    });

    it("cannot take or close anything, whatever they text", async () => {
      await text(resident, `DONE ${reference}`);
      await text(resident, "ACK");
      expect(await statusOf(reference)).toBe("acknowledged");
    });
  });

  describe("whose report is still being paged", () => {
    it("hears that the crew is being paged", async () => {
      const resident = "+14035550822";
      const reference = await report(newPlace(), resident);
      await pagedBy(primary.phone, reference);
      expect(await text(resident, "hello?")).toContain(`your report ${reference} has been received and the on-call crew is being paged.`);
      await text(supervisor.phone, `DONE ${reference}`);
    });
  });

  describe("whose report was marked fixed", () => {
    it("hears so, and to call 311 if the problem is still there", async () => {
      const resident = "+14035550823";
      const reference = await report(newPlace(), resident);
      await pagedBy(primary.phone, reference);
      await text(primary.phone, `ACK ${reference}`);
      await text(primary.phone, `DONE ${reference}`);
      expect(await text(resident, "is it fixed")).toContain(`your report ${reference} has been received and the crew has marked the problem fixed. If it is still there, call 311.`);
    });
  });

  describe("whose report joined a neighbour's", () => {
    it("hears their own reference", async () => {
      const resident = "+14035550824";
      const corner = newCorner();
      const first = await report(corner);
      await pagedBy(primary.phone, first);
      const own = await report(corner, resident);
      await reportsOf(first, 2);
      const reply = await text(resident, "?");
      expect(reply).toContain(`your report ${own} has been received and the on-call crew is being paged.`);
      expect(reply).not.toContain(first);
      await text(supervisor.phone, `DONE ${first}`);
    });
  });
});
