import { describe, expect, it } from "vitest";
import type { DateTime } from "luxon";
import {
  chainLength,
  chainStep,
  escalationPlan,
  EVERY_SUPERVISOR_WAIT_MS,
  UnknownCategoryError,
  type ChainOptions,
  type PagedBefore,
  type PageStep,
  type Roster,
} from "../../../src/domain/oncall/roster/index.js";
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

/**
 * The chain as the worker runs it, every step worked out at the moment `at(index)` it runs: the
 * pages it makes, as `index round role member wait`, and what it does at the other steps.
 */
function runChain(roster: Roster, category: string, at: (index: number) => DateTime, options: ChainOptions = {}): string[] {
  const said: string[] = [];
  let previous: PagedBefore | null = null;
  for (let index = 0; ; index++) {
    const step = chainStep(roster, category, index, at(index), previous, options);
    if (step.kind === "end") return said;
    if (step.kind === "nobody") said.push(`${index} nobody is ${step.role}`);
    if (step.kind === "same-person") said.push(`${index} ${step.member.id} again, ${step.waitMs / 1000}s more`);
    if (step.kind === "page") {
      said.push(pages([step.step])[0]!);
      previous = { round: step.step.round, role: step.step.role, phone: step.step.member.phone };
    }
  }
}

describe("chainStep: each step of a report's chain, worked out when it runs", () => {
  describe("when nobody changes shift during the chain", () => {
    it.each([
      ["water", "2026-11-10T02:00"],
      ["water", "2026-12-24T23:00"],
      ["power", "2026-11-20T03:00"],
    ])("pages exactly whom escalationPlan lists (%s at %s)", (category, time) => {
      const roster = lethbridgeRoster();
      expect(runChain(roster, category, () => local(time))).toEqual(pages(escalationPlan(roster, category, local(time))));
    });
  });

  describe("when the chain crosses a handoff (water: sam and lee until Monday 2026-11-16 08:00, then lee and pat)", () => {
    // Steps 0-2 run on Monday before 08:00; from step 3 (round 2) on, the new week is on call.
    const at = (index: number) => (index < 3 ? local("2026-11-16T07:30") : local("2026-11-16T08:05"));
    const chain = runChain(lethbridgeRoster(), "water", at);

    it("pages the old crew before the handoff", () => {
      expect(chain.slice(0, 2)).toEqual(["0 1 primary sam 600s", "1 1 backup lee 600s"]);
    });

    it("pages the new crew after it", () => {
      expect(chain.slice(3, 5)).toEqual(["3 2 primary lee 600s", "4 2 backup pat 600s"]);
    });
  });

  describe("when someone goes off shift mid-chain and nobody replaces them (lonely: robin until 2027-01-04 08:00)", () => {
    const chain = runChain(testRoster(), "lonely", (index) => (index < 3 ? local("2027-01-04T07:59") : local("2027-01-04T08:00")));

    it("skips the role nobody holds now, without its wait, on to the supervisor", () => {
      expect(chain).toEqual([
        "0 1 primary robin 2s",
        "1 nobody is backup",
        "2 1 supervisor sol 2s",
        "3 nobody is primary",
        "4 nobody is backup",
        "5 2 supervisor sol 2s",
      ]);
    });
  });

  it("does not page someone twice in a row for two roles: they get both waits", () => {
    const roster = waterRoster({ overrides: "[{ from: 2026-11-17, to: 2026-11-17, primary: pat, reason: Pat covers }]", rounds: 1 });
    expect(runChain(roster, "water", () => local("2026-11-17T12:00"))).toEqual(["0 1 primary pat 600s", "1 pat again, 600s more", "2 1 supervisor renee 900s"]);
  });

  it("numbers steps by round and policy step, whoever is on call (3 steps, 3 rounds: 9)", () => {
    expect(chainLength(lethbridgeRoster(), "water")).toBe(9);
  });

  describe("for a caller who could not use the menu", () => {
    it("pages only the category's supervisor, each round", () => {
      expect(runChain(lethbridgeRoster(), "water", () => local("2026-11-10T02:00"), { supervisorsOnly: true })).toEqual([
        "0 1 supervisor renee-blackwater 900s",
        "1 2 supervisor renee-blackwater 900s",
        "2 3 supervisor renee-blackwater 900s",
      ]);
    });
  });

  describe("for a category with no crew of its own (general)", () => {
    const chain = runChain(lethbridgeRoster(), "general", () => local("2026-11-10T02:00"));

    it("pages every supervisor at once, then gives them ten minutes", () => {
      expect(chain).toEqual([
        "0 1 supervisor dale-kovacs 0s",
        "1 1 supervisor renee-blackwater 0s",
        `2 1 supervisor gord-fehr ${EVERY_SUPERVISOR_WAIT_MS / 1000}s`,
      ]);
    });
  });

  it("ends after the last round", () => {
    expect(chainStep(lethbridgeRoster(), "water", 9, local("2026-11-10T02:00"), null)).toEqual({ kind: "end" });
  });
});
