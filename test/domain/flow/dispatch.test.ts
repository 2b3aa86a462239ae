import { describe, expect, it } from "vitest";
import type { CallState } from "../../../src/domain/flow/call-state.js";
import { step } from "../../../src/domain/flow/engine.js";
import { UrgentReport } from "../../../src/domain/report.js";
import { at, CALL_SID, environment, flowFrom, freshCall, heard, only } from "../../helpers/flow.js";

const flow = flowFrom(`
start: file
fallbackQueue: general
states:
  file:
    type: dispatch
    next: reference
  reference:
    type: hangup
    text: Your reference number is {reference|digits}.
`);

const fixed = flowFrom(`
start: file
fallbackQueue: general
states:
  file:
    type: dispatch
    category: roads
    next: reference
  reference:
    type: hangup
`);

const winter = environment({ now: at("2026-12-05T02:00:00") });

function about(vars: Record<string, string>, which = flow): CallState {
  return { ...freshCall(which), vars };
}

describe("a dispatch state", () => {
  describe("with a place said and a callback number", () => {
    const call = about({ category: "water", location: "Stafford Drive", callbackNumber: "+14035550123" });
    const { actions, call: after } = step(flow, call, {}, winter);

    it("files one report, then answers and comes straight back", () => {
      expect(actions.map((action) => action.type)).toEqual(["dispatch", "redirect"]);
    });

    it("describes the report from the call's values", () => {
      expect(only(actions, "dispatch").report).toEqual({
        category: "water",
        location: "Stafford Drive",
        callbackNumber: "+14035550123",
        callSid: CALL_SID,
        receivedAt: "2026-12-05T02:00:00.000-07:00",
      });
    });

    it("gives a report the worker will accept once it has a reference", () => {
      expect(UrgentReport.safeParse({ ...only(actions, "dispatch").report, reference: "1042" }).success).toBe(true);
    });

    it("counts the call as an urgent report", () => {
      expect(after.outcome).toBe("urgent-report");
    });

    it("says nothing itself", () => {
      expect(heard(actions)).toEqual([]);
    });

    it("leaves the call about to enter next", () => {
      expect(after).toMatchObject({ state: "reference", entering: true, ended: false });
    });

    describe("on the next step, once the shell has the reference", () => {
      const withReference: CallState = { ...after, vars: { ...after.vars, reference: "1042" } };
      const next = step(flow, withReference, {}, winter);

      it("enters next, which can read the reference", () => {
        expect(heard(next.actions)).toEqual(["Your reference number is 1 0 4, 2."]);
      });

      it("keeps the urgent-report outcome to the end", () => {
        expect(next.call).toMatchObject({ ended: true, outcome: "urgent-report" });
      });
    });
  });

  describe("receivedAt", () => {
    it("is in Lethbridge time with the winter offset (-07:00)", () => {
      const { actions } = step(flow, about({}), {}, winter);
      expect(only(actions, "dispatch").report.receivedAt).toBe("2026-12-05T02:00:00.000-07:00");
    });

    it("is in Lethbridge time with the summer offset (-06:00)", () => {
      const { actions } = step(flow, about({}), {}, environment({ now: at("2026-07-11T23:15:00") }));
      expect(only(actions, "dispatch").report.receivedAt).toBe("2026-07-11T23:15:00.000-06:00");
    });

    it("is in Lethbridge time even when the moment is given in UTC", () => {
      const { actions } = step(flow, about({}), {}, environment({ now: at("2026-12-05T02:00:00").toUTC() }));
      expect(only(actions, "dispatch").report.receivedAt).toBe("2026-12-05T02:00:00.000-07:00");
    });
  });

  describe("when the place was recorded instead of said", () => {
    const recording = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1";
    const { report } = only(step(flow, about({ category: "power", locationRecording: recording }), {}, winter).actions, "dispatch");

    it("carries the recording's address", () => {
      expect(report.recordingUrl).toBe(recording);
    });

    it("says where to find the place", () => {
      expect(report.location).toBe("(recorded: listen to the recording)");
    });
  });

  describe("when the place was neither said nor recorded", () => {
    const { report } = only(step(flow, about({ category: "power" }), {}, winter).actions, "dispatch");

    it("says it was not given", () => {
      expect(report.location).toBe("(not given)");
    });

    it("has no recording address", () => {
      expect(report).not.toHaveProperty("recordingUrl");
    });
  });

  describe("when no callback number was kept", () => {
    it("gives the number the caller called from", () => {
      expect(only(step(flow, about({ category: "power" }), {}, winter).actions, "dispatch").report.callbackNumber).toBe("+14035550123");
    });

    it("has a null callback number when the caller's number was withheld too", () => {
      const anonymous = { ...about({ category: "power" }), caller: "anonymous" };
      expect(only(step(flow, anonymous, {}, winter).actions, "dispatch").report.callbackNumber).toBeNull();
    });
  });

  describe("category", () => {
    it("comes from the state when it names one, over the call's value", () => {
      expect(only(step(fixed, about({ category: "water" }, fixed), {}, winter).actions, "dispatch").report.category).toBe("roads");
    });

    it("comes from the category variable otherwise", () => {
      expect(only(step(flow, about({ category: "power" }), {}, winter).actions, "dispatch").report.category).toBe("power");
    });

    it("is general when neither says", () => {
      expect(only(step(flow, about({}), {}, winter).actions, "dispatch").report.category).toBe("general");
    });
  });
});
