/**
 * Whole calls through the City's published flow (`flows/main.yaml`) and hours (`flows/hours.yaml`),
 * one webhook at a time, asserting what the caller hears.
 */
import { describe, expect, it } from "vitest";
import type { Action } from "../../../src/domain/flow/actions.js";
import type { EmergencyOverride } from "../../../src/domain/hours/index.js";
import { at, CALL_SID, cityHours, environment, heard, mainFlow, only, ring, type Caller } from "../../helpers/flow.js";

const flow = mainFlow();
const hours = cityHours();

const GREETING = "Thank you for calling the City of Lethbridge, 3 1 1.";
const SAFETY = "If this is a life-threatening emergency, hang up and dial 9-1-1.";
const DAY_MENU = [
  "For utility billing and accounts, press 1, or say billing.",
  "For garbage, recycling and compost, press 2, or say waste.",
  "For roads, snow and transit, press 3, or say roads.",
  "For bylaw and parking, press 4, or say parking.",
  "For an urgent problem, a power outage, a watermain break or sewer backup, or a road hazard, press 9, or say urgent.",
  "For anything else, press 0, or say agent.",
  "To hear these choices again, press star.",
];
const URGENT_MENU = [
  "For a power outage, press 1, or say power.",
  "For a watermain break, no water, or a sewer backup, press 2, or say water.",
  "For a road hazard or a traffic signal that is out, press 3, or say road.",
  "For anything else, press 0.",
  "To hear these choices again, press star.",
];
const AFTER_HOURS =
  "Our contact centre is open Monday to Friday, 8 a.m. to 4:30 p.m., except City holidays. You have reached the after-hours trouble line for urgent problems.";
const LOCATION_PROMPT = "Please tell us where the problem is. Say a street address, or the nearest intersection.";
const GOODBYE = "Thank you for calling the City of Lethbridge. Goodbye.";
const PLACE_READ_BACK = (place: string) => `I heard ${place}. If that's right, press 1 or say yes. To say it again, press 2 or say no.`;
const CALLBACK_CONFIRM =
  "The crew may call you back at 4 0 3, 5 5 5, 0 1 2 3. If that's right, press 1 or say yes. For a different number, press 2 or say no.";

/** A Wednesday morning in business hours. */
const WEEKDAY_10AM = "2026-12-02T10:00:00";
/** The small hours of a Saturday. */
const SATURDAY_2AM = "2026-12-05T02:00:00";

function call(localTime: string, options: { override?: EmergencyOverride; caller?: string } = {}): Caller {
  return ring(flow, environment({ now: at(localTime), hours, override: options.override ?? null }), options);
}

function types(actions: readonly Action[]): string[] {
  return actions.map((action) => action.type);
}

