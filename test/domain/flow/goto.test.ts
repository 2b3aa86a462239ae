import { describe, expect, it } from "vitest";
import { step } from "../../../src/domain/flow/engine.js";
import { environment, flowFrom, freshCall } from "../../helpers/flow.js";

describe("a goto state", () => {
  const flow = flowFrom(`
start: jump
fallbackQueue: general
states:
  jump:
    type: goto
    next: bye
  bye:
    type: hangup
    text: Goodbye.
`);
  const { actions, call } = step(flow, freshCall(flow), {}, environment());

  it("says nothing of its own", () => {
    expect(actions).toEqual([{ type: "say", text: "Goodbye." }, { type: "hangup" }]);
  });

  it("goes straight to next", () => {
    expect(call.path).toEqual(["jump", "bye"]);
  });
});
