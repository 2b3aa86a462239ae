import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TwilioPager } from "../../src/adapters/twilio/twilio-pager.js";
import { parseRoster, whoIsOnCall, type Roster } from "../../src/domain/oncall/roster/index.js";
import { startTwilioStandIn, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { DATABASE_KINDS } from "../helpers/database.js";
import { AUTH_TOKEN, at, newCallSid, TestLine } from "../helpers/line.js";

const ACCOUNT_SID = `AC${"cd".repeat(16)}`;
const FROM = "+14035550311";
const roster: Roster = parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml");
const WEEKDAY_MORNING = at("2026-12-02T10:00"); // a Wednesday
const SATURDAY_NIGHT = at("2026-12-05T02:00");

describe.each(DATABASE_KINDS)("what the City keeps of each call (%s)", (kind) => {
  let standIn: TwilioStandIn;
  let line: TestLine;

  beforeAll(async () => {
    standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    const pager = new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, apiUrl: standIn.url });
    line = await TestLine.start({ roster, pager, records: kind, now: WEEKDAY_MORNING });
  }, 60_000);
  afterAll(async () => {
    await line?.close();
    await standIn?.close();
  });
  afterEach(() => {
    standIn.reset();
    line.now = WEEKDAY_MORNING;
  });

  const callRow = async (callSid: string) => {
    await line.recordsWritten();
    const rows = await line.database!.database.query<Record<string, unknown>>("SELECT * FROM calls WHERE call_sid = $1", [callSid]);
    return rows;
  };

  describe("a caller an agent answers", () => {
    it("is kept once, with the queue, the wait and Twilio's result, however often Twilio reports the end", async () => {
      const caller = line.caller();
      await caller.dial();
      await caller.press("4");
      await caller.leaveQueue("bridged", "37");
      expect((await caller.hangUp("240")).status).toBe(204);
      expect((await caller.hangUp("240")).status).toBe(204);
      const rows = await callRow(caller.callSid);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        outcome: "queued-to-agent",
        duration_seconds: 240,
        after_hours: false,
        queue: "bylaw-parking",
        queue_wait_seconds: 37,
        queue_result: "bridged",
        from_number: "+14035550123",
        status: "completed",
      });
      expect(rows[0]!.path).toEqual(expect.arrayContaining(["greeting", "day-menu", "queue-bylaw"]));
      expect(new Date(rows[0]!.started_at as string).toISOString()).toBe(WEEKDAY_MORNING.toUTC().toISO());
    });
  });

  describe("a caller who gives up", () => {
    it("in the menu is abandoned, with no queue", async () => {
      const caller = line.caller();
      await caller.dial();
      await caller.hangUp("12");
      const [row] = await callRow(caller.callSid);
      expect(row).toMatchObject({ outcome: "abandoned", queue: null, duration_seconds: 12 });
    });

    it("in the queue is abandoned, with how long they waited", async () => {
      const caller = line.caller();
      await caller.dial();
      await caller.press("2");
      await caller.leaveQueue("hangup", "95");
      await caller.hangUp("110");
      const [row] = await callRow(caller.callSid);
      expect(row).toMatchObject({ outcome: "abandoned", queue: "waste-recycling", queue_result: "hangup", queue_wait_seconds: 95 });
    });
  });

  describe("a voicemail", () => {
    it("becomes an open callback request with a reference, the recording and the caller's number", async () => {
      const caller = line.caller("+14035550188");
      await caller.dial();
      await caller.press("1");
      await caller.leaveQueue("leave", "301");
      await caller.record("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE77", "21");
      await caller.hangUp("360");
      const [row] = await callRow(caller.callSid);
      expect(row).toMatchObject({ outcome: "voicemail", queue: "utility-billing", queue_result: "leave" });
      expect(row!.reference).toMatch(/^\d{6}$/);
      const callbacks = await line.store!.requests({ service: "callback", status: "open" });
      const request = callbacks.find((entry) => entry.callSid === caller.callSid);
      expect(request).toMatchObject({
        reference: row!.reference,
        department: "311 Customer Service",
        channel: "phone",
        recordingUrl: "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE77",
        callbackNumber: "+14035550188",
        source: "voicemail",
      });
    });

    it("says the queue it was left from by the name residents and departments know, not the flow's code", async () => {
      const caller = line.caller("+14035550189");
      await caller.dial();
      await caller.press("1");
      await caller.leaveQueue("leave", "120");
      await caller.record("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE78", "9");
      await caller.hangUp("150");
      await line.recordsWritten();
      const request = (await line.store!.requests({ service: "callback" })).find((entry) => entry.callSid === caller.callSid);
      expect(request!.description).toBe("Voicemail left while waiting for Utility Billing: call back.");
    });

    it("from a withheld number keeps no number to call back", async () => {
      const caller = line.caller("+266696687");
      await caller.dial();
      await caller.press("1");
      await caller.leaveQueue("leave");
      await caller.record();
      await caller.hangUp();
      await line.recordsWritten();
      const request = (await line.store!.requests({ service: "callback" })).find((entry) => entry.callSid === caller.callSid);
      expect(request).toMatchObject({ callbackNumber: null, status: "open" });
    });
  });

  describe("when Twilio reports the end before the caller's last answer (hung up while recording, or in the queue)", () => {
    it("a voicemail still becomes a callback request, and the call counts as a voicemail", async () => {
      const caller = line.caller("+14035550166");
      await caller.dial();
      await caller.press("1");
      await caller.leaveQueue("leave", "305");
      await caller.hangUp("330");
      await line.recordsWritten();
      expect((await callRow(caller.callSid))[0]).toMatchObject({ outcome: "abandoned" });
      await caller.record("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE88", "9", "hangup");
      const [row] = await callRow(caller.callSid);
      expect(row).toMatchObject({ outcome: "voicemail", queue: "utility-billing", queue_result: "leave", duration_seconds: 330 });
      const request = (await line.store!.requests({ service: "callback" })).find((entry) => entry.callSid === caller.callSid);
      expect(request).toMatchObject({ reference: row!.reference, recordingUrl: "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE88", callbackNumber: "+14035550166" });
    });

    it("an agent's answer still counts, with the wait", async () => {
      const caller = line.caller();
      await caller.dial();
      await caller.press("3");
      await caller.hangUp("200");
      await caller.leaveQueue("bridged", "51");
      const rows = await callRow(caller.callSid);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ outcome: "queued-to-agent", queue_result: "bridged", queue_wait_seconds: 51, duration_seconds: 200 });
    });
  });

  describe("an urgent report on a weekday morning when a supervisor closed the line (the emergency override)", () => {
    it("counts as after hours in its call and in its request alike, as the line was when the call came", async () => {
      line.now = WEEKDAY_MORNING;
      await line.overrides.set({ mode: "closed" });
      try {
        const caller = line.caller("+14035550166");
        await caller.dial();
        await caller.press("2"); // the trouble line: water
        await caller.say("Whoop-Up Drive and Scenic Drive");
        await caller.press("1");
        await caller.press("1");
        await caller.hangUp("90");
      } finally {
        await line.overrides.clear();
      }
      await line.recordsWritten();
      const [request] = await line.store!.requests({ service: "water", from: WEEKDAY_MORNING.minus({ minutes: 1 }).toUTC().toISO()! });
      expect(request).toMatchObject({ channel: "after-hours", place: "Whoop-Up Drive and Scenic Drive" });
      expect((await callRow(request!.callSid!))[0]).toMatchObject({ after_hours: true });
    });
  });

  describe("an urgent report after hours", () => {
    it("is a request of its category, taken and closed with the crew's words as notes", async () => {
      line.now = SATURDAY_NIGHT;
      const reference = await line.reports.dispatch({
        category: "water",
        location: "301 Scenic Drive South",
        callbackNumber: "+14035550123",
        callSid: newCallSid(),
        receivedAt: line.now.toISO()!,
      });
      const primary = whoIsOnCall(roster, "water", SATURDAY_NIGHT).primary!;
      // Its own page: an earlier test's report may still be paging the same person.
      await standIn.waitFor((requests) => requests.some((request) => request.to === primary.phone && (request.body ?? "").includes(reference)));
      await line.recordsWritten();
      expect((await line.store!.request(reference))!.request).toMatchObject({
        service: "water",
        department: "Water and Wastewater",
        channel: "after-hours",
        status: "open",
        place: "301 Scenic Drive South",
        incident: reference,
        source: "ivr",
      });

      line.now = SATURDAY_NIGHT.plus({ minutes: 4 });
      await line.text(primary.phone, `ACK ${reference}`, FROM);
      await line.recordsWritten();
      expect((await line.store!.request(reference))!.request.status).toBe("acknowledged");
      expect(await line.store!.incident(reference)).toMatchObject({ acknowledgedBy: primary.name, escalations: 0, alarm: false });

      line.now = SATURDAY_NIGHT.plus({ minutes: 50 });
      await line.text(primary.phone, `DONE ${reference}`, FROM);
      await line.recordsWritten();
      const { request, notes } = (await line.store!.request(reference))!;
      expect(request).toMatchObject({ status: "closed", closedAt: SATURDAY_NIGHT.plus({ minutes: 50 }).toUTC().toISO() });
      expect(notes.map((note) => note.kind)).toEqual(expect.arrayContaining(["paged", "acknowledged", "closed"]));
      expect(notes.find((note) => note.kind === "acknowledged")!.text).toContain(primary.name);
    });
  });
});
