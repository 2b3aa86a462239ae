import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { rosterView, type CategoryView } from "../../../src/domain/oncall/roster/roster-view.js";
import type { Roster } from "../../../src/domain/oncall/roster/index.js";
import { local, ZONE } from "../../fixtures/hours/load.js";
import { lethbridgeRoster, testRoster, waterRoster } from "../../fixtures/oncall/load.js";

/** One category of the view, by name; fails the test when the view does not have it. */
function categoryOf(view: CategoryView[], category: string): CategoryView {
  const found = view.find((candidate) => candidate.category === category);
  if (!found) throw new Error(`the view has no ${category}`);
  return found;
}

const iso = (time: DateTime | null | undefined) => time?.toISO() ?? null;
const names = (people: { name: string }[] | undefined) => people?.map((person) => person.name);

describe("rosterView", () => {
  describe("in Lethbridge's roster on Christmas Eve at 23:00, when Pat covers Christmas as water's primary", () => {
    const roster = lethbridgeRoster();
    const view = rosterView(roster, local("2026-12-24T23:00"));
    const water = categoryOf(view, "water");

    it("lists every category in the roster's order, with its label", () => {
      expect(view.map((category) => [category.category, category.label])).toEqual([
        ["power", "Electric"],
        ["water", "Water and sewer"],
        ["roads", "Roads and traffic signals"],
      ]);
    });

    it("says who is on call now, by name with the number masked, and why", () => {
      expect(water.now).toMatchObject({
        primary: { id: "pat", name: "Pat Okafor", phone: "+*********11" },
        backup: { id: "lee", name: "Lee Chen", phone: "+*********13" },
        supervisor: { id: "renee-blackwater", name: "Renee Blackwater", phone: "+*********10" },
        source: "Pat covers Christmas; backup from rotation week 2",
      });
    });

    it("never shows a whole phone number", () => {
      const text = JSON.stringify(view);
      for (const crew of Object.values(roster.categories)) {
        for (const person of [crew.supervisor, ...crew.members]) expect(text).not.toContain(person.phone);
      }
    });

    it("says the override lasts to the end of the 26th, and who is on call after it", () => {
      expect(iso(water.now.until)).toBe("2026-12-27T00:00:00.000-07:00");
      expect(iso(water.next?.from)).toBe("2026-12-27T00:00:00.000-07:00");
      expect(water.next?.who).toEqual({
        primary: { id: "sam", name: "Sam Tremblay", phone: "+*********12" },
        backup: { id: "lee", name: "Lee Chen", phone: "+*********13" },
        source: "rotation week 2",
      });
    });

    it("gives the next handoff of a category without overrides", () => {
      const power = categoryOf(view, "power");
      expect(iso(power.next?.from)).toBe("2026-12-28T08:00:00.000-07:00");
      expect(power.next?.who.primary?.name).toBe("Jen Whitford");
    });

    it("lists the rotation's weeks in order, the running one marked, each with its turn now or next", () => {
      expect(water.rotation.map((week) => [week.week, week.primary?.id, week.backup?.id, week.current, iso(week.from), iso(week.to)])).toEqual([
        [1, "pat", "sam", false, "2027-01-04T08:00:00.000-07:00", "2027-01-11T08:00:00.000-07:00"],
        [2, "sam", "lee", true, "2026-12-21T08:00:00.000-07:00", "2026-12-28T08:00:00.000-07:00"],
        [3, "lee", "pat", false, "2026-12-28T08:00:00.000-07:00", "2027-01-04T08:00:00.000-07:00"],
      ]);
    });

    it("shows the Christmas override as current, standing in for the rotation's primary", () => {
      expect(water.overrides).toHaveLength(1);
      const [christmas] = water.overrides;
      expect(christmas).toMatchObject({
        index: 0,
        reason: "Pat covers Christmas",
        current: true,
        who: { primary: { id: "pat", name: "Pat Okafor", phone: "+*********11" } },
        replaces: { primary: [{ id: "sam", name: "Sam Tremblay", phone: "+*********12" }] },
      });
      expect(christmas?.who).not.toHaveProperty("backup");
      expect([iso(christmas?.from), iso(christmas?.to)]).toEqual(["2026-12-24T00:00:00.000-07:00", "2026-12-27T00:00:00.000-07:00"]);
    });

    it("finds no gaps", () => {
      expect(view.flatMap((category) => category.gaps)).toEqual([]);
    });

    it("leaves out the override once it is over", () => {
      expect(categoryOf(rosterView(roster, local("2026-12-27T00:00")), "water").overrides).toEqual([]);
    });
  });

  describe("an override for a crew member on leave", () => {
    // Week 3 (lee/pat) runs from Monday 16 November 08:00; Lee is on leave that week.
    const roster = waterRoster({
      overrides: `
      - { from: 2026-11-03, to: 2026-11-04, backup: lee, reason: Sam at a course }
      - { from: 2026-11-16T08:00, to: 2026-11-23T08:00, primary: sam, reason: Lee on leave }
      - { from: 2026-11-16T08:00, to: 2026-11-23T08:00, backup: pat, reason: Pat stays backup }
      - { from: 2026-11-18T18:00, to: 2026-11-19T08:00, backup: null, reason: Pat off sick }`,
    });
    const water = categoryOf(rosterView(roster, local("2026-11-10T12:00")), "water");

    it("lists the overrides still to come, earliest first, and not those that are over", () => {
      expect(water.overrides.map((entry) => [entry.index, entry.reason, entry.current])).toEqual([
        [1, "Lee on leave", false],
        [2, "Pat stays backup", false],
        [3, "Pat off sick", false],
      ]);
    });

    it("says whom the cover replaces", () => {
      const leave = water.overrides.find((entry) => entry.reason === "Lee on leave");
      expect(leave?.who.primary?.name).toBe("Sam Tremblay");
      expect(names(leave?.replaces?.primary)).toEqual(["Lee Chen"]);
    });

    it("says nobody is replaced when the override names whom the rotation has anyway", () => {
      expect(water.overrides.find((entry) => entry.reason === "Pat stays backup")).not.toHaveProperty("replaces");
    });

    it("shows a role left to nobody as null, and whom it leaves out", () => {
      const sick = water.overrides.find((entry) => entry.reason === "Pat off sick");
      expect(sick?.who).toEqual({ backup: null });
      expect(names(sick?.replaces?.backup)).toEqual(["Pat Okafor"]);
    });

    it("highlights the night without a backup as a gap", () => {
      expect(water.gaps).toEqual([
        {
          role: "backup",
          from: local("2026-11-18T18:00"),
          to: local("2026-11-19T08:00"),
          inWords: "No backup from Wed 18 Nov 18:00 to Thu 19 Nov 08:00 (14 hours)",
        },
      ]);
    });

    it("lists every person an override stands in for when it spans a handoff", () => {
      const spanning = waterRoster({ overrides: "[{ from: 2026-11-20, to: 2026-11-24, primary: sam, reason: Cover across the handoff }]" });
      const [cover] = categoryOf(rosterView(spanning, local("2026-11-10T12:00")), "water").overrides;
      expect(names(cover?.replaces?.primary)).toEqual(["Lee Chen", "Pat Okafor"]);
    });
  });

  describe("in the test roster on 1 December 2026, where lonely has Robin alone one week in three", () => {
    const view = rosterView(testRoster(), local("2026-12-01T00:00"));
    const lonely = categoryOf(view, "lonely");

    it("finds lonely's gaps, the one under way first", () => {
      expect(lonely.gaps.map((gap) => gap.inWords)).toEqual([
        "Nobody on call now, until Mon 7 Dec 08:00 (6 days 8 hours)",
        "No backup from Mon 7 Dec 08:00 to Mon 14 Dec 08:00 (7 days)",
        "Nobody on call from Mon 14 Dec 08:00 to Mon 28 Dec 08:00 (14 days)",
      ]);
    });

    it("follows a gap that begins in the 14 days to its end, past them", () => {
      expect(lonely.gaps.at(-1)).toMatchObject({ role: "both" });
      expect(iso(lonely.gaps.at(-1)?.to)).toBe("2026-12-28T08:00:00.000-07:00");
    });

    it("gives times in the roster's zone", () => {
      expect(lonely.gaps.every((gap) => gap.from.zoneName === ZONE && gap.to?.zoneName === ZONE)).toBe(true);
    });

    it("leaves out a gap that begins after the window", () => {
      const shortWindow = categoryOf(rosterView(testRoster(), local("2026-12-01T00:00"), 7), "lonely");
      expect(shortWindow.gaps.map((gap) => gap.role)).toEqual(["both", "backup"]);
    });

    it("finds none in the fully crewed categories", () => {
      expect(view.filter((category) => category.gaps.length > 0).map((category) => category.category)).toEqual(["lonely"]);
    });
  });

  describe("a rotation that never has a backup", () => {
    it("calls the gap open-ended, with no end", () => {
      const [water] = rosterView(waterRoster({ weeks: "[{ primary: pat }]" }), local("2026-12-01T00:00"));
      expect(water?.gaps).toEqual([{ role: "backup", from: local("2026-12-01T00:00"), to: null, inWords: "No backup now, and for the next year at least" }]);
      expect(water?.next).toBeNull();
    });

    it("says when a primary is missing that the backup is paged first", () => {
      const [water] = rosterView(waterRoster({ weeks: "[{ primary: pat, backup: sam }, { backup: sam }]" }), local("2026-11-02T08:00"));
      expect(water?.gaps.map((gap) => gap.inWords)).toEqual(["No primary (the backup is paged first) from Mon 9 Nov 08:00 to Mon 16 Nov 08:00 (7 days)"]);
    });
  });

  describe("before the rotation starts, across the fall-back DST change on 1 November", () => {
    const roster: Roster = lethbridgeRoster();
    const water = categoryOf(rosterView(roster, local("2026-10-31T12:00")), "water");

    it("has nobody on call, and says why", () => {
      expect(water.now).toMatchObject({ primary: null, backup: null, source: "before the rotation starts on 2026-11-02 at 08:00" });
    });

    it("hands over to week 1 at 08:00 MST on Monday 2 November", () => {
      expect(iso(water.next?.from)).toBe("2026-11-02T08:00:00.000-07:00");
      expect(water.next?.who.source).toBe("rotation week 1");
    });

    it("counts the gap in real hours, with the extra hour of the 25-hour day", () => {
      expect(water.gaps.map((gap) => gap.inWords)).toEqual(["Nobody on call now, until Mon 2 Nov 08:00 (1 day 21 hours)"]);
    });

    it("shows each week's first turn, none of them running", () => {
      expect(water.rotation.map((week) => [week.current, iso(week.from)])).toEqual([
        [false, "2026-11-02T08:00:00.000-07:00"],
        [false, "2026-11-09T08:00:00.000-07:00"],
        [false, "2026-11-16T08:00:00.000-07:00"],
      ]);
    });
  });

  describe("refuses", () => {
    it("an invalid now", () => {
      expect(() => rosterView(lethbridgeRoster(), DateTime.invalid("broken clock"))).toThrow(RangeError);
    });

    it("a window that is not a whole number of days", () => {
      expect(() => rosterView(lethbridgeRoster(), local("2026-12-01T00:00"), -1)).toThrow(/days must be a whole number/);
    });
  });
});
