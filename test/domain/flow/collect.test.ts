import { describe, expect, it } from "vitest";
import type { CallerReply, CallState } from "../../../src/domain/flow/call-state.js";
import { step } from "../../../src/domain/flow/engine.js";
import type { Flow } from "../../../src/domain/flow/schema.js";
import { at, cityHours, environment, flowFrom, freshCall, heard, mainFlow, only, ring } from "../../helpers/flow.js";

const env = environment();

function waitingIn(flow: Flow, caller?: string): CallState {
  return step(flow, freshCall(flow, caller === undefined ? {} : { caller }), {}, env).call;
}

function answer(flow: Flow, call: CallState, reply: CallerReply) {
  return step(flow, call, reply, env);
}

describe("a collect state listening for speech", () => {
  const flow = flowFrom(`
start: where
fallbackQueue: general
states:
  where:
    type: collect
    into: location
    input: speech
    prompt: Where is the problem?
    hints: [Stafford Drive, Scenic Drive]
    maxLength: 20
    minConfidence: 0.5
    noInput: Sorry, I didn't hear that.
    invalid: Sorry, I couldn't understand that.
    onFail:
      say: Let's record it instead.
      next: record-it
    next: done
  record-it:
    type: hangup
    text: recording
  done:
    type: hangup
    text: got {location}
`);
  const waiting = waitingIn(flow);

  describe("when entered", () => {
    const gather = only(step(flow, freshCall(flow), {}, env).actions, "gather");

    it("listens for speech only", () => {
      expect(gather.input).toEqual(["speech"]);
    });

    it("speaks the prompt inside the gather", () => {
      expect(gather.prompts).toEqual([{ say: "Where is the problem?" }]);
    });

    it("passes the hints to speech recognition", () => {
      expect(gather.hints).toEqual(["Stafford Drive", "Scenic Drive"]);
    });

    it("waits 6 seconds by default", () => {
      expect(gather.timeout).toBe(6);
    });

    it("has no key to finish the answer", () => {
      expect(gather.finishOnKey).toBeUndefined();
    });
  });

  describe("when the caller says something", () => {
    it("keeps the words in the variable", () => {
      expect(answer(flow, waiting, { speech: "Stafford Drive", confidence: 0.9 }).call.vars.location).toBe("Stafford Drive");
    });

    it("moves on to next", () => {
      expect(answer(flow, waiting, { speech: "Stafford Drive", confidence: 0.9 }).call.path.at(-1)).toBe("done");
    });

    it("trims the spaces around the words", () => {
      expect(answer(flow, waiting, { speech: "   Stafford Drive   " }).call.vars.location).toBe("Stafford Drive");
    });

    it("cuts the answer at maxLength characters", () => {
      expect(answer(flow, waiting, { speech: "1234 Mayor Magrath Drive South" }).call.vars.location).toBe("1234 Mayor Magrath D");
    });

    it("can read the answer back in the next state", () => {
      expect(heard(answer(flow, waiting, { speech: "Scenic Drive" }).actions)).toEqual(["got Scenic Drive"]);
    });

    it("takes speech heard with exactly the minimum confidence", () => {
      expect(answer(flow, waiting, { speech: "Scenic Drive", confidence: 0.5 }).call.vars.location).toBe("Scenic Drive");
    });

    it("takes speech that comes without a confidence", () => {
      expect(answer(flow, waiting, { speech: "Scenic Drive" }).call.vars.location).toBe("Scenic Drive");
    });
  });

  describe("when the speech was heard with less confidence than minConfidence", () => {
    const { actions, call } = answer(flow, waiting, { speech: "Scenic Drive", confidence: 0.3 });

    it("does not keep it", () => {
      expect(call.vars.location).toBeUndefined();
    });

    it("counts it as a failed try", () => {
      expect(call).toMatchObject({ state: "where", attempts: 1 });
    });

    it("asks again, saying it is not sure it heard right", () => {
      expect(heard(actions)).toEqual(["Sorry, I'm not sure I heard that right.", "Where is the problem?"]);
    });
  });

  describe("when the caller says nothing", () => {
    it("asks again with the no-input text first", () => {
      expect(heard(answer(flow, waiting, {}).actions)).toEqual(["Sorry, I didn't hear that.", "Where is the problem?"]);
    });

    it("treats speech of only spaces as saying nothing", () => {
      expect(heard(answer(flow, waiting, { speech: "   " }).actions)[0]).toBe("Sorry, I didn't hear that.");
    });

    it("counts a failed try", () => {
      expect(answer(flow, waiting, {}).call.attempts).toBe(1);
    });
  });

  describe("when the caller says nothing twice (attempts is 2 by default)", () => {
    const { actions, call } = answer(flow, answer(flow, waiting, {}).call, {});

    it("says onFail.say and goes to onFail.next", () => {
      expect(heard(actions)).toEqual(["Let's record it instead.", "recording"]);
    });

    it("keeps nothing", () => {
      expect(call.vars.location).toBeUndefined();
    });
  });

  describe("in the City's flow, when a caller cannot be understood twice", () => {
    const phone = ring(mainFlow(), environment({ now: at("2026-12-05T02:00:00"), hours: cityHours() }));
    phone.press("1");
    phone.silence();
    phone.silence();

    it("records the place instead (urgent-location goes to urgent-location-recording)", () => {
      expect(phone.call.state).toBe("urgent-location-recording");
    });

    it("tells the caller before the tone", () => {
      expect(phone.heard).toEqual([
        "Let's record it instead, so the crew hears it in your own words.",
        "After the tone, say where the problem is, then press pound.",
      ]);
    });
  });
});

