/**
 * How the engine files a report before the call is over: from the moment the City's flow hears
 * the place, every step carries the report as it stands, held, until the dispatch state sends it
 * or the call ends. The shell turns these actions into one BullMQ job (see test/http/hang-up.test.ts).
 */
import { describe, expect, it } from "vitest";
import type { Action } from "../../../src/domain/flow/actions.js";
import { at, cityHours, environment, flowFrom, mainFlow, ring } from "../../helpers/flow.js";

const SATURDAY_2AM = environment({ now: at("2026-12-05T02:00:00"), hours: cityHours() });
const dispatches = (actions: readonly Action[]) => actions.filter((action) => action.type === "dispatch");

function atTheTroubleLine() {
  const phone = ring(mainFlow(), SATURDAY_2AM);
  phone.press("2");
  return phone;
}

describe("the City's trouble line", () => {
  describe("before the caller names a place", () => {
    it("files nothing", () => {
      const phone = atTheTroubleLine();
      expect(dispatches(phone.actions)).toEqual([]);
      expect(phone.call.heldReport).toBeUndefined();
    });
  });

  describe("when the caller names the place", () => {
    const phone = atTheTroubleLine();
    phone.say("5th Avenue South and 13th Street South");

    it("files the report at once, held, with the place as heard and not yet confirmed", () => {
      expect(dispatches(phone.actions)).toEqual([
        expect.objectContaining({ hold: true, report: expect.objectContaining({ category: "water", location: "5th Avenue South and 13th Street South" }) }),
      ]);
      expect(dispatches(phone.actions)[0]).not.toHaveProperty("report.locationConfirmed");
    });

    it("counts the call as an urgent report from now on", () => {
      expect(phone.call.outcome).toBe("urgent-report");
    });

    describe("then confirms it", () => {
      const confirming = atTheTroubleLine();
      confirming.say("5th Avenue South and 13th Street South");
      confirming.press("1");

      it("files it again, still held, now confirmed", () => {
        expect(dispatches(confirming.actions)).toEqual([
          expect.objectContaining({ hold: true, report: expect.objectContaining({ locationConfirmed: true }) }),
        ]);
      });
    });

    describe("then says no, it was wrong", () => {
      const refusing = atTheTroubleLine();
      refusing.say("5th Avenue South and 13th Street South");
      refusing.say("no");

      it("keeps the refused words only as heard, never as the confirmed place", () => {
        const [held] = dispatches(refusing.actions);
        expect(held).toMatchObject({ hold: true, report: { location: "5th Avenue South and 13th Street South", locationUnsure: true } });
        expect(held).not.toHaveProperty("report.locationConfirmed");
        expect(refusing.call.vars).toMatchObject({ location: "", locationHeard: "5th Avenue South and 13th Street South" });
      });
    });
  });

  describe("when speech was unsure and the caller hangs up before saying it again", () => {
    const phone = atTheTroubleLine();
    phone.say("fifth and thirteen something", 0.31);

    it("files what was heard, marked unsure, never as the place", () => {
      expect(dispatches(phone.actions)).toEqual([
        expect.objectContaining({ hold: true, report: expect.objectContaining({ location: "fifth and thirteen something", locationUnsure: true }) }),
      ]);
    });
  });

  describe("when speech was unsure twice and the caller records the place", () => {
    const phone = atTheTroubleLine();
    phone.say("fifth and thirteen something", 0.31);
    phone.say("fifth and the other one", 0.28);
    phone.reply({ recordingUrl: "https://api.twilio.com/Recordings/RE9", recordingDuration: 6 });

    it("files the recording with the last unsure transcript beside it", () => {
      expect(dispatches(phone.actions)).toEqual([
        expect.objectContaining({
          hold: true,
          report: expect.objectContaining({ recordingUrl: "https://api.twilio.com/Recordings/RE9", location: "fifth and the other one" }),
        }),
      ]);
    });
  });

  describe("when the caller names a place that is no street", () => {
    const phone = atTheTroubleLine();
    phone.say("in front of my house");
    const followUp = phone.heard;
    phone.say("Whoop-Up Drive");

    it("asks once which street, having filed what it heard", () => {
      expect(followUp).toEqual(["What street is that on, or the nearest intersection?"]);
    });

    it("reads back the street they gave", () => {
      expect(phone.heard[0]).toBe("I heard Whoop-Up Drive. If that's right, press 1 or say yes. To say it again, press 2 or say no.");
    });
  });

  describe("when the caller says the same vague place twice", () => {
    const phone = atTheTroubleLine();
    phone.say("my house");
    phone.say("My house.");

    it("reads it back once, not twice", () => {
      expect(phone.heard[0]).toBe("I heard My house. If that's right, press 1 or say yes. To say it again, press 2 or say no.");
    });
  });

  describe("when the caller is silent at the follow-up", () => {
    const phone = atTheTroubleLine();
    phone.say("the corner");
    phone.silence();

    it("takes what they said first, rather than losing it", () => {
      expect(phone.heard[0]).toBe("I heard the corner. If that's right, press 1 or say yes. To say it again, press 2 or say no.");
    });
  });
});

describe("a flow whose call ends before its dispatch state", () => {
  const flow = flowFrom(`
start: where
fallbackQueue: general
states:
  where:
    type: collect
    into: location
    input: speech
    prompt: Where?
    fileReport: send
    onFail: { next: bye }
    next: bye
  bye:
    type: hangup
    text: Goodbye.
  send:
    type: dispatch
    category: roads
    next: bye
`);
  const phone = ring(flow, environment());
  phone.say("Stafford Drive");

  it("sends the held report as it is when the call ends", () => {
    expect(dispatches(phone.actions)).toEqual([expect.objectContaining({ hold: false, report: expect.objectContaining({ location: "Stafford Drive" }) })]);
    expect(phone.call.heldReport).toBeUndefined();
  });
});

describe("a fileReport that names no dispatch state", () => {
  it("is refused by the flow checks, with a suggestion", async () => {
    const { parseFlow } = await import("../../../src/domain/flow/parse.js");
    const yaml = `
start: where
fallbackQueue: general
states:
  where: { type: collect, into: location, input: speech, prompt: Where?, fileReport: sendd, onFail: { next: send }, next: send }
  send: { type: dispatch, next: bye }
  bye: { type: hangup, text: Bye. }
`;
    expect(() => parseFlow("bad", yaml, "bad.yaml")).toThrow(/fileReport: "sendd" is not a dispatch state \(did you mean "send"\?\)/);
  });
});
