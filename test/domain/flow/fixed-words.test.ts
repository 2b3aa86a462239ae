import { describe, expect, it } from "vitest";
import { step } from "../../../src/domain/flow/engine.js";
import { environment, flowFrom, freshCall } from "../../helpers/flow.js";

// Most of what callers hear are a flow's fixed words: the engine makes them once and gives the
// same frozen actions to every call, which the renderer knows again without reading them whole.
const flow = flowFrom(`
start: greeting
fallbackQueue: general
states:
  greeting:
    type: say
    text: [Thank you for calling the City., If this is an emergency, hang up and dial 9-1-1.]
    next: menu
  menu:
    type: menu
    prompt: For a power outage, press 1.
    choices:
      - key: "1"
        keywords: [power]
        set: { category: power }
        next: named
    noInput: Sorry, I didn't hear you.
    invalid: Sorry, that is not one of the choices.
    onFail: { next: named }
  named:
    type: say
    text: "You chose {category}."
    next: done
  done:
    type: hangup
`);
const env = environment();

describe("a flow's fixed words", () => {
  const first = step(flow, freshCall(flow, { caller: "+14035550101" }), {}, env);
  const second = step(flow, freshCall(flow, { caller: "+14035550102" }), {}, env);

  it("are the same frozen actions on every call, the menu's gather too", () => {
    expect(second.actions).toHaveLength(first.actions.length);
    second.actions.forEach((action, index) => {
      expect(action).toBe(first.actions[index]);
      expect(Object.isFrozen(action)).toBe(true);
    });
  });

  it("cannot be changed by anyone who holds them: one call cannot change what the next hears", () => {
    const gather = first.actions.find((action) => action.type === "gather")!;
    expect(() => ((gather as { timeout: number }).timeout = 1)).toThrow(TypeError);
    expect(() => (gather as unknown as { prompts: unknown[] }).prompts.push({ say: "extra" })).toThrow(TypeError);
    expect(() => (gather as unknown as { hints: string[] }).hints.push("extra")).toThrow(TypeError);
    expect(() => (gather as unknown as { input: string[] }).input.push("speech")).toThrow(TypeError);
  });

  it("are asked afresh after an apology, which comes first and is not kept", () => {
    const silence = step(flow, first.call, {}, env);
    const gather = silence.actions.find((action) => action.type === "gather")!;
    expect(gather.type === "gather" && gather.prompts.map((prompt) => ("say" in prompt ? prompt.say : ""))).toEqual(["Sorry, I didn't hear you.", "For a power outage, press 1."]);
    expect(Object.isFrozen(gather)).toBe(false);
    // The menu as most callers hear it is still the one made once.
    expect(step(flow, freshCall(flow, { caller: "+14035550103" }), {}, env).actions.at(-1)).toBe(first.actions.at(-1));
  });

  it("are not words with a value filled in: those are made for the call that hears them", () => {
    const chose = step(flow, first.call, { digits: "1" }, env);
    expect(chose.actions[0]).toEqual({ type: "say", text: "You chose power." });
    expect(Object.isFrozen(chose.actions[0])).toBe(false);
  });
});