describe("a collect state listening for speech, with a read-back", () => {
  const flow = flowFrom(`
start: where
fallbackQueue: general
states:
  where:
    type: collect
    into: location
    input: speech
    prompt: Where is the problem?
    confirm: I heard {location}. Press 1 if that's right, or 2 to say it again.
    onFail:
      next: done
    next: done
  done:
    type: hangup
    text: got {location}
`);
  const heardOnce = answer(flow, waitingIn(flow), { speech: "Whoop-Up Drive" });

  it("reads the words back", () => {
    expect(heard(heardOnce.actions)).toEqual(["I heard Whoop-Up Drive. Press 1 if that's right, or 2 to say it again."]);
  });

  it("takes one key at once, or a spoken yes or no", () => {
    expect(only(heardOnce.actions, "gather")).toMatchObject({ input: ["dtmf", "speech"], numDigits: 1 });
    expect(only(heardOnce.actions, "gather").finishOnKey).toBeUndefined();
  });

  it("moves on with the words when the caller presses 1", () => {
    expect(heard(answer(flow, heardOnce.call, { digits: "1" }).actions)).toEqual(["got Whoop-Up Drive"]);
  });

  it.each(["yes", "Yeah, that's right.", "correct", "yep"])('moves on when the caller says "%s"', (speech) => {
    expect(heard(answer(flow, heardOnce.call, { speech }).actions)).toEqual(["got Whoop-Up Drive"]);
  });

  it("marks the place as confirmed", () => {
    expect(answer(flow, heardOnce.call, { digits: "1" }).call.vars.locationConfirmed).toBe("yes");
  });

  it.each(["no", "nope, wrong street", "that's not right"])('asks again when the caller says "%s"', (speech) => {
    expect(heard(answer(flow, heardOnce.call, { speech }).actions)).toEqual(["Where is the problem?"]);
  });

  describe("when the caller presses 2", () => {
    const again = answer(flow, heardOnce.call, { digits: "2" });

    it("asks for the place again", () => {
      expect(heard(again.actions)).toEqual(["Where is the problem?"]);
    });

    it("listens for a new answer rather than a confirmation", () => {
      expect(again.call.confirming).toBe(false);
    });
  });
});

describe("a collect state for keyed digits", () => {
  const flow = flowFrom(`
start: account
fallbackQueue: general
states:
  account:
    type: collect
    into: account
    input: digits
    prompt: Key in your account number, then press pound.
    onFail:
      next: done
    next: done
  done:
    type: hangup
    text: account {account}
`);
  const waiting = waitingIn(flow);

  it("listens for keys, finished with pound", () => {
    const gather = only(step(flow, freshCall(flow), {}, env).actions, "gather");
    expect(gather).toMatchObject({ input: ["dtmf"], finishOnKey: "#" });
  });

  it("keeps the digits and moves on without a read-back when there is no confirm", () => {
    expect(heard(answer(flow, waiting, { digits: "80412" }).actions)).toEqual(["account 80412"]);
  });

  it("refuses anything that is not digits", () => {
    expect(answer(flow, waiting, { digits: "80*12" }).call).toMatchObject({ state: "account", attempts: 1 });
  });
});

