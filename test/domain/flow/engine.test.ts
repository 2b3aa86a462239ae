import { describe, expect, it } from "vitest";
import type { CallState } from "../../../src/domain/flow/call-state.js";
import { FlowLoopError, newCall, step, UnknownStateError } from "../../../src/domain/flow/engine.js";
import type { Flow } from "../../../src/domain/flow/schema.js";
import {
  at,
  CALL_SID,
  CALLER,
  cityHours,
  deepFreeze,
  environment,
  flowFrom,
  freshCall,
  mainFlow,
  WEEKDAY_MORNING,
} from "../../helpers/flow.js";

const twoStates = flowFrom(`
start: greeting
fallbackQueue: general
states:
  greeting:
    type: say
    text: Hello.
    next: menu
  menu:
    type: menu
    prompt: Press 1 to leave.
    choices:
      - key: "1"
        next: bye
    onFail:
      next: bye
  bye:
    type: hangup
    text: Goodbye.
`);

describe("newCall", () => {
  const now = at(WEEKDAY_MORNING);
  const call = newCall(twoStates, { callSid: CALL_SID, caller: CALLER, now });

  it("starts at the flow's start state, not yet entered", () => {
    expect(call).toMatchObject({ flow: "test", state: "greeting", entering: true });
  });

  it("has had no steps, no tries, no values and no path", () => {
    expect(call).toMatchObject({ step: 0, attempts: 0, confirming: false, vars: {}, path: [], ended: false });
  });

  it("remembers who called and when, in ISO form with the offset of the time given", () => {
    expect(call).toMatchObject({ callSid: CALL_SID, caller: CALLER, startedAt: "2026-12-02T10:00:00.000-07:00" });
  });

  it("has no outcome yet", () => {
    expect(call.outcome).toBeUndefined();
  });
});

