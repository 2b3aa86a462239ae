import { describe, expect, it } from "vitest";
import type { CallState } from "../../../src/domain/flow/call-state.js";
import { step } from "../../../src/domain/flow/engine.js";
import { environment, flowFrom, freshCall, heard, only } from "../../helpers/flow.js";

const flow = flowFrom(`
start: voicemail
fallbackQueue: general
states:
  voicemail:
    type: record
    into: voicemail
    outcome: voicemail
    prompt: After the tone, please leave a message.
    maxLength: 120
    next: thanks
    onEmpty: nothing
  thanks:
    type: hangup
    text: Thank you.
  nothing:
    type: hangup
    text: Goodbye.
`);

const env = environment();
const RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1";

describe("a record state", () => {
  describe("when entered", () => {
    const { actions, call } = step(flow, freshCall(flow), {}, env);

    it("says the prompt, then records", () => {
      expect(actions.map((action) => action.type)).toEqual(["say", "record"]);
    });

    it("says the prompt as written", () => {
      expect(heard(actions)).toEqual(["After the tone, please leave a message."]);
    });

    it("records for at most maxLength seconds, ends on 5 seconds of silence or pound, after a beep", () => {
      expect(only(actions, "record")).toEqual({ type: "record", maxLength: 120, timeout: 5, finishOnKey: "#", playBeep: true });
    });

    it("waits for the recording", () => {
      expect(call).toMatchObject({ state: "voicemail", entering: false });
    });
  });

  describe("when a recording comes back", () => {
    const waiting: CallState = step(flow, freshCall(flow), {}, env).call;
    const { actions, call } = step(flow, waiting, { recordingUrl: RECORDING, recordingDuration: 14 }, env);

    it("keeps the recording's address in the variable", () => {
      expect(call.vars.voicemail).toBe(RECORDING);
    });

    it("marks the call as a voicemail", () => {
      expect(call.outcome).toBe("voicemail");
    });

    it("goes to next", () => {
      expect(heard(actions)).toEqual(["Thank you."]);
    });

    it("keeps the outcome through the hangup that follows", () => {
      expect(call).toMatchObject({ ended: true, outcome: "voicemail" });
    });
  });

  describe("when a recording comes back without its duration", () => {
    it("keeps it", () => {
      const waiting = step(flow, freshCall(flow), {}, env).call;
      expect(step(flow, waiting, { recordingUrl: RECORDING }, env).call.vars.voicemail).toBe(RECORDING);
    });
  });

  describe("when nothing was recorded", () => {
    const waiting: CallState = step(flow, freshCall(flow), {}, env).call;

    it("goes to onEmpty when the recording lasts 0 seconds", () => {
      expect(heard(step(flow, waiting, { recordingUrl: RECORDING, recordingDuration: 0 }, env).actions)).toEqual(["Goodbye."]);
    });

    it("goes to onEmpty when there is no recording address", () => {
      expect(heard(step(flow, waiting, { recordingDuration: 12 }, env).actions)).toEqual(["Goodbye."]);
    });

    it("keeps no address", () => {
      expect(step(flow, waiting, { recordingUrl: RECORDING, recordingDuration: 0 }, env).call.vars.voicemail).toBeUndefined();
    });

    it("does not count the call as a voicemail", () => {
      expect(step(flow, waiting, {}, env).call.outcome).toBe("answered-by-ivr");
    });
  });

  describe("without onEmpty or outcome", () => {
    const plain = flowFrom(`
start: where
fallbackQueue: general
states:
  where:
    type: record
    into: locationRecording
    prompt: Say where the problem is.
    next: done
  done:
    type: hangup
    text: done
`);
    const waiting = step(plain, freshCall(plain), {}, env).call;

    it("goes to next even when nothing was recorded", () => {
      expect(heard(step(plain, waiting, {}, env).actions)).toEqual(["done"]);
    });

    it("leaves the call's outcome alone", () => {
      expect(step(plain, waiting, { recordingUrl: RECORDING }, env).call.outcome).toBe("answered-by-ivr");
    });
  });
});