describe("a call to the City's line", () => {
  describe("on a weekday at 10:00", () => {
    describe("when it is answered", () => {
      const phone = call(WEEKDAY_10AM);

      it("greets the caller, gives the 9-1-1 advice, and offers the day menu", () => {
        expect(phone.heard).toEqual([GREETING, SAFETY, ...DAY_MENU]);
      });

      it("waits in the day menu", () => {
        expect(phone.call.state).toBe("day-menu");
      });
    });

    describe("when the caller presses 1", () => {
      const phone = call(WEEKDAY_10AM);
      phone.press("1");

      it("asks the caller to hold for billing", () => {
        expect(phone.heard).toEqual(["Please hold for the next customer service specialist for utility billing and accounts."]);
      });

      it("puts the caller in the utility-billing queue", () => {
        expect(only(phone.actions, "enqueue")).toEqual({ type: "enqueue", queue: "utility-billing", state: "queue-billing" });
      });

      describe("and an agent answers", () => {
        const answered = call(WEEKDAY_10AM);
        answered.press("1");
        answered.reply({ queueResult: "bridged" });

        it("ends the call as queued to an agent", () => {
          expect(answered.call).toMatchObject({ ended: true, outcome: "queued-to-agent" });
        });
      });
    });

    describe('when the caller says "garbage"', () => {
      const phone = call(WEEKDAY_10AM);
      phone.say("garbage");

      it("puts the caller in the waste-recycling queue", () => {
        expect(only(phone.actions, "enqueue").queue).toBe("waste-recycling");
      });
    });

    describe("when the caller says nothing three times", () => {
      const phone = call(WEEKDAY_10AM);
      phone.silence();
      const secondTry = phone.heard;
      phone.silence();
      phone.silence();

      it("asks again after a silence, saying it didn't catch that", () => {
        expect(secondTry).toEqual(["Sorry, I didn't catch that.", ...DAY_MENU]);
      });

      it("puts the caller through to an agent", () => {
        expect(phone.heard).toEqual([
          "Let me put you through to the next available agent.",
          "Please hold for the next available customer service specialist.",
        ]);
      });

      it("puts the caller in the general queue", () => {
        expect(only(phone.actions, "enqueue").queue).toBe("general");
      });
    });

    describe("when the billing queue is full", () => {
      const phone = call(WEEKDAY_10AM);
      phone.press("1");
      phone.reply({ queueResult: "queue-full" });

      it("offers a voicemail instead", () => {
        expect(phone.heard).toEqual([
          "After the tone, please leave your name, your phone number and a short message. Press pound when you are done.",
        ]);
      });

      describe("and the caller leaves one", () => {
        const leaving = call(WEEKDAY_10AM);
        leaving.press("1");
        leaving.reply({ queueResult: "queue-full" });
        leaving.reply({ recordingUrl: "https://api.twilio.com/Recordings/RE1", recordingDuration: 20 });

        it("thanks them and says goodbye", () => {
          expect(leaving.heard).toEqual([
            "Thank you. A customer service specialist will call you back on the next business day. Goodbye.",
          ]);
        });

        it("counts the call as a voicemail", () => {
          expect(leaving.call).toMatchObject({ ended: true, outcome: "voicemail" });
        });
      });
    });

    describe("when a supervisor has set an emergency message", () => {
      const message = "A watermain break has closed 3rd Avenue South between 5th and 7th Street.";
      const phone = call(WEEKDAY_10AM, { override: { message } });

      it("speaks it right after the 9-1-1 sentence, after its intro", () => {
        expect(phone.heard.slice(0, 4)).toEqual([GREETING, SAFETY, "Here is an important message from the City.", message]);
      });

      it("then offers the day menu as usual", () => {
        expect(phone.heard.slice(4)).toEqual(DAY_MENU);
      });
    });

    describe("when a supervisor has closed the line", () => {
      const phone = call(WEEKDAY_10AM, { override: { mode: "closed" } });

      it("says the contact centre is closed and offers the urgent menu", () => {
        expect(phone.heard).toEqual([
          GREETING,
          SAFETY,
          "Our contact centre is closed right now. You have reached the trouble line for urgent problems.",
          ...URGENT_MENU,
        ]);
      });
    });
  });

  describe("on Christmas Day", () => {
    it("says the City is closed for the holiday and offers the urgent menu", () => {
      expect(call("2026-12-25T10:00:00").heard).toEqual([
        GREETING,
        SAFETY,
        "City offices are closed today for Christmas Day.",
        AFTER_HOURS,
        ...URGENT_MENU,
      ]);
    });
  });

  describe("on a Saturday at 02:00", () => {
    describe("when it is answered", () => {
      it("offers the after-hours trouble line", () => {
        expect(call(SATURDAY_2AM).heard).toEqual([GREETING, SAFETY, AFTER_HOURS, ...URGENT_MENU]);
      });
    });

    describe("when the caller reports a watermain break: presses 2, says a place, confirms it, confirms the number", () => {
      const phone = call(SATURDAY_2AM);
      const dispatched: Extract<Action, { type: "dispatch" }>[] = [];
      const record = () => dispatched.push(...phone.actions.filter((action) => action.type === "dispatch"));

      phone.press("2");
      record();
      const askedWhere = phone.heard;
      phone.say("3rd Avenue South and 13th Street");
      record();
      const readBack = phone.heard;
      phone.press("1");
      record();
      const askedToConfirm = phone.heard;
      phone.press("1");
      record();
      const filing = phone.actions;
      phone.call = { ...phone.call, vars: { ...phone.call.vars, reference: "1042" } }; // the shell's part
      phone.followRedirect();
      record();

      it("asks where the problem is, without asking which crew again: a key needs no confirmation", () => {
        expect(askedWhere).toEqual([LOCATION_PROMPT]);
      });

      it("reads the place back", () => {
        expect(readBack).toEqual([PLACE_READ_BACK("3rd Avenue South and 13th Street")]);
      });

      it("asks the caller to confirm the number they are calling from", () => {
        expect(askedToConfirm).toEqual([CALLBACK_CONFIRM]);
      });

      it("files the report held from the moment the place is heard, and releases it once at the end", () => {
        expect(dispatched.map((action) => action.hold)).toEqual([true, true, false]);
      });

      it("files it for the water crew, with the confirmed place and the callback number", () => {
        expect(only(filing, "dispatch").report).toEqual({
          category: "water",
          location: "3rd Avenue South and 13th Street",
          locationConfirmed: true,
          callbackNumber: "+14035550123",
          callSid: CALL_SID,
          receivedAt: "2026-12-05T02:00:00.000-07:00",
        });
      });

      it("comes straight back after filing it", () => {
        expect(types(filing)).toEqual(["dispatch", "redirect"]);
      });

      it("reads the reference twice and says goodbye", () => {
        expect(phone.heard).toEqual([
          "Thank you. The on-call crew has been notified.",
          "Your reference number is 1 0 4, 2.",
          "Again, your reference number is 1 0 4, 2.",
          "Goodbye.",
        ]);
      });

      it("then hangs up", () => {
        expect(types(phone.actions).at(-1)).toBe("hangup");
      });

      it("ends as an urgent report", () => {
        expect(phone.call).toMatchObject({ ended: true, outcome: "urgent-report" });
      });
    });

    describe("when an anonymous caller says what and where, and keys in a number", () => {
      const phone = call(SATURDAY_2AM, { caller: "anonymous" });
      phone.say("The power is out on my street");
      const confirmCrew = phone.heard;
      phone.say("yes");
      phone.say("Scenic Drive South");
      phone.say("yeah that's right");
      const askedForNumber = phone.heard;
      phone.press("4035550199");
      phone.press("1");

      it("confirms the crew it heard, in a word", () => {
        expect(confirmCrew).toEqual(["A power outage or electrical problem, is that right? Say yes or press 1. If not, say no or press 2."]);
      });

      it("asks the caller to key in a number", () => {
        expect(askedForNumber).toEqual([
          "Please key in a phone number where the crew can reach you, starting with the area code, then press pound.",
        ]);
      });

      it("files the report with the number keyed in", () => {
        expect(only(phone.actions, "dispatch").report).toMatchObject({
          category: "power",
          location: "Scenic Drive South",
          locationConfirmed: true,
          callbackNumber: "+14035550199",
        });
      });
    });

    describe("when the caller says nothing at all", () => {
      const phone = call(SATURDAY_2AM);
      phone.silence();
      phone.silence();
      phone.silence();
      const lastChance = phone.heard;
      const lastChanceState = phone.call.state;
      phone.silence();
      phone.silence();

      it("gives one last chance in urgent-menu-again after three silences", () => {
        expect(lastChanceState).toBe("urgent-menu-again");
      });

      it("says it will try once more, then repeats the urgent choices", () => {
        expect(lastChance).toEqual(["Let's try once more.", ...URGENT_MENU]);
      });

      it("asks them to record the problem rather than hanging up", () => {
        expect(phone.heard).toEqual([
          "Let's record your report instead. After the tone, tell us what the problem is and where it is, then press pound or stay on the line.",
        ]);
        expect(types(phone.actions)).toEqual(["say", "record"]);
      });

      describe("and records it", () => {
        const recorded = call(SATURDAY_2AM);
        for (let silence = 0; silence < 5; silence++) recorded.silence();
        recorded.reply({ recordingUrl: "https://api.twilio.com/Recordings/RE7", recordingDuration: 14 });

        it("files it for a supervisor, with the recording and the caller's number", () => {
          expect(only(recorded.actions, "dispatch")).toMatchObject({
            hold: false,
            report: {
              category: "general",
              recordingUrl: "https://api.twilio.com/Recordings/RE7",
              pageSupervisor: true,
              callbackNumber: "+14035550123",
            },
          });
        });
      });

      describe("and records nothing either", () => {
        const silent = call(SATURDAY_2AM);
        for (let silence = 0; silence < 5; silence++) silent.silence();
        silent.reply({});

        it("says goodbye, having filed nothing", () => {
          expect(silent.heard).toEqual([GOODBYE]);
          expect(silent.actions.filter((action) => action.type === "dispatch")).toEqual([]);
        });

        it("took seven webhooks in all: it never loops", () => {
          expect(silent.call.step).toBe(7);
        });
      });
    });

    describe("when the caller has nothing urgent and wants to leave a voicemail", () => {
      const phone = call(SATURDAY_2AM);
      phone.press("0");
      const offered = phone.heard;
      phone.press("1");

      it("points to the website and offers a voicemail", () => {
        expect(offered).toEqual([
          "You can find City services and make requests online any time at lethbridge dot C A.",
          "To leave a voicemail for our customer service team, press 1. To hear the urgent choices again, press 2. Otherwise, you can hang up now.",
        ]);
      });

      it("goes to the voicemail state", () => {
        expect(phone.call.state).toBe("voicemail");
      });

      it("says how to leave it, then records", () => {
        expect(types(phone.actions)).toEqual(["say", "record"]);
      });
    });
  });
});