describe("step", () => {
  describe("purity", () => {
    const flow = mainFlow();
    const env = environment({ now: at("2026-12-05T02:00:00"), hours: cityHours() });

    it("gives deep-equal results for the same flow, call, reply and environment", () => {
      const call = freshCall(flow);
      const first = step(flow, call, {}, env);
      expect(step(flow, call, {}, env)).toEqual(first);
      expect(step(flow, first.call, { digits: "2" }, env)).toEqual(step(flow, first.call, { digits: "2" }, env));
    });

    it("does not write to the call it is given, on entering or on a reply", () => {
      const call = deepFreeze(freshCall(flow));
      const entered = step(flow, call, {}, env);
      const frozenWaiting = deepFreeze(structuredClone(entered.call));
      const snapshot = structuredClone(frozenWaiting);

      expect(() => step(flow, frozenWaiting, { digits: "2" }, env)).not.toThrow();
      expect(frozenWaiting).toEqual(snapshot);
    });

    it("does not write to the flow, the hours or the reply", () => {
      const frozenFlow = deepFreeze(mainFlow());
      const frozenEnv = { ...env, hours: deepFreeze(cityHours()) };
      const reply = deepFreeze({ digits: "1" });
      const first = step(frozenFlow, freshCall(frozenFlow), {}, frozenEnv);

      expect(() => step(frozenFlow, first.call, reply, frozenEnv)).not.toThrow();
    });

    it("returns a new call object rather than the one it was given", () => {
      const call = freshCall(flow);
      const result = step(flow, call, {}, env);
      expect(result.call).not.toBe(call);
      expect(result.call.vars).not.toBe(call.vars);
      expect(result.call.path).not.toBe(call.path);
    });

    it("answers synchronously", () => {
      expect(step(flow, freshCall(flow), {}, env)).not.toBeInstanceOf(Promise);
    });

    it("answers with plain data that survives a trip through JSON (the call is stored in Redis)", () => {
      const result = step(flow, freshCall(flow), {}, env);
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    });

    it("describes effects as actions and carries none of them out: the dispatch is only data", () => {
      let call = step(flow, freshCall(flow), {}, env).call;
      call = step(flow, call, { digits: "2" }, env).call;
      call = step(flow, call, { speech: "Stafford Drive", confidence: 0.9 }, env).call;
      call = step(flow, call, { digits: "1" }, env).call;
      const { actions } = step(flow, call, { digits: "1" }, env);

      expect(actions.map((action) => action.type)).toEqual(["dispatch", "redirect"]);
    });
  });

  describe("counting steps", () => {
    it("makes the first step step 1", () => {
      expect(step(twoStates, freshCall(twoStates), {}, environment()).call.step).toBe(1);
    });

    it("adds exactly one however many states the webhook passes through", () => {
      const first = step(twoStates, freshCall(twoStates), {}, environment());
      const second = step(twoStates, first.call, { digits: "1" }, environment());
      expect({ states: second.call.path.length, step: second.call.step }).toEqual({ states: 3, step: 2 });
    });

    it("counts from wherever the call is", () => {
      const call: CallState = { ...freshCall(twoStates), step: 41 };
      expect(step(twoStates, call, {}, environment()).call.step).toBe(42);
    });
  });

  describe("when the call has already ended", () => {
    const ended: CallState = { ...freshCall(twoStates), state: "bye", entering: false, ended: true, step: 3 };

    it("only hangs up", () => {
      expect(step(twoStates, ended, { digits: "1" }, environment()).actions).toEqual([{ type: "hangup" }]);
    });

    it("stays where it was", () => {
      expect(step(twoStates, ended, {}, environment()).call).toMatchObject({ state: "bye", ended: true, step: 4 });
    });
  });

  describe("when a reply arrives for a state that does not wait (a stale request)", () => {
    const stale: CallState = { ...freshCall(twoStates), state: "greeting", entering: false };
    const result = step(twoStates, stale, { digits: "1" }, environment());

    it("enters the state afresh, saying what it says", () => {
      expect(result.actions[0]).toEqual({ type: "say", text: "Hello." });
    });

    it("does not treat the reply as an answer to the next state", () => {
      expect(result.call).toMatchObject({ state: "menu", entering: false });
    });
  });

  describe("a state that is waiting for the caller", () => {
    it("stays put, not entering, with its path recorded", () => {
      const { call } = step(twoStates, freshCall(twoStates), {}, environment());
      expect(call).toMatchObject({ state: "menu", entering: false, path: ["greeting", "menu"] });
    });
  });

  describe("runtime guards", () => {
    describe("when the call is in a state the flow no longer has", () => {
      const lost: CallState = { ...freshCall(twoStates), state: "old-menu", entering: false };

      it("throws UnknownStateError", () => {
        expect(() => step(twoStates, lost, { digits: "1" }, environment())).toThrow(UnknownStateError);
      });

      it("names the flow and the state in the message", () => {
        expect(() => step(twoStates, lost, { digits: "1" }, environment())).toThrow('flow "test" has no state "old-menu"');
      });

      it("throws it too when the call was about to enter that state", () => {
        expect(() => step(twoStates, { ...lost, entering: true }, {}, environment())).toThrow(UnknownStateError);
      });

      it("names the error class so logs can tell it apart", () => {
        const error = new UnknownStateError("main", "gone");
        expect(error).toMatchObject({ name: "UnknownStateError", flow: "main", state: "gone" });
      });
    });

    describe("when a flow loops without waiting (built by hand, past the loader's checks)", () => {
      const looping: Flow = {
        ...twoStates,
        start: "a",
        states: { a: { type: "goto", next: "b" }, b: { type: "goto", next: "a" } },
      };

      it("throws FlowLoopError instead of hanging", () => {
        expect(() => step(looping, freshCall(looping), {}, environment())).toThrow(FlowLoopError);
      });

      it("says which states went round", () => {
        expect(() => step(looping, freshCall(looping), {}, environment())).toThrow(/without waiting for the caller: a > b > a > b/);
      });

      it("names the error class", () => {
        expect(new FlowLoopError("main", ["a", "b"]).name).toBe("FlowLoopError");
      });
    });
  });
});
