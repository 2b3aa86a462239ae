/**
 * Confirmations never take a no for a yes: each answer in `test/fixtures/speech/confirmations.yaml`
 * is given where the City's flow asks for one, at the crew question (a menu) and at the place's
 * read-back (a collect), and must take the answer, ask again, or say it again, as it means.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { confirmation } from "../../../src/domain/flow/text.js";
import { at, cityHours, environment, mainFlow, ring } from "../../helpers/flow.js";

interface Answer {
  said: string;
  means: "yes" | "no" | "unclear";
}

const corpus = parse(readFileSync("test/fixtures/speech/confirmations.yaml", "utf8")) as Answer[];
const SATURDAY_2AM = environment({ now: at("2026-12-05T02:00:00"), hours: cityHours() });
const PLACE = "15th Avenue South and 13th Street South";

function atTheCrewQuestion() {
  const phone = ring(mainFlow(), SATURDAY_2AM);
  phone.say("the power is out", 0.9);
  expect(phone.call).toMatchObject({ state: "urgent-menu", confirming: true });
  return phone;
}

function atThePlaceReadBack() {
  const phone = ring(mainFlow(), SATURDAY_2AM);
  phone.press("1");
  phone.say(PLACE, 0.9);
  expect(phone.call).toMatchObject({ state: "urgent-location", confirming: true });
  return phone;
}

describe("the corpus of answers to a confirmation", () => {
  it("has answers of every kind", () => {
    expect(new Set(corpus.map((answer) => answer.means))).toEqual(new Set(["yes", "no", "unclear"]));
  });

  it.each(corpus)('reads "$said" as $means', ({ said, means }) => {
    expect(confirmation("", said)).toBe(means === "unclear" ? null : means);
  });
});

describe.each(corpus)('"$said" at the crew question', ({ said, means }) => {
  const phone = atTheCrewQuestion();
  phone.say(said, 0.9);

  if (means === "yes") {
    it("takes the crew", () => expect(phone.call).toMatchObject({ state: "urgent-location", vars: { category: "power" } }));
  } else if (means === "no") {
    it("takes no crew, and may go on only to another question", () => {
      expect(phone.call.vars.category).toBeUndefined();
      expect(phone.call.state).toBe("urgent-menu");
    });
  } else {
    it("asks the question again", () => {
      expect(phone.call).toMatchObject({ state: "urgent-menu", confirming: true });
      expect(phone.call.vars.category).toBeUndefined();
    });
  }
});

describe.each(corpus)('"$said" at the place\'s read-back', ({ said, means }) => {
  const phone = atThePlaceReadBack();
  phone.say(said, 0.9);

  if (means === "yes") {
    it("takes the place as confirmed", () => expect(phone.call.vars).toMatchObject({ location: PLACE, locationConfirmed: "yes" }));
  } else {
    it("never marks the place confirmed", () => expect(phone.call.vars.locationConfirmed).toBeUndefined());
  }
  if (means === "unclear") {
    it("asks for the confirmation again", () => expect(phone.call).toMatchObject({ state: "urgent-location", confirming: true }));
  }
});