describe("a collect state with its own way out for silence and for answers it cannot use", () => {
  const flow = flowFrom(`
start: account
fallbackQueue: general
states:
  account:
    type: collect
    into: account
    input: digits
    prompt: Key in your account number, then press pound.
    attempts: 1
    onFail:
      next: failed
    onNoInput:
      next: silent
    onInvalid:
      next: unusable
    next: failed
  failed:
    type: hangup
    text: failed
  silent:
    type: hangup
    text: silent
  unusable:
    type: hangup
    text: unusable
`);
  const waiting = waitingIn(flow);

  it("sends a caller who keyed nothing to onNoInput", () => {
    expect(heard(answer(flow, waiting, {}).actions)).toEqual(["silent"]);
  });

  it("sends a caller who keyed something it cannot use to onInvalid", () => {
    expect(heard(answer(flow, waiting, { digits: "80*12" }).actions)).toEqual(["unusable"]);
  });
});

describe("a collect state for a phone number, prefilled from the caller and confirmed", () => {
  const flow = flowFrom(`
start: callback
fallbackQueue: general
states:
  callback:
    type: collect
    into: callbackNumber
    input: digits
    format: phone
    prefill: caller
    prompt: Please key in a phone number where we can reach you, then press pound.
    confirm: We can call you back at {callbackNumber|digits}. If that's right, press 1 or say yes. For another number, press 2 or say no.
    invalid: Sorry, that doesn't look like a phone number.
    attempts: 3
    onFail:
      next: done
    next: done
  done:
    type: hangup
    text: calling back {callbackNumber}
`);
  const confirmText = (digits: string) =>
    `We can call you back at ${digits}. If that's right, press 1 or say yes. For another number, press 2 or say no.`;
  const ASK_NUMBER = "Please key in a phone number where we can reach you, then press pound.";

  describe("when the caller's number is known (+14035550123)", () => {
    const entered = step(flow, freshCall(flow, { caller: "+14035550123" }), {}, env);

    it("asks the caller to confirm it, read digit by digit in groups", () => {
      expect(heard(entered.actions)).toEqual([confirmText("4 0 3, 5 5 5, 0 1 2 3")]);
    });

    it("takes a single key at once (no pound to wait for), or a spoken yes or no, for at most 5 seconds", () => {
      const gather = only(entered.actions, "gather");
      expect(gather).toMatchObject({ input: ["dtmf", "speech"], numDigits: 1, timeout: 5 });
      expect(gather.finishOnKey).toBeUndefined();
    });

    it("holds the number in E.164 while the caller decides", () => {
      expect(entered.call).toMatchObject({ confirming: true, vars: { callbackNumber: "+14035550123" } });
    });

    describe("and the caller presses 1", () => {
      const confirmed = answer(flow, entered.call, { digits: "1" });

      it("moves on with the number", () => {
        expect(heard(confirmed.actions)).toEqual(["calling back +14035550123"]);
      });
    });

    describe('and the caller says "yes"', () => {
      it("moves on with the number", () => {
        expect(heard(answer(flow, entered.call, { speech: "yes" }).actions)).toEqual(["calling back +14035550123"]);
      });
    });

    describe("and the caller presses 2 for another number, then keys in 4035559876", () => {
      const asked = answer(flow, entered.call, { digits: "2" });
      const replaced = answer(flow, asked.call, { digits: "4035559876" });

      it("asks for the other number in its own prompt, finished with pound", () => {
        expect(heard(asked.actions)).toEqual([ASK_NUMBER]);
        expect(only(asked.actions, "gather")).toMatchObject({ input: ["dtmf"], finishOnKey: "#" });
      });

      it("counts no failed try: the caller has not given a number yet", () => {
        expect(asked.call.attempts).toBe(0);
      });

      it('asks the same when the caller says "no"', () => {
        expect(heard(answer(flow, entered.call, { speech: "no" }).actions)).toEqual([ASK_NUMBER]);
      });

      it("reads the new number back", () => {
        expect(heard(replaced.actions)).toEqual([confirmText("4 0 3, 5 5 5, 9 8 7 6")]);
      });

      it("keeps the new number in E.164", () => {
        expect(replaced.call.vars.callbackNumber).toBe("+14035559876");
      });

      it("still waits for a confirmation", () => {
        expect(replaced.call).toMatchObject({ state: "callback", confirming: true });
      });

      it("moves on with the new number once the caller presses 1", () => {
        expect(heard(answer(flow, replaced.call, { digits: "1" }).actions)).toEqual(["calling back +14035559876"]);
      });
    });

    describe("and the caller presses a key that is neither 1 nor 2 (5)", () => {
      const refused = answer(flow, entered.call, { digits: "5" });

      it("says so with the invalid text, then reads back the number it has", () => {
        expect(heard(refused.actions)).toEqual([
          "Sorry, that doesn't look like a phone number.",
          confirmText("4 0 3, 5 5 5, 0 1 2 3"),
        ]);
      });

      it("keeps the number it had", () => {
        expect(refused.call.vars.callbackNumber).toBe("+14035550123");
      });

      it("counts a failed try and keeps waiting for a confirmation", () => {
        expect(refused.call).toMatchObject({ attempts: 1, confirming: true });
      });
    });

    describe("and the caller says nothing", () => {
      it("asks again with the no-input text first", () => {
        expect(heard(answer(flow, entered.call, {}).actions)).toEqual(["Sorry, I didn't catch that.", confirmText("4 0 3, 5 5 5, 0 1 2 3")]);
      });
    });

    describe("and the caller fails three times", () => {
      const third = [{}, { digits: "9" }, {}].reduce<CallState>((call, reply) => answer(flow, call, reply).call, entered.call);

      it("goes to onFail.next", () => {
        expect(third.path.at(-1)).toBe("done");
      });

      it("keeps the number it had, rather than losing it", () => {
        expect(third.vars.callbackNumber).toBe("+14035550123");
      });
    });
  });

  describe("when the caller's number is from abroad (+442079460000)", () => {
    it("keeps it as it came, in E.164", () => {
      expect(step(flow, freshCall(flow, { caller: "+442079460000" }), {}, env).call.vars.callbackNumber).toBe("+442079460000");
    });
  });

  describe('when the caller is anonymous (From "anonymous")', () => {
    const entered = step(flow, freshCall(flow, { caller: "anonymous" }), {}, env);

    it("asks the caller to key a number in", () => {
      expect(heard(entered.actions)).toEqual(["Please key in a phone number where we can reach you, then press pound."]);
    });

    it("is not waiting for a confirmation", () => {
      expect(entered.call.confirming).toBe(false);
    });

    it("holds no number", () => {
      expect(entered.call.vars.callbackNumber).toBeUndefined();
    });

    it("reads a keyed number back for confirmation", () => {
      expect(heard(answer(flow, entered.call, { digits: "4035550199" }).actions)).toEqual([confirmText("4 0 3, 5 5 5, 0 1 9 9")]);
    });

    it("accepts a keyed number with the leading 1", () => {
      expect(answer(flow, entered.call, { digits: "14035550199" }).call.vars.callbackNumber).toBe("+14035550199");
    });

    it("refuses a number that cannot be one, with the invalid text", () => {
      expect(heard(answer(flow, entered.call, { digits: "555" }).actions)[0]).toBe("Sorry, that doesn't look like a phone number.");
    });
  });

  describe('when the caller is anonymous as Twilio sometimes sends it (From "+266696687")', () => {
    // Twilio's placeholder for a withheld number looks like a real number in Lesotho; nobody answers it.
    it("asks the caller to key a number in", () => {
      const entered = step(flow, freshCall(flow, { caller: "+266696687" }), {}, env);
      expect(heard(entered.actions)).toEqual(["Please key in a phone number where we can reach you, then press pound."]);
    });
  });
});
