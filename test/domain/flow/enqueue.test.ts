import { describe, expect, it } from "vitest";
import type { CallState } from "../../../src/domain/flow/call-state.js";
import { step } from "../../../src/domain/flow/engine.js";
import { holdTurn, type EnqueueNode } from "../../../src/domain/flow/nodes/index.js";
import type { Flow } from "../../../src/domain/flow/schema.js";
import { environment, flowFrom, freshCall, heard } from "../../helpers/flow.js";

const flow = flowFrom(`
start: queue
fallbackQueue: general
states:
  queue:
    type: enqueue
    queue: utility-billing
    prompt: Please hold for the next specialist.
    maxWait: 300
    voicemail: voicemail
    onFail: sorry
  voicemail:
    type: record
    into: voicemail
    prompt: Leave a message after the tone.
    next: bye
  sorry:
    type: hangup
    text: Sorry, nobody can take your call.
  bye:
    type: hangup
`);

const env = environment();
const waiting: CallState = step(flow, freshCall(flow), {}, env).call;

function enqueueNodeOf(which: Flow, id: string): EnqueueNode {
  const node = which.states[id];
  if (node?.type !== "enqueue") throw new Error(`${id} is not an enqueue state`);
  return node;
}

describe("an enqueue state", () => {
  describe("when entered", () => {
    const { actions, call } = step(flow, freshCall(flow), {}, env);

    it("says the prompt, then puts the caller in the queue, naming the state for the hold audio", () => {
      expect(actions).toEqual([
        { type: "say", text: "Please hold for the next specialist." },
        { type: "enqueue", queue: "utility-billing", state: "queue" },
      ]);
    });

    it("waits for the queue's result", () => {
      expect(call).toMatchObject({ state: "queue", entering: false, ended: false });
    });
  });

  describe("when an agent answers (QueueResult bridged)", () => {
    const { actions, call } = step(flow, waiting, { queueResult: "bridged" }, env);

    it("ends the call as queued to an agent", () => {
      expect(call).toMatchObject({ ended: true, outcome: "queued-to-agent" });
    });

    it("only hangs up", () => {
      expect(actions).toEqual([{ type: "hangup" }]);
    });
  });

  describe("when the caller hangs up in the queue", () => {
    it("ends the call as abandoned", () => {
      expect(step(flow, waiting, { queueResult: "hangup" }, env).call).toMatchObject({ ended: true, outcome: "abandoned" });
    });
  });

  describe("when the caller leaves the queue for a voicemail", () => {
    it("goes to the voicemail state", () => {
      expect(heard(step(flow, waiting, { queueResult: "leave" }, env).actions)).toEqual(["Leave a message after the tone."]);
    });
  });

  describe("when the queue cannot take the caller", () => {
    it("goes to onFail when the queue is full", () => {
      expect(heard(step(flow, waiting, { queueResult: "queue-full" }, env).actions)).toEqual(["Sorry, nobody can take your call."]);
    });

    it("goes to onFail on an error", () => {
      expect(heard(step(flow, waiting, { queueResult: "error" }, env).actions)).toEqual(["Sorry, nobody can take your call."]);
    });

    it("goes to onFail when Twilio sends no result", () => {
      expect(heard(step(flow, waiting, {}, env).actions)).toEqual(["Sorry, nobody can take your call."]);
    });
  });

  describe("when the caller leaves but the state has no voicemail", () => {
    const bare = flowFrom(`
start: queue
fallbackQueue: general
states:
  queue:
    type: enqueue
    queue: general
    onFail: sorry
  sorry:
    type: hangup
    text: sorry
`);

    it("says nothing before queueing when there is no prompt", () => {
      expect(step(bare, freshCall(bare), {}, env).actions).toEqual([{ type: "enqueue", queue: "general", state: "queue" }]);
    });

    it("goes to onFail", () => {
      const inQueue = step(bare, freshCall(bare), {}, env).call;
      expect(heard(step(bare, inQueue, { queueResult: "leave" }, env).actions)).toEqual(["sorry"]);
    });
  });
});

describe("holdTurn", () => {
  const node = enqueueNodeOf(flow, "queue");

  describe("for a caller third in line", () => {
    it("announces the position", () => {
      expect(holdTurn(node, 3, 10).announcement).toBe("You are number 3 in line. Thank you for waiting.");
    });
  });

  describe("when the position is not known", () => {
    it("thanks the caller without a number", () => {
      expect(holdTurn(node, null, 10).announcement).toBe("Thank you for waiting.");
    });

    it("does the same for a position of 0", () => {
      expect(holdTurn(node, 0, 10).announcement).toBe("Thank you for waiting.");
    });
  });

  describe("before the caller has waited maxWait seconds", () => {
    it("offers no voicemail at 299 seconds", () => {
      expect(holdTurn(node, 3, 299).offerVoicemail).toBeNull();
    });
  });

  describe("once the caller has waited maxWait seconds", () => {
    it("offers the voicemail at 300 seconds", () => {
      expect(holdTurn(node, 3, 300).offerVoicemail).toBe(
        "To leave a voicemail instead and have us call you back, press 1. Or stay on the line.",
      );
    });
  });

  describe("when the state has no voicemail", () => {
    const noVoicemail: EnqueueNode = { ...node, voicemail: undefined };

    it("never offers one, however long the wait", () => {
      expect(holdTurn(noVoicemail, 3, 3600).offerVoicemail).toBeNull();
    });
  });

  describe("when the state has no maxWait", () => {
    const noMaxWait: EnqueueNode = { ...node, maxWait: undefined };

    it("never offers a voicemail", () => {
      expect(holdTurn(noMaxWait, 3, 3600).offerVoicemail).toBeNull();
    });
  });

  describe("with the default hold settings", () => {
    it("has no music and pauses 20 seconds between announcements", () => {
      expect(holdTurn(node, 1, 0)).toMatchObject({ music: null, pause: 20 });
    });
  });

  describe("with hold music and a message of its own", () => {
    const musical = enqueueNodeOf(
      flowFrom(`
start: queue
fallbackQueue: general
states:
  queue:
    type: enqueue
    queue: general
    hold:
      message: There are {position} callers ahead of you.
      music: https://example.org/hold.mp3
      pause: 30
    onFail: bye
  bye:
    type: hangup
`),
      "queue",
    );

    it("fills the position into the message", () => {
      expect(holdTurn(musical, 4, 0).announcement).toBe("There are 4 callers ahead of you.");
    });

    it("plays the music", () => {
      expect(holdTurn(musical, 4, 0)).toMatchObject({ music: "https://example.org/hold.mp3", pause: 30 });
    });
  });
});
