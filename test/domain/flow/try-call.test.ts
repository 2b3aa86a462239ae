/**
 * The console's test phone: a call through the very engine the webhook runs, at a moment the
 * supervisor picks, with the caller's keys and words given in advance. Nothing is filed, paged
 * or dialled; what would have been is said in words.
 */
import { describe, expect, it } from "vitest";
import { tryCall, TRY_REFERENCE, MAX_TRY_TURNS, type TryCallInput, type TryReply } from "../../../src/domain/flow/try-call.js";
import type { EmergencyOverride } from "../../../src/domain/hours/index.js";
import { at, cityHours, deepFreeze, flowFrom, mainFlow } from "../../helpers/flow.js";
import { testRoster } from "../../fixtures/oncall/load.js";

const flow = mainFlow();
const hours = cityHours();
const roster = testRoster();
const CALLER = "+14035550123";

const GREETING = "Thank you for calling the City of Lethbridge, 3 1 1.";
const SAFETY = "If this is a life-threatening emergency, hang up and dial 9-1-1.";
const AFTER_HOURS =
  "Our contact centre is open Monday to Friday, 8 a.m. to 4:30 p.m., except City holidays. You have reached the after-hours trouble line for urgent problems.";
const URGENT_MENU = [
  "For a power outage, press 1, or say power.",
  "For a watermain break, no water, or a sewer backup, press 2, or say water.",
  "For a road hazard or a traffic signal that is out, press 3, or say road.",
  "For anything else, press 0.",
  "To hear these choices again, press star.",
];
/** The small hours of a Saturday: in rotation week 3 of the test roster (water: Lee, then Sam). */
const SATURDAY_2AM = "2026-12-05T02:00:00";
const WEEKDAY_10AM = "2026-12-02T10:00:00";

function call(localTime: string, replies: TryReply[] = [], options: Partial<TryCallInput> = {}) {
  return tryCall({ flow, hours, override: null, roster, at: at(localTime), from: CALLER, replies, ...options });
}

