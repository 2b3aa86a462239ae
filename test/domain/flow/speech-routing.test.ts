/**
 * Promise 2 of the trouble line: speech never picks the wrong crew. Each utterance in the corpus
 * (`test/fixtures/speech/urgent-menu.yaml`) is said at the City's own urgent menu, and must lead
 * to the right crew, to the non-urgent menu, or to a question, never to another crew.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { at, cityHours, environment, mainFlow, ring } from "../../helpers/flow.js";

interface Utterance {
  said: string;
  goes: "power" | "water" | "roads" | "other" | "ask";
}

const corpus = parse(readFileSync("test/fixtures/speech/urgent-menu.yaml", "utf8")) as Utterance[];
const flow = mainFlow();
const SATURDAY_2AM = at("2026-12-05T02:00:00");

/** A caller at the urgent menu who says `said`, at the confidence Twilio gives a clear phrase. */
function sayAtUrgentMenu(said: string) {
  const phone = ring(flow, environment({ now: SATURDAY_2AM, hours: cityHours() }));
  expect(phone.call.state).toBe("urgent-menu");
  phone.say(said, 0.82);
  return phone;
}

const CONFIRM_QUESTIONS: Record<string, string> = {
  power: "A power outage or electrical problem, is that right? Say yes or press 1. If not, say no or press 2.",
  water: "A watermain or sewer problem, is that right? Say yes or press 1. If not, say no or press 2.",
  roads: "A road hazard or a traffic signal, is that right? Say yes or press 1. If not, say no or press 2.",
};

describe("the urgent menu's corpus of what callers say", () => {
  it("has at least 40 utterances", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
  });

  describe.each(corpus.filter((utterance) => ["power", "water", "roads"].includes(utterance.goes)))('"$said"', ({ said, goes }) => {
    const phone = sayAtUrgentMenu(said);

    it(`asks in a word whether it is ${goes}`, () => {
      expect(phone.heard).toEqual([CONFIRM_QUESTIONS[goes]]);
    });

    it(`sends the caller on for the ${goes} crew once they say yes`, () => {
      phone.say("yes", 0.9);
      expect(phone.call).toMatchObject({ state: "urgent-location", vars: { category: goes } });
    });
  });

  describe.each(corpus.filter((utterance) => utterance.goes === "ask"))('"$said"', ({ said }) => {
    const phone = sayAtUrgentMenu(said);

    it("picks no crew and asks again", () => {
      expect(phone.call).toMatchObject({ state: "urgent-menu", attempts: 1 });
      expect(phone.call.vars.category).toBeUndefined();
      expect(phone.heard.at(-1)).toBe("To hear these choices again, press star.");
    });
  });

  describe.each(corpus.filter((utterance) => utterance.goes === "other"))('"$said"', ({ said }) => {
    it("goes to the non-urgent menu, paging nobody", () => {
      const phone = sayAtUrgentMenu(said);
      expect(phone.call.state).toBe("not-urgent");
      expect(phone.call.vars.category).toBeUndefined();
    });
  });
});

describe("a caller who says a crew, then no", () => {
  const phone = sayAtUrgentMenu("the power's out");
  phone.say("no", 0.9);

  it("hears the choices again and is sent to no crew", () => {
    expect(phone.call).toMatchObject({ state: "urgent-menu" });
    expect(phone.call.vars.category).toBeUndefined();
    expect(phone.heard[0]).toBe("For a power outage, press 1, or say power.");
  });
});

describe('a caller who says a crew, then "no, the water"', () => {
  const phone = sayAtUrgentMenu("the power's out");
  phone.say("no, it's the water", 0.9);

  it("asks about the crew they named instead", () => {
    expect(phone.heard).toEqual([CONFIRM_QUESTIONS.water]);
  });
});

describe("a caller who says a crew, then presses 1", () => {
  const phone = sayAtUrgentMenu("roads");
  phone.press("1");

  it("takes it", () => {
    expect(phone.call).toMatchObject({ state: "urgent-location", vars: { category: "roads" } });
  });
});

describe("a caller who presses star at the urgent menu", () => {
  const phone = sayAtUrgentMenu("Hello?");
  const before = phone.call.attempts;
  phone.press("*");

  it("hears the choices again, without a try counted against them", () => {
    expect(phone.heard[0]).toBe("For a power outage, press 1, or say power.");
    expect(phone.call.attempts).toBe(before);
  });
});

describe("a caller at the crew's confirmation who answers with a number word", () => {
  it('takes "one" as yes', () => {
    const phone = sayAtUrgentMenu("the power's out");
    phone.say("one", 0.9);
    expect(phone.call).toMatchObject({ state: "urgent-location", vars: { category: "power" } });
  });

  it('takes "two" as no, never as the water crew', () => {
    const phone = sayAtUrgentMenu("the power's out");
    phone.say("two", 0.9);
    expect(phone.call.state).toBe("urgent-menu");
    expect(phone.call.vars.category).toBeUndefined();
    expect(phone.call.confirming).toBe(false);
  });
});
