/**
 * Flows a supervisor could write, generated at random from the flow format's states: each is
 * either refused with the checks' own typed error (DefinitionError, naming the problem), or runs
 * under any caller's replies without the engine ever throwing or going round without waiting.
 */
import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { newCall, step } from "../../src/domain/flow/engine.js";
import { parseFlow } from "../../src/domain/flow/parse.js";
import type { CallerReply } from "../../src/domain/flow/call-state.js";
import { DefinitionError } from "../../src/domain/validation.js";
import { at, CALL_SID, CALLER, environment, WEEKDAY_MORNING } from "../helpers/flow.js";

const RUNS = Number(process.env.FUZZ_RUNS) || 200;
const NAMES = ["a", "b", "c", "d", "e", "f"] as const;

/** A state of one of the format's types, leading to the flow's states (`names`), now and then to one it does not have. */
function stateOf(names: readonly string[]) {
  const next = fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.constantFrom("nowhere", "A", "") });
  const words = fc.oneof(fc.constantFrom("Hello.", "Your reference is {reference|digits}.", "You said {place}.", "{", "}"), fc.string({ maxLength: 30 }));
  return fc.oneof(
    fc.record({ type: fc.constant("say"), text: words, next }),
    fc.record({ type: fc.constant("goto"), next }),
    fc.record({ type: fc.constant("hangup"), text: words }, { requiredKeys: ["type"] }),
    fc.record({ type: fc.constant("hours"), open: next, closed: next, emergency: next }, { requiredKeys: ["type", "open", "closed"] }),
    fc.record(
      {
        type: fc.constant("menu"),
        prompt: words,
        choices: fc.uniqueArray(fc.record({ key: fc.constantFrom("1", "2", "3", "*", "0"), next }), { selector: (choice) => choice.key, minLength: 1, maxLength: 3 }),
        attempts: fc.integer({ min: 1, max: 3 }),
        onFail: fc.record({ next }),
      },
      { requiredKeys: ["type", "prompt", "choices"] },
    ),
    fc.record({ type: fc.constant("record"), into: fc.constantFrom("message", "place"), prompt: words, maxLength: fc.integer({ min: 5, max: 120 }), next, onEmpty: next }, { requiredKeys: ["type", "into", "prompt", "next"] }),
    fc.record({ type: fc.constant("enqueue"), queue: fc.constantFrom("general", "billing"), prompt: words, maxWait: fc.integer({ min: 10, max: 600 }), voicemail: next, onFail: next }, { requiredKeys: ["type", "queue"] }),
    fc.record({ type: fc.constant("dispatch"), category: fc.constantFrom("water", "power"), next }, { requiredKeys: ["type", "next"] }),
  );
}

/** A flow document: some of the states a-f, starting at one of them (now and then at none). */
const flowDocument = fc.subarray([...NAMES], { minLength: 1 }).chain((names) =>
  fc
    .tuple(fc.array(stateOf(names), { minLength: names.length, maxLength: names.length }), fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.constant("nowhere") }))
    .map(([states, start]) => ({ description: "A fuzzed flow.", start, fallbackQueue: "general", states: Object.fromEntries(names.map((name, i) => [name, states[i]!])) })),
);

/** What a caller may answer at any step: keys, words, silence, a recording, a queue's end. */
const reply: fc.Arbitrary<CallerReply> = fc.record(
  {
    digits: fc.oneof(fc.constantFrom("1", "2", "3", "*", "#", "0", ""), fc.stringMatching(/^[0-9*#]{0,6}$/)),
    speech: fc.oneof(fc.constantFrom("yes", "no", "one", "repeat", "Whoop-Up Drive", ""), fc.string({ maxLength: 20 })),
    confidence: fc.double({ min: 0, max: 1, noNaN: true }),
    recordingUrl: fc.constantFrom("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1"),
    recordingDuration: fc.integer({ min: 0, max: 200 }),
    queueResult: fc.constantFrom("bridged", "hangup", "leave", "queue-full", "error", "redirected"),
    queueTime: fc.integer({ min: 0, max: 900 }),
  },
  { requiredKeys: [] },
);

describe("flows generated at random", () => {
  it("are refused with the checks' typed error, or run under any replies without the engine failing", () => {
    let ran = 0;
    fc.assert(
      fc.property(flowDocument, fc.array(reply, { maxLength: 12 }), fc.boolean(), (document, replies, day) => {
        let flow;
        try {
          flow = parseFlow("fuzzed", stringify(document), "fuzzed.yaml").flow;
        } catch (error) {
          expect(error, JSON.stringify(document)).toBeInstanceOf(DefinitionError);
          return;
        }
        ran++;
        const env = environment({ now: at(day ? WEEKDAY_MORNING : "2026-12-05T02:00:00") });
        let call = newCall(flow, { callSid: CALL_SID, caller: CALLER, now: env.now });
        // The first step has no reply; every later one gets the next of the caller's.
        for (const answer of [{}, ...replies]) {
          const result = step(flow, call, answer, env);
          expect(result.actions.length, JSON.stringify(document)).toBeGreaterThan(0);
          call = result.call;
          if (call.ended) break;
        }
      }),
      { numRuns: RUNS },
    );
    // Some of them were good enough to run.
    expect(ran).toBeGreaterThan(RUNS / 20);
  });
});
