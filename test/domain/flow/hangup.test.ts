import { describe, expect, it } from "vitest";
import type { CallState } from "../../../src/domain/flow/call-state.js";
import { step } from "../../../src/domain/flow/engine.js";
import { environment, flowFrom, freshCall } from "../../helpers/flow.js";

const flow = flowFrom(`
start: bye
fallbackQueue: general
states:
  bye:
    type: hangup
    text:
      - Thank you.
      - Your reference number is {reference|digits}.
`);

describe("a hangup state", () => {
  describe("entered by a call that has no outcome yet", () => {
    const { actions, call } = step(flow, freshCall(flow), {}, environment());

    it("says its goodbye, then hangs up", () => {
      expect(actions).toEqual([
        { type: "say", text: "Thank you." },
        { type: "say", text: "Your reference number is ." },
        { type: "hangup" },
      ]);
    });

    it("ends the call", () => {
      expect(call.ended).toBe(true);
    });

    it("counts the call as answered by the line itself", () => {
      expect(call.outcome).toBe("answered-by-ivr");
    });
  });

  describe("entered by a call that already has an outcome", () => {
    const reported: CallState = { ...freshCall(flow), outcome: "urgent-report", vars: { reference: "1042" } };
    const { actions, call } = step(flow, reported, {}, environment());

    it("keeps that outcome", () => {
      expect(call.outcome).toBe("urgent-report");
    });

    it("reads values digit by digit where the text asks for it", () => {
      expect(actions[1]).toEqual({ type: "say", text: "Your reference number is 1 0 4, 2." });
    });
  });

  describe("without a goodbye", () => {
    const silent = flowFrom(`
start: bye
fallbackQueue: general
states:
  bye:
    type: hangup
`);

    it("only hangs up", () => {
      expect(step(silent, freshCall(silent), {}, environment()).actions).toEqual([{ type: "hangup" }]);
    });
  });
});