describe("the test phone", () => {
  describe("at 02:00 on a Saturday", () => {
    describe("with no replies", () => {
      const result = call(SATURDAY_2AM);

      it("has one turn: the caller hears the greeting, the after-hours words and the urgent menu", () => {
        expect(result.turns).toEqual([{ heard: [GREETING, SAFETY, AFTER_HOURS, ...URGENT_MENU], listeningFor: "keys or speech", state: "urgent-menu" }]);
      });

      it("lights the states the call went through", () => {
        expect(result.path).toEqual(["greeting", "safety", "emergency-message", "check-hours", "after-hours", "urgent-menu"]);
      });

      it("says what the caller is being asked", () => {
        expect(result).toMatchObject({ ended: false, awaiting: 'keys or speech in "urgent-menu"', effects: [] });
      });
    });

    describe("when the caller reports a watermain break and confirms everything", () => {
      const result = call(SATURDAY_2AM, [{ digits: "2" }, { speech: "5th Avenue and 13 Street South.", confidence: 0.92 }, { digits: "1" }, { digits: "1" }]);

      it("asks for the place after the water key", () => {
        expect(result.turns[1]).toEqual({
          reply: { digits: "2" },
          heard: ["Please tell us where the problem is. Say a street address, or the nearest intersection."],
          listeningFor: "speech",
          state: "urgent-location",
        });
      });

      it("reads the place back", () => {
        expect(result.turns[2]?.heard).toEqual(["I heard 5th Avenue and 13 Street South. If that's right, press 1 or say yes. To say it again, press 2 or say no."]);
      });

      it("reads the sample reference back after the redirect Twilio follows, in the same turn", () => {
        expect(result.turns.at(-1)?.heard).toEqual([
          "Thank you. The on-call crew has been notified.",
          "Your reference number is 1 2 3, 4 5 6.",
          "Again, your reference number is 1 2 3, 4 5 6.",
          "Goodbye.",
        ]);
      });

      it("says the report would be filed and held once the place is heard, then sent, naming whom the crew chain pages first", () => {
        expect(result.effects).toEqual([
          'A report for water at "5th Avenue and 13 Street South" would be filed now and held while the caller answers; it would go to the crew when the call reaches "urgent-dispatch" or the caller hangs up',
          `A report for water at "5th Avenue and 13 Street South" (caller confirmed), call back on +14035550123, would be filed as ${TRY_REFERENCE} and Lee Chen (primary) paged by SMS`,
        ]);
      });

      it("ends as an urgent report, with every reply used", () => {
        expect(result).toMatchObject({ ended: true, outcome: "urgent-report", unusedReplies: 0 });
        expect(result).not.toHaveProperty("awaiting");
      });

      it("lights the whole way to the reference", () => {
        expect(result.path.slice(-5)).toEqual(["urgent-menu", "urgent-location", "urgent-callback", "urgent-dispatch", "urgent-reference"]);
      });
    });

    describe("when the caller hangs up once the place is heard", () => {
      const result = call(SATURDAY_2AM, [{ digits: "1" }, { speech: "Scenic Drive and 5th Avenue South" }, { hangup: true }]);

      it("says the held report would go to the crew at once", () => {
        expect(result.effects.at(-1)).toBe(
          `The caller hung up: a report for power at "Scenic Drive and 5th Avenue South", call back on +14035550123, would be filed as ${TRY_REFERENCE} and Jen Whitford (primary) paged by a voice call`,
        );
      });

      it("ends the call as the urgent report it is", () => {
        expect(result).toMatchObject({ ended: true, outcome: "urgent-report" });
      });

      it("keeps the hang-up as a turn in which nothing is heard", () => {
        expect(result.turns.at(-1)).toEqual({ reply: { hangup: true }, heard: [], state: "urgent-location" });
      });
    });

    describe("when the caller types two keys where the menu takes one", () => {
      const result = call(SATURDAY_2AM, [{ digits: "21" }]);

      it("takes the first, as the phone would", () => {
        expect(result.turns[1]?.state).toBe("urgent-location");
      });
    });

    describe("when the caller says nothing", () => {
      const result = call(SATURDAY_2AM, [{}]);

      it("hears that the line didn't catch it, and the menu again", () => {
        expect(result.turns[1]?.heard).toEqual(["Sorry, I didn't catch that.", ...URGENT_MENU]);
      });
    });

    describe("when the caller can use neither menu and records the problem", () => {
      const wrong = { digits: "7" };
      const result = call(SATURDAY_2AM, [wrong, wrong, wrong, wrong, wrong, { recording: true }]);

      it("asks for a recording after the tone", () => {
        expect(result.turns[5]).toMatchObject({ heard: expect.arrayContaining(["(beep)"]), listeningFor: "a recording", state: "urgent-problem-recording" });
      });

      it("says every supervisor would be paged, since no crew was chosen", () => {
        expect(result.effects).toEqual([
          `The caller's recorded report, call back on +14035550123, would be filed as ${TRY_REFERENCE} and every supervisor paged at once (no crew for "general"): Dale Kovacs, Renee Blackwater, Gord Fehr, Sol Amundsen`,
        ]);
      });
    });

    describe("when the caller's words are heard with little confidence", () => {
      const result = call(SATURDAY_2AM, [{ speech: "water", confidence: 0.9 }, { digits: "1" }, { speech: "mumble street", confidence: 0.2 }]);

      it("hears the flow's words for speech it is unsure of, and the question again", () => {
        expect(result.turns.at(-1)?.heard).toEqual([
          "Sorry, I'm not sure I heard that right.",
          "Please tell us where the problem is. Say a street address, or the nearest intersection.",
        ]);
      });
    });
  });

  describe("at 10:00 on a weekday", () => {
    describe("when the caller asks for an agent", () => {
      const result = call(WEEKDAY_10AM, [{ digits: "0" }, { digits: "5" }]);

      it("hears the hold prompt, the first hold announcement and music", () => {
        expect(result.turns[1]?.heard).toEqual([
          "Please hold for the next available customer service specialist.",
          "You are number 1 in line. Thank you for waiting.",
          "(music)",
        ]);
      });

      it("says the caller would be queued for an agent", () => {
        expect(result.effects).toEqual(['The caller would be put in the queue "general" for an agent']);
      });

      it("waits for an agent, leaving the key that does nothing on hold unused", () => {
        expect(result).toMatchObject({ ended: false, awaiting: 'an agent: the caller holds in the queue "general"', unusedReplies: 1 });
      });
    });

    describe("when the caller on hold presses 1 for voicemail and leaves one", () => {
      const result = call(WEEKDAY_10AM, [{ digits: "1" }, { digits: "1" }, { recording: "https://example.org/message.wav" }]);

      it("asks for the voicemail after the tone", () => {
        expect(result.turns[2]).toMatchObject({ state: "voicemail", listeningFor: "a recording" });
      });

      it("ends as a voicemail, thanking the caller", () => {
        expect(result).toMatchObject({ ended: true, outcome: "voicemail" });
        expect(result.turns.at(-1)?.heard).toEqual(["Thank you. A customer service specialist will call you back on the next business day. Goodbye."]);
      });
    });

    describe("when replies are left after the call ended", () => {
      const result = call(WEEKDAY_10AM, [{ digits: "1" }, { digits: "1" }, { recording: false }, { digits: "9" }]);

      it("ends where nothing was recorded, and counts the reply left over", () => {
        expect(result).toMatchObject({ ended: true, unusedReplies: 1 });
        expect(result.turns.at(-1)?.heard).toEqual(["Thank you for calling the City of Lethbridge. Goodbye."]);
      });
    });
  });

  describe("on Christmas Day", () => {
    const result = call("2026-12-25T10:00:00");

    it("says why the line is closed today, before the after-hours words", () => {
      expect(result.turns[0]?.heard.slice(2, 4)).toEqual(["City offices are closed today for Christmas Day.", AFTER_HOURS]);
    });
  });

  describe("with the emergency message on", () => {
    const storm: EmergencyOverride = { mode: "closed", message: "A storm has cut power across the city.", until: "2026-12-02T18:00:00-07:00" };

    it("plays the message and sends even a morning caller to the trouble line", () => {
      expect(call(WEEKDAY_10AM, [], { override: storm }).turns[0]?.heard).toEqual([
        GREETING,
        SAFETY,
        "Here is an important message from the City.",
        "A storm has cut power across the city.",
        "Our contact centre is closed right now. You have reached the trouble line for urgent problems.",
        ...URGENT_MENU,
      ]);
    });

    it("no longer applies once its end has passed", () => {
      expect(call("2026-12-02T18:00:00", [], { override: storm }).path).not.toContain("line-closed");
    });
  });

  describe("with a category nobody is on call for", () => {
    const lonely = flowFrom(`
start: report
fallbackQueue: general
states:
  report:
    type: dispatch
    category: lonely
    next: bye
  bye:
    type: hangup
    text: Goodbye.
`);
    // 2026-12-14 08:00 to 2026-12-28 08:00 is a gap for lonely in the test roster.
    const result = call("2026-12-16T23:00:00", [], { flow: lonely });

    it("names the supervisor as the first paged", () => {
      expect(result.effects).toEqual([`A report for lonely with no place given, call back on +14035550123, would be filed as ${TRY_REFERENCE} and Sol Amundsen (supervisor) paged by SMS and a voice call`]);
    });
  });

  describe("with a transfer", () => {
    const transfer = flowFrom(`
start: duty
fallbackQueue: general
states:
  duty:
    type: transfer
    number: "+14035550100"
    prompt: Connecting you to the duty officer.
    onFail: bye
  bye:
    type: hangup
`);
    const result = call(WEEKDAY_10AM, [{ digits: "1" }], { flow: transfer });

    it("says the call would be transferred, and waits for it to be answered", () => {
      expect(result).toMatchObject({
        effects: ["The call would be transferred to +14035550100"],
        awaiting: "the transfer to +14035550100 to be answered",
        unusedReplies: 1,
      });
    });
  });

  describe("when the caller keeps asking to hear the choices again", () => {
    const result = call(SATURDAY_2AM, Array.from({ length: 80 }, () => ({ digits: "*" })));

    it(`stops after ${MAX_TRY_TURNS} turns`, () => {
      expect(result.turns).toHaveLength(MAX_TRY_TURNS);
      expect(result).toMatchObject({ ended: false, awaiting: `nothing more: the test phone stopped after ${MAX_TRY_TURNS} turns`, unusedReplies: 80 - (MAX_TRY_TURNS - 1) });
    });
  });

  describe("as a pure function", () => {
    const input = deepFreeze({
      flow: mainFlow(),
      hours: cityHours(),
      override: null,
      roster: testRoster(),
      at: at(SATURDAY_2AM),
      from: CALLER,
      replies: [{ digits: "2" }, { speech: "5th Avenue and 13 Street South" }, { digits: "1" }, { digits: "1" }],
    });

    it("changes none of what it is given, and gives the same call every time", () => {
      expect(tryCall(input)).toEqual(tryCall(input));
    });
  });
});
