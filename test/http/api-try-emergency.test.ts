/**
 * The test phone (`POST /api/try`), "what happens if someone calls at …" (`GET /api/preview`) and
 * the emergency message (`GET/PUT /api/emergency`), through the real app: the test phone runs
 * drafts through the webhook's engine and touches nothing live; the emergency message reaches
 * the very next real call.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TRY_CALL_SID } from "../../src/domain/flow/try-call.js";
import { at, TestLine } from "../helpers/line.js";
import { RecordingPager } from "../helpers/recording-pager.js";

const main = await readFile("flows/main.yaml", "utf8");
const hours = await readFile("flows/hours.yaml", "utf8");
const GREETING = "Thank you for calling the City of Lethbridge, 3 1 1.";
const WEDNESDAY_MORNING = at("2026-12-02T10:00");
const SATURDAY_NIGHT = at("2026-12-05T02:00");
const STORM = "Because of the storm, garbage collection is one day late this week.";

let line: TestLine;
const crew = new RecordingPager();
let supervisor: string;
let viewer: string;
beforeAll(async () => {
  line = await TestLine.start({ console: {}, pager: crew });
  supervisor = await line.addUser("sue", "supervisor");
  viewer = await line.addUser("vic", "viewer");
});
afterAll(async () => {
  await line.close();
});

const tryCall = (body: Record<string, unknown>) => line.api("POST", "/api/try", { token: viewer, body });
const setEmergency = (body: Record<string, unknown>) => line.api("PUT", "/api/emergency", { token: supervisor, body });

describe("the test phone", () => {
  beforeEach(async () => {
    await line.overrides.clear();
  });

  describe("a call on a Saturday at 02:00 pressing 2", () => {
    const waterReport = { at: "2026-12-05T02:00", from: "+14035550187", replies: ["2", "5th Avenue South and 10th Street", "1", "1"] };

    it("meets the after-hours trouble line first", async () => {
      const answer = await tryCall({ at: "2026-12-05T02:00", replies: [] });
      expect(answer.status).toBe(200);
      expect(answer.body.turns[0]).toMatchObject({ state: "urgent-menu", listeningFor: "keys or speech" });
      expect(answer.body.turns[0].heard).toContain("For a watermain break, no water, or a sewer backup, press 2, or say water.");
    });

    it("reaches the water report, and says whom it would page", async () => {
      const answer = await tryCall(waterReport);
      expect(answer.body.turns[1]).toMatchObject({ reply: { digits: "2" }, state: "urgent-location" });
      expect(answer.body).toMatchObject({ ended: true, outcome: "urgent-report", unusedReplies: 0 });
      expect(answer.body.path).toEqual(["greeting", "safety", "emergency-message", "check-hours", "after-hours", "urgent-menu", "urgent-location", "urgent-callback", "urgent-dispatch", "urgent-reference"]);
      expect(answer.body.effects.at(-1)).toBe(
        'A report for water at "5th Avenue South and 10th Street" (caller confirmed), call back on +14035550187, would be filed as 123456 and Sam Tremblay (primary) paged by SMS and a voice call',
      );
    });

    it("files nothing, pages nobody and leaves no call behind", async () => {
      await tryCall(waterReport);
      const queue = line.dispatchQueue();
      const counts = await queue.getJobCounts();
      await queue.close();
      expect(Object.values(counts).every((count) => count === 0)).toBe(true);
      expect(await line.calls.load(TRY_CALL_SID)).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect([...crew.texts, ...crew.calls]).toEqual([]);
    });
  });

  describe("with a draft flow", () => {
    const draft = main.replace(GREETING, "Welcome to the City's brand new line.");

    it("plays the draft's words", async () => {
      const answer = await tryCall({ document: "flow:main", source: draft, at: "2026-12-02T10:00" });
      expect(answer.status).toBe(200);
      expect(answer.body.turns[0].heard[0]).toBe("Welcome to the City's brand new line.");
    });

    it("is not heard by a real call, and publishes nothing", async () => {
      const { version } = (await line.api("GET", "/api/flows/main", { token: viewer })).body;
      await tryCall({ document: "flow:main", source: draft, at: "2026-12-02T10:00" });
      line.now = WEDNESDAY_MORNING;
      expect((await line.caller().dial()).says[0]).toBe(GREETING);
      expect((await line.api("GET", "/api/flows/main", { token: viewer })).body.version).toBe(version);
    });

    it("is refused with 400 and its problems at their lines when it has any", async () => {
      const broken = main.replace("next: urgent-menu", "next: urgnet-menu");
      const answer = await tryCall({ document: "flow:main", source: broken, at: "2026-12-02T10:00" });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        error: 'the draft of flow "main" has problems to fix before it can be tried',
        errors: [{ line: broken.split("\n").findIndex((text) => text.includes("urgnet-menu")) + 1, hint: 'did you mean "urgent-menu"?' }],
      });
    });
  });

  describe("with draft hours", () => {
    const training = hours.replace("closures:\n", "closures:\n  - date: 2026-12-23\n    reason: staff training\n");

    it("meets the draft's closure at its moment", async () => {
      const answer = await tryCall({ document: "hours", source: training, at: "2026-12-23T10:00" });
      expect(answer.body.turns[0].heard).toContain("City offices are closed today for staff training.");
      expect(answer.body.turns[0].state).toBe("urgent-menu");
    });

    it("while a real call at that moment still meets the live hours", async () => {
      line.now = at("2026-12-23T10:00");
      expect((await line.caller().dial()).says.join(" ")).toMatch(/utility billing/);
    });
  });

  it("plays the emergency message as it applies at the moment tried", async () => {
    line.now = WEDNESDAY_MORNING;
    await setEmergency({ mode: "closed", message: STORM, until: "2026-12-02T18:00" });
    const during = await tryCall({ at: "2026-12-02T11:00" });
    expect(during.body.turns[0].heard).toEqual(expect.arrayContaining([STORM, "Our contact centre is closed right now. You have reached the trouble line for urgent problems."]));
    const after = await tryCall({ at: "2026-12-03T11:00" });
    expect(after.body.turns[0].heard).not.toContain(STORM);
  });
});

describe("what happens if someone calls at a moment", () => {
  beforeEach(async () => {
    await line.overrides.clear();
  });

  it("on Christmas morning: the holiday route, why, the first words, and who is paged with numbers in part", async () => {
    const answer = await line.api("GET", "/api/preview?at=2026-12-25T10:00", { token: viewer });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ at: "2026-12-25T10:00:00.000-07:00", route: "holiday", why: "Closed today for Christmas Day; opens again Tuesday, December 29 at 8 a.m." });
    expect(answer.body.firstWords).toContain("City offices are closed today for Christmas Day.");
    expect(answer.body.oncall.map((category: { category: string }) => category.category)).toEqual(["power", "water", "roads"]);
    // The roster's own override: Pat covers Christmas.
    expect(answer.body.oncall[1]).toMatchObject({ category: "water", firstPaged: { name: "Pat Okafor", phone: "+1403•••0111" }, gap: false });
    expect(JSON.stringify(answer.body)).not.toContain("+14035550111");
  });

  it("on a weekday morning: open, and the day menu", async () => {
    const answer = await line.api("GET", "/api/preview?at=2026-12-02T10:00", { token: viewer });
    expect(answer.body.route).toBe("open");
    expect(answer.body.firstWords.join(" ")).toMatch(/utility billing and accounts, press 1/);
  });

  it("now, when no moment is given", async () => {
    line.now = SATURDAY_NIGHT;
    const answer = await line.api("GET", "/api/preview", { token: viewer });
    expect(answer.body).toMatchObject({ at: "2026-12-05T02:00:00.000-07:00", route: "closed" });
  });

  it("under the emergency message: the emergency route", async () => {
    line.now = WEDNESDAY_MORNING;
    await setEmergency({ mode: "closed", message: STORM });
    const answer = await line.api("GET", "/api/preview?at=2026-12-02T11:00", { token: viewer });
    expect(answer.body.route).toBe("emergency");
    expect(answer.body.firstWords).toContain(STORM);
  });
});

describe("the emergency message", () => {
  beforeEach(async () => {
    line.now = WEDNESDAY_MORNING;
    await line.overrides.clear();
  });

  it("is normal when nothing is set", async () => {
    expect((await line.api("GET", "/api/emergency", { token: viewer })).body).toEqual({ mode: "normal" });
  });

  describe("in mode message", () => {
    it("is set by a supervisor, who is named", async () => {
      const answer = await setEmergency({ mode: "message", message: STORM });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ mode: "message", message: STORM, setBy: "sue", setAt: "2026-12-02T10:00:00.000-07:00" });
      expect((await line.api("GET", "/api/emergency", { token: viewer })).body).toEqual(answer.body);
    });

    it("is heard by the next real call, which then carries on to the day menu", async () => {
      await setEmergency({ mode: "message", message: STORM });
      const twiml = await line.caller().dial();
      expect(twiml.says.slice(0, 4)).toEqual([GREETING, "If this is a life-threatening emergency, hang up and dial 9-1-1.", "Here is an important message from the City.", STORM]);
      expect(twiml.says.join(" ")).toMatch(/utility billing and accounts, press 1/);
    });

    it("needs the words callers hear", async () => {
      const answer = await setEmergency({ mode: "message" });
      expect(answer).toMatchObject({ status: 400, body: { error: "message: mode message needs the message callers hear" } });
    });

    it("is heard as words, never as TwiML", async () => {
      const markup = "Storm.</Say><Dial>+19995550000</Dial><Say>";
      await setEmergency({ mode: "message", message: markup });
      const twiml = await line.caller().dial();
      expect(twiml.says).toContain(markup);
      expect(twiml.verbs).not.toContain("Dial");
    });
  });

  describe("in mode closed", () => {
    it("sends a call in business hours to the trouble line, with the message", async () => {
      expect((await setEmergency({ mode: "closed", message: STORM })).body).toMatchObject({ mode: "closed", message: STORM });
      const twiml = await line.caller().dial();
      expect(twiml.says).toContain(STORM);
      expect(twiml.says).toContain("Our contact centre is closed right now. You have reached the trouble line for urgent problems.");
      expect(twiml.says.join(" ")).not.toMatch(/utility billing/);
    });
  });

  describe("in mode open", () => {
    it("keeps the day menu on after hours until the time given", async () => {
      line.now = SATURDAY_NIGHT;
      const answer = await setEmergency({ mode: "open", until: "2026-12-05T12:00" });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ mode: "open", until: "2026-12-05T12:00:00.000-07:00" });
      expect((await line.caller().dial()).says.join(" ")).toMatch(/utility billing and accounts, press 1/);
    });

    it("without an end, outside hours, is refused with how to give one", async () => {
      line.now = SATURDAY_NIGHT;
      const answer = await setEmergency({ mode: "open" });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/^open needs until today: the line has no more scheduled hours on Saturday 5 December, .* e\.g\. until 2026-12-05T06:00$/);
      expect((await line.api("GET", "/api/emergency", { token: viewer })).body).toEqual({ mode: "normal" });
    });

    it("without an end, in hours, lasts until today's closing time", async () => {
      expect((await setEmergency({ mode: "open" })).body).toMatchObject({ mode: "open", until: "2026-12-02T16:30:00.000-07:00" });
    });
  });

  describe("with an end", () => {
    it("that is past, is refused", async () => {
      const answer = await setEmergency({ mode: "message", message: STORM, until: "2026-12-01T08:00" });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/already past/);
    });

    it("that is not a time, is refused", async () => {
      const answer = await setEmergency({ mode: "message", message: STORM, until: "tomorrow" });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/^until "tomorrow" is not a date and time/);
    });

    it("switches itself off once the end has passed", async () => {
      await setEmergency({ mode: "message", message: STORM, until: "2026-12-02T12:00" });
      line.now = at("2026-12-02T12:00");
      expect((await line.api("GET", "/api/emergency", { token: viewer })).body).toEqual({ mode: "normal" });
      expect((await line.caller().dial()).says).not.toContain(STORM);
    });
  });

  describe("set back to normal", () => {
    it("clears the message for the next call", async () => {
      await setEmergency({ mode: "closed", message: STORM });
      const answer = await setEmergency({ mode: "normal" });
      expect(answer.body).toEqual({ mode: "normal" });
      const twiml = await line.caller().dial();
      expect(twiml.says).not.toContain(STORM);
      expect(twiml.says.join(" ")).toMatch(/utility billing/);
    });
  });
});
