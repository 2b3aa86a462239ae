import { describe, expect, it } from "vitest";
import { step } from "../../../src/domain/flow/engine.js";
import { environment, flowFrom, freshCall } from "../../helpers/flow.js";

describe("a say state", () => {
  describe("with one sentence", () => {
    const flow = flowFrom(`
start: hello
fallbackQueue: general
states:
  hello:
    type: say
    text: Thank you for calling.
    next: bye
  bye:
    type: hangup
`);
    const { actions, call } = step(flow, freshCall(flow), {}, environment());

    it("says it", () => {
      expect(actions[0]).toEqual({ type: "say", text: "Thank you for calling." });
    });

    it("moves on to next without waiting", () => {
      expect(call.path).toEqual(["hello", "bye"]);
    });
  });

  describe("with a list of sentences and an audio file", () => {
    const flow = flowFrom(`
start: hello
fallbackQueue: general
states:
  hello:
    type: say
    text:
      - First sentence.
      - Second sentence.
    play: https://example.org/chime.mp3
    next: menu
  menu:
    type: menu
    prompt: Press 1.
    choices:
      - key: "1"
        next: bye
    onFail:
      next: bye
  bye:
    type: hangup
`);
    const { actions } = step(flow, freshCall(flow), {}, environment());

    it("says each sentence in order, then plays the file", () => {
      expect(actions.slice(0, 3)).toEqual([
        { type: "say", text: "First sentence." },
        { type: "say", text: "Second sentence." },
        { type: "play", url: "https://example.org/chime.mp3" },
      ]);
    });

    it("then goes on to the next state's actions in the same response", () => {
      expect(actions[3]?.type).toBe("gather");
    });
  });

  describe("with placeholders", () => {
    const flow = flowFrom(`
start: hours
fallbackQueue: general
states:
  hours:
    type: hours
    open: open
    closed: open
  open:
    type: say
    text: We are open {hoursSummary}. {location} Thanks.
    next: where
  where:
    type: collect
    into: location
    input: speech
    prompt: Where?
    onFail: { next: bye }
    next: bye
  bye:
    type: hangup
`);

    it("fills known values and says nothing for values not collected yet", () => {
      const { actions } = step(flow, freshCall(flow), {}, environment());
      expect(actions[0]).toEqual({ type: "say", text: "We are open weekdays from 8 to 4:30. Thanks." });
    });
  });
});
