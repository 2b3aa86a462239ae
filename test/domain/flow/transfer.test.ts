import { describe, expect, it } from "vitest";
import type { CallState } from "../../../src/domain/flow/call-state.js";
import { step } from "../../../src/domain/flow/engine.js";
import { environment, flowFrom, freshCall, heard } from "../../helpers/flow.js";

const flow = flowFrom(`
start: duty-officer
fallbackQueue: general
states:
  duty-officer:
    type: transfer
    number: "+14035550100"
    prompt: Connecting you to the duty officer.
    onFail: voicemail
  voicemail:
    type: record
    into: voicemail
    prompt: Nobody could answer. Leave a message after the tone.
    next: bye
  bye:
    type: hangup
`);

const env = environment();
const ringing: CallState = step(flow, freshCall(flow), {}, env).call;

describe("a transfer state", () => {
  describe("when entered", () => {
    const { actions, call } = step(flow, freshCall(flow), {}, env);

    it("says the prompt, then dials the number, letting it ring 30 seconds by default", () => {
      expect(actions).toEqual([
        { type: "say", text: "Connecting you to the duty officer." },
        { type: "dial", number: "+14035550100", timeout: 30 },
      ]);
    });

    it("waits for the dial's result", () => {
      expect(call).toMatchObject({ state: "duty-officer", entering: false });
    });
  });

  describe("when the call was answered and has finished (DialCallStatus completed)", () => {
    const { actions, call } = step(flow, ringing, { dialStatus: "completed" }, env);

    it("ends the call as transferred", () => {
      expect(call).toMatchObject({ ended: true, outcome: "transferred" });
    });

    it("only hangs up", () => {
      expect(actions).toEqual([{ type: "hangup" }]);
    });
  });

  describe("when nobody answered", () => {
    it("goes to onFail when the line is busy", () => {
      expect(heard(step(flow, ringing, { dialStatus: "busy" }, env).actions)).toEqual([
        "Nobody could answer. Leave a message after the tone.",
      ]);
    });

    it("goes to onFail when it rang out", () => {
      expect(step(flow, ringing, { dialStatus: "no-answer" }, env).call.state).toBe("voicemail");
    });

    it("goes to onFail when the dial failed", () => {
      expect(step(flow, ringing, { dialStatus: "failed" }, env).call.state).toBe("voicemail");
    });

    it("does not count the call as transferred", () => {
      expect(step(flow, ringing, { dialStatus: "busy" }, env).call.outcome).toBeUndefined();
    });
  });
});
