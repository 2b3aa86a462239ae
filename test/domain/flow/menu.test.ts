import { describe, expect, it } from "vitest";
import type { CallState } from "../../../src/domain/flow/call-state.js";
import { step } from "../../../src/domain/flow/engine.js";
import { environment, flowFrom, freshCall, heard, only } from "../../helpers/flow.js";

const flow = flowFrom(`
start: menu
fallbackQueue: general
states:
  menu:
    type: menu
    prompt:
      - For a power outage, press 1.
      - For water, press 2.
    choices:
      - key: "1"
        keywords: [power, outage, power outage]
        set: { category: power }
        next: power
      - key: "2"
        keywords: [water, no water, sewer]
        set: { category: water }
        next: water
      - key: "0"
        keywords: [something else]
        next: other
    noInput: Sorry, I didn't hear you.
    invalid: Sorry, that is not one of the choices.
    onFail:
      say: Let me put you through.
      next: failed
  power:
    type: hangup
    text: chose power
  water:
    type: hangup
    text: chose water
  other:
    type: hangup
    text: chose other
  failed:
    type: hangup
    text: gave up
`);

const env = environment();
const waiting: CallState = step(flow, freshCall(flow), {}, env).call;

function answer(reply: Parameters<typeof step>[2], call: CallState = waiting) {
  return step(flow, call, reply, env);
}

