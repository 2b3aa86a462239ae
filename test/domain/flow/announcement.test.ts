import { describe, expect, it } from "vitest";
import { step } from "../../../src/domain/flow/engine.js";
import { environment, flowFrom, freshCall, heard } from "../../helpers/flow.js";

const flow = flowFrom(`
start: message
fallbackQueue: general
states:
  message:
    type: announcement
    intro: Here is an important message from the City.
    next: bye
  bye:
    type: hangup
    text: Goodbye.
`);

describe("an announcement state", () => {
  describe("when the supervisor has set a message", () => {
    const env = environment({ override: { message: "Water is off in West Lethbridge until 6 p.m." } });
    const { actions } = step(flow, freshCall(flow), {}, env);

    it("says the intro, then the message, then moves on", () => {
      expect(heard(actions)).toEqual([
        "Here is an important message from the City.",
        "Water is off in West Lethbridge until 6 p.m.",
        "Goodbye.",
      ]);
    });
  });

  describe("when the override only forces the line closed, with no message", () => {
    it("says nothing, not even the intro", () => {
      const { actions } = step(flow, freshCall(flow), {}, environment({ override: { mode: "closed" } }));
      expect(heard(actions)).toEqual(["Goodbye."]);
    });
  });

  describe("when there is no override", () => {
    const { actions, call } = step(flow, freshCall(flow), {}, environment());

    it("says nothing", () => {
      expect(heard(actions)).toEqual(["Goodbye."]);
    });

    it("moves on to next", () => {
      expect(call.path).toEqual(["message", "bye"]);
    });
  });

  describe("without an intro", () => {
    const bare = flowFrom(`
start: message
fallbackQueue: general
states:
  message:
    type: announcement
    next: bye
  bye:
    type: hangup
`);

    it("says only the message", () => {
      const { actions } = step(bare, freshCall(bare), {}, environment({ override: { message: "Snow routes are in effect." } }));
      expect(heard(actions)).toEqual(["Snow routes are in effect."]);
    });
  });
});
