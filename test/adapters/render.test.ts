import { describe, expect, it } from "vitest";
import { renderActions } from "../../src/adapters/twilio/render.js";
import type { Action } from "../../src/domain/flow/actions.js";
import { parseTwiml } from "../helpers/line.js";

const voice = { voice: "Polly.Joanna", language: "en-US" };
const urls = (n: number) => ({ step: `https://line.example.org/twilio/voice/step?n=${n}`, wait: (state: string) => `https://line.example.org/twilio/voice/wait?state=${state}` });
const greeting: Action[] = [
  { type: "say", text: "Hello & welcome <caller>" },
  { type: "gather", input: ["dtmf"], numDigits: 1, timeout: 5, prompts: [{ say: "Press 1." }] },
];

describe("renderActions", () => {
  it("escapes every text, so words never become TwiML", () => {
    const twiml = parseTwiml(renderActions(greeting, voice, urls(1)));
    expect(twiml.says[0]).toBe("Hello & welcome <caller>");
    expect(twiml.verbs).toEqual(["Say", "Gather"]);
  });

  it("points the caller's answer at the step it answers", () => {
    expect(parseTwiml(renderActions(greeting, voice, urls(7))).attrs("Gather")!.action).toBe("https://line.example.org/twilio/voice/step?n=7");
  });

  it("gives the same answer for the same actions, and a new one when anything differs", () => {
    const first = renderActions(greeting, voice, urls(1));
    expect(renderActions(structuredClone(greeting), voice, urls(1))).toBe(first);
    expect(renderActions(greeting, voice, urls(2))).not.toBe(first);
    expect(renderActions(greeting, { ...voice, language: "fr-CA" }, urls(1))).toContain('language="fr-CA"');
    expect(renderActions([{ type: "say", text: "Other" }], voice, urls(1))).toContain("Other");
  });

  it("answers frozen actions (a flow's fixed words, made once) as it answers the same words unfrozen", () => {
    const frozen = greeting.map((action) => Object.freeze(structuredClone(action)));
    const other: Action[] = [Object.freeze({ type: "say", text: "Another greeting" }), frozen[1]!];
    expect(renderActions(frozen, voice, urls(4))).toBe(renderActions(structuredClone(greeting), voice, urls(4)));
    expect(parseTwiml(renderActions(other, voice, urls(4))).says[0]).toBe("Another greeting");
    expect(renderActions(frozen, voice, urls(5))).toContain("step?n=5");
  });

  it("still answers each of more answers than it keeps, right, the first of them too once pushed out", () => {
    const say = (n: number): Action[] => [{ type: "say", text: `Answer ${n}` }];
    for (let n = 0; n < 1_200; n++) expect(parseTwiml(renderActions(say(n), voice, urls(1))).says).toEqual([`Answer ${n}`]);
    expect(parseTwiml(renderActions(say(0), voice, urls(1))).says).toEqual(["Answer 0"]);
  });

  it("follows a recording with a redirect, since Twilio skips the action when nothing was recorded", () => {
    const twiml = parseTwiml(renderActions([{ type: "record", maxLength: 60, timeout: 5, finishOnKey: "#", playBeep: true }], voice, urls(3)));
    expect(twiml.verbs).toEqual(["Record", "Redirect"]);
    expect(twiml.text("Redirect")).toBe("https://line.example.org/twilio/voice/step?n=3");
  });
});