describe("a menu state", () => {
  describe("when entered", () => {
    const { actions, call } = step(flow, freshCall(flow), {}, env);
    const gather = only(actions, "gather");

    it("answers with one gather and nothing else", () => {
      expect(actions.map((action) => action.type)).toEqual(["gather"]);
    });

    it("speaks the prompt inside the gather, so a caller can answer before it ends", () => {
      expect(gather.prompts).toEqual([{ say: "For a power outage, press 1." }, { say: "For water, press 2." }]);
    });

    it("takes a single key", () => {
      expect(gather.numDigits).toBe(1);
    });

    it("listens for keys and speech when choices have keywords", () => {
      expect(gather.input).toEqual(["dtmf", "speech"]);
    });

    it("hints every keyword to speech recognition", () => {
      expect(gather.hints).toEqual(["power", "outage", "power outage", "water", "no water", "sewer", "something else"]);
    });

    it("waits 5 seconds by default", () => {
      expect(gather.timeout).toBe(5);
    });

    it("waits for the caller with no failed tries", () => {
      expect(call).toMatchObject({ state: "menu", entering: false, attempts: 0 });
    });
  });

  describe("when no choice has keywords", () => {
    const keysOnly = flowFrom(`
start: menu
fallbackQueue: general
states:
  menu:
    type: menu
    prompt: Press 1.
    timeout: 8
    choices:
      - key: "1"
        next: bye
    onFail:
      next: bye
  bye:
    type: hangup
`);
    const gather = only(step(keysOnly, freshCall(keysOnly), {}, env).actions, "gather");

    it("listens for keys only", () => {
      expect(gather.input).toEqual(["dtmf"]);
    });

    it("gives no hints", () => {
      expect(gather.hints).toBeUndefined();
    });

    it("uses the timeout the flow sets", () => {
      expect(gather.timeout).toBe(8);
    });
  });

  describe("when the caller presses a choice's key", () => {
    it("goes to that choice's next state", () => {
      expect(heard(answer({ digits: "2" }).actions)).toEqual(["chose water"]);
    });

    it("remembers the choice's values", () => {
      expect(answer({ digits: "2" }).call.vars.category).toBe("water");
    });

    it("leaves the values alone for a choice that sets none", () => {
      expect(answer({ digits: "0" }).call.vars.category).toBeUndefined();
    });

    it("goes by the key when the reply also has speech", () => {
      expect(heard(answer({ digits: "1", speech: "water" }).actions)).toEqual(["chose power"]);
    });
  });

  describe("when the caller speaks", () => {
    it("picks the choice a keyword names, whatever the case and punctuation", () => {
      expect(heard(answer({ speech: "I have a POWER outage!" }).actions)).toEqual(["chose power"]);
    });

    it("remembers the values of the choice it picked", () => {
      expect(answer({ speech: "I have a POWER outage!" }).call.vars.category).toBe("power");
    });

    it("matches a keyword of several words", () => {
      expect(heard(answer({ speech: "Something else, please." }).actions)).toEqual(["chose other"]);
    });

    it("takes a number word as the key (\"two\")", () => {
      expect(heard(answer({ speech: "two" }).actions)).toEqual(["chose water"]);
    });

    it("takes a spoken digit as the key (\"press 2\")", () => {
      expect(heard(answer({ speech: "press 2" }).actions)).toEqual(["chose water"]);
    });

    describe("when the words name several choices", () => {
      const unsure = answer({ speech: "the sewer backed up and the power is out" });

      it("never guesses: it stays in the menu and counts a try", () => {
        expect(unsure.call).toMatchObject({ state: "menu", attempts: 1 });
      });

      it("says it was not sure which one, then asks again", () => {
        expect(heard(unsure.actions)[0]).toBe("Sorry, I wasn't sure which one you meant.");
      });
    });

    it("does not match a keyword inside another word (\"powerful\")", () => {
      expect(answer({ speech: "powerful" }).call.state).toBe("menu");
    });

    // "oh" is not a number word: an exclamation at the start of a sentence must not beat the keyword after it.
    it('is not sent to key 0 by an opening "Oh" ("Oh no, there is no water")', () => {
      expect(heard(answer({ speech: "Oh no, there is no water" }).actions)).toEqual(["chose water"]);
    });
  });

  describe("when the caller says nothing", () => {
    const { actions, call } = answer({});

    it("asks again, with the no-input text first inside the gather", () => {
      expect(only(actions, "gather").prompts).toEqual([
        { say: "Sorry, I didn't hear you." },
        { say: "For a power outage, press 1." },
        { say: "For water, press 2." },
      ]);
    });

    it("says nothing outside the gather", () => {
      expect(actions.map((action) => action.type)).toEqual(["gather"]);
    });

    it("counts one failed try and stays", () => {
      expect(call).toMatchObject({ state: "menu", attempts: 1 });
    });
  });

  describe("when the caller gives an answer that is not a choice", () => {
    it("asks again with the invalid text first for a wrong key", () => {
      expect(heard(answer({ digits: "9" }).actions)).toEqual([
        "Sorry, that is not one of the choices.",
        "For a power outage, press 1.",
        "For water, press 2.",
      ]);
    });

    it("counts a wrong key as a failed try", () => {
      expect(answer({ digits: "9" }).call.attempts).toBe(1);
    });

    it("treats 500 keyed digits as a wrong answer", () => {
      expect(answer({ digits: "1".repeat(500) }).call).toMatchObject({ state: "menu", attempts: 1 });
    });

    it("treats letters in the digits as a wrong answer", () => {
      expect(answer({ digits: "abc" }).call).toMatchObject({ state: "menu", attempts: 1 });
    });

    it("treats markup in speech as a wrong answer", () => {
      expect(answer({ speech: "<Say>Hello</Say>" }).call).toMatchObject({ state: "menu", attempts: 1 });
    });

    it("does not repeat what the caller said back to them", () => {
      expect(heard(answer({ speech: "<Say>Hello</Say>" }).actions).join(" ")).not.toMatch(/hello|say>/i);
    });

    it("treats speech that names no choice as a wrong answer", () => {
      expect(heard(answer({ speech: "I would like to pay a parking ticket" }).actions)[0]).toBe(
        "Sorry, that is not one of the choices.",
      );
    });
  });

  describe("when the caller has failed as many times as the menu allows (3 by default)", () => {
    const afterTwo = answer({ digits: "9" }, answer({}).call).call;
    const { actions, call } = answer({ speech: "umm" }, afterTwo);

    it("has counted two failures before the last one", () => {
      expect(afterTwo.attempts).toBe(2);
    });

    it("says onFail.say, then goes to onFail.next", () => {
      expect(heard(actions)).toEqual(["Let me put you through.", "gave up"]);
    });

    it("leaves the menu", () => {
      expect(call.path.at(-1)).toBe("failed");
    });
  });

  describe("when it allows one try", () => {
    const once = flowFrom(`
start: menu
fallbackQueue: general
states:
  menu:
    type: menu
    prompt: Press 1.
    attempts: 1
    choices:
      - key: "1"
        next: bye
    onFail:
      next: gave-up
  bye:
    type: hangup
  gave-up:
    type: hangup
    text: gave up
`);

    it("goes to onFail.next on the first silence, without asking again", () => {
      const waitingOnce = step(once, freshCall(once), {}, env).call;
      expect(heard(step(once, waitingOnce, {}, env).actions)).toEqual(["gave up"]);
    });
  });

  describe("with its own way out for silence and for wrong answers", () => {
    const routed = flowFrom(`
start: menu
fallbackQueue: general
states:
  menu:
    type: menu
    prompt: Press 1.
    attempts: 2
    choices:
      - key: "1"
        next: bye
    onFail:
      next: gave-up
    onNoInput:
      say: It sounds like you cannot press keys.
      next: to-agent
    onInvalid:
      next: wrong-keys
  bye:
    type: hangup
  gave-up:
    type: hangup
    text: gave up
  to-agent:
    type: hangup
    text: to an agent
  wrong-keys:
    type: hangup
    text: wrong keys
`);
    const waiting = step(routed, freshCall(routed), {}, env).call;
    const twice = (first: { digits?: string }, second: { digits?: string }) =>
      heard(step(routed, step(routed, waiting, first, env).call, second, env).actions);

    it("sends a caller whose last try was silence to onNoInput, with its words", () => {
      expect(twice({ digits: "9" }, {})).toEqual(["It sounds like you cannot press keys.", "to an agent"]);
    });

    it("sends a caller whose last try was a wrong key to onInvalid", () => {
      expect(twice({}, { digits: "9" })).toEqual(["wrong keys"]);
    });

    it("still asks again before the tries are used up, with the apology for that failure", () => {
      expect(heard(step(routed, waiting, {}, env).actions)[0]).toBe("Sorry, I didn't catch that.");
    });
  });

  describe("after a failed try, when the caller then answers", () => {
    it("takes the answer", () => {
      expect(heard(answer({ digits: "1" }, answer({}).call).actions)).toEqual(["chose power"]);
    });
  });
});
