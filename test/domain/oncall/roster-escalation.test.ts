import { describe, expect, it } from "vitest";
import { escalationPlan, UnknownCategoryError, type PageStep } from "../../../src/domain/oncall/roster/index.js";
import { local } from "../../fixtures/hours/load.js";
import { lethbridgeRoster, testRoster, waterRoster } from "../../fixtures/oncall/load.js";

/** A plan as `index round role member wait`, one string a page. */
const pages = (plan: PageStep[]) => plan.map((step) => `${step.index} ${step.round} ${step.role} ${step.member.id} ${step.waitMs / 1000}s`);

describe("escalationPlan", () => {
  describe("when the primary and the backup are both on call (water, 2026-11-10: sam, then lee)", () => {
    const plan = escalationPlan(lethbridgeRoster(), "water", local("2026-11-10T02:00"));

    it("pages primary, backup, supervisor, and goes round three times, numbered from 0", () => {
      expect(pages(plan)).toEqual([
        "0 1 primary sam 600s",
        "1 1 backup lee 600s",
        "2 1 supervisor renee-blackwater 900s",
        "3 2 primary sam 600s",
        "4 2 backup lee 600s",
        "5 2 supervisor renee-blackwater 900s",
        "6 3 primary sam 600s",
        "7 3 backup lee 600s",
        "8 3 supervisor renee-blackwater 900s",
      ]);
    });

    it("gives each page the member to reach, with number and channels", () => {
      expect(plan[0]?.member).toEqual({ id: "sam", name: "Sam Tremblay", phone: "+14035550112", channels: ["sms", "voice"] });
    });
  });

  it("follows who is on call at the moment given: Pat, over Christmas", () => {
    expect(pages(escalationPlan(lethbridgeRoster(), "water", local("2026-12-24T23:00"))).slice(0, 3)).toEqual([
      "0 1 primary pat 600s",
      "1 1 backup lee 600s",
      "2 1 supervisor renee-blackwater 900s",
    ]);
  });

  describe("in the test roster (waits of 2s, two rounds)", () => {
    it("pages the supervisor at once when nobody is on call (lonely, rotation week 2)", () => {
      expect(pages(escalationPlan(testRoster(), "lonely", local("2026-12-15T12:00")))).toEqual(["0 1 supervisor sol 2s", "1 2 supervisor sol 2s"]);
    });

    it("skips a backup who is not there, going from the primary to the supervisor", () => {
      expect(pages(escalationPlan(testRoster(), "lonely", local("2026-12-29T12:00")))).toEqual([
        "0 1 primary robin 2s",
        "1 1 supervisor sol 2s",
        "2 2 primary robin 2s",
        "3 2 supervisor sol 2s",
      ]);
    });

    it("pages the whole chain in the other categories", () => {
      expect(escalationPlan(testRoster(), "roads", local("2026-12-29T12:00")).map((step) => step.role)).toEqual([
        "primary",
        "backup",
        "supervisor",
        "primary",
        "backup",
        "supervisor",
      ]);
    });
  });

  it("pages someone holding two roles once, with both waits, rather than twice in a row", () => {
    // Week 3 has lee as primary and pat as backup; the override makes pat primary as well.
    const roster = waterRoster({ overrides: "[{ from: 2026-11-17, to: 2026-11-17, primary: pat, reason: Pat covers }]", rounds: 1 });
    expect(pages(escalationPlan(roster, "water", local("2026-11-17T12:00")))).toEqual(["0 1 primary pat 1200s", "1 1 supervisor renee 900s"]);
  });

  it("pages a role again when the steps name it twice in a row", () => {
    const roster = waterRoster({
      steps: '[{ notify: primary, wait: "5m" }, { notify: primary, wait: "5m" }, { notify: supervisor, wait: "15m" }]',
      rounds: 1,
    });
    expect(pages(escalationPlan(roster, "water", local("2026-11-03T12:00")))).toEqual([
      "0 1 primary pat 300s",
      "1 1 primary pat 300s",
      "2 1 supervisor renee 900s",
    ]);
  });

  it("is never empty: with nobody on call and no supervisor step (a roster built by hand), it pages the supervisor", () => {
    const roster = waterRoster({ weeks: "[{}]" });
    roster.categories["water"]!.escalation = { steps: [{ notify: "primary", waitMs: 60_000 }], rounds: 2 };
    expect(pages(escalationPlan(roster, "water", local("2026-11-03T12:00")))).toEqual(["0 1 supervisor renee 60s", "1 2 supervisor renee 60s"]);
  });

  it("throws an UnknownCategoryError for a category the roster does not have", () => {
    expect(() => escalationPlan(testRoster(), "gas", local("2026-11-03T12:00"))).toThrow(UnknownCategoryError);
  });
});
