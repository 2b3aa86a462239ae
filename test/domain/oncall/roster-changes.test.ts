import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { changeMessage, onCallChanges, type OnCallChange, type OnCallInterval } from "../../../src/domain/oncall/roster/changes.js";
import { MAX_PAGE_LENGTH } from "../../../src/domain/oncall/messages.js";
import { parseRoster } from "../../../src/domain/oncall/roster/index.js";
import { local, ZONE } from "../../fixtures/hours/load.js";
import { waterRoster, waterRosterYaml } from "../../fixtures/oncall/load.js";

/*
 * The water rotation of the fixtures hands over on Mondays at 08:00 from 2026-11-02: pat/sam,
 * sam/lee, lee/pat. So on Thursday 3 December, week 2 (sam/lee) runs until Monday 7 December
 * 08:00, then week 3 (lee/pat) until the 14th, then week 1 (pat/sam) until the 21st.
 */
const thursday = local("2026-12-03T09:00");

/** An interval as text, to compare at a glance: `water primary 2026-12-05T08:00 -> 2026-12-07T08:00`. */
const spans = (intervals: OnCallInterval[]) =>
  intervals.map(
    (interval) =>
      `${interval.category} ${interval.role} ${interval.from.toFormat("yyyy-MM-dd'T'HH:mm")} -> ${interval.to.toFormat("yyyy-MM-dd'T'HH:mm")}${interval.ongoing ? " on" : ""}`,
  );

/** The change for one person, by name; fails the test when there is none. */
function changeFor(changes: OnCallChange[], name: string): OnCallChange {
  const found = changes.find((change) => change.name === name);
  if (!found) throw new Error(`no change for ${name}; changes for ${changes.map((change) => change.name).join(", ")}`);
  return found;
}

/** Water and roads, with Pat (same number) in both crews. */
function twoCategories(parts: { waterOverrides?: string; roadsOverrides?: string; roadsLabel?: string } = {}) {
  return parseRoster(
    `
zone: America/Edmonton
categories:
  water:
    label: Water and sewer
    supervisor: { id: renee, name: Renee Blackwater, phone: "+14035550110" }
    members:
      - { id: pat, name: Pat Okafor, phone: "+14035550111" }
      - { id: sam, name: Sam Tremblay, phone: "+14035550112" }
      - { id: lee, name: Lee Chen, phone: "+14035550113" }
    rotation:
      handoff: { day: monday, time: "08:00" }
      start: 2026-11-02
      weeks: [{ primary: pat, backup: sam }, { primary: sam, backup: lee }, { primary: lee, backup: pat }]
    overrides: ${parts.waterOverrides ?? "[]"}
    escalation: { steps: [{ notify: primary, wait: "10m" }, { notify: supervisor, wait: "15m" }], rounds: 3 }
  roads:
    label: ${parts.roadsLabel ?? "Roads"}
    supervisor: { id: gord, name: Gord Fehr, phone: "+14035550120" }
    members:
      - { id: kim, name: Kim Nakamura, phone: "+14035550122" }
      - { id: pat-o, name: Pat Okafor, phone: "+14035550111" }
    rotation:
      handoff: { day: tuesday, time: "08:00" }
      start: 2026-11-03
      weeks: [{ primary: kim, backup: pat-o }, { primary: pat-o, backup: kim }]
    overrides: ${parts.roadsOverrides ?? "[]"}
    escalation: { steps: [{ notify: primary, wait: "10m" }, { notify: supervisor, wait: "15m" }], rounds: 3 }
`,
    "oncall.yaml",
  );
}

describe("onCallChanges", () => {
  describe("when nothing changes", () => {
    it("tells nobody", () => {
      expect(onCallChanges(waterRoster(), waterRoster(), thursday)).toEqual([]);
    });

    it("tells nobody of an override that names whom the rotation has anyway", () => {
      const after = waterRoster({ overrides: "[{ from: 2026-12-05, to: 2026-12-06, primary: sam, reason: Sam confirmed }]" });
      expect(onCallChanges(waterRoster(), after, thursday)).toEqual([]);
    });
  });

  describe("an override for a crew member on leave: Pat covers Sam's weekend as primary", () => {
    const after = waterRoster({ overrides: "[{ from: 2026-12-05T08:00, to: 2026-12-07T08:00, primary: pat, reason: Sam on leave }]" });
    const changes = onCallChanges(waterRoster(), after, thursday);

    it("tells the two people whose time changed, and nobody else", () => {
      expect(changes.map((change) => change.name)).toEqual(["Pat Okafor", "Sam Tremblay"]);
    });

    it("gives Pat the weekend as primary", () => {
      const pat = changeFor(changes, "Pat Okafor");
      expect(pat.phone).toBe("+14035550111");
      expect(spans(pat.added)).toEqual(["water primary 2026-12-05T08:00 -> 2026-12-07T08:00"]);
      expect(pat.removed).toEqual([]);
    });

    it("takes the weekend from Sam", () => {
      const sam = changeFor(changes, "Sam Tremblay");
      expect(sam.added).toEqual([]);
      expect(spans(sam.removed)).toEqual(["water primary 2026-12-05T08:00 -> 2026-12-07T08:00"]);
    });

    it("gives times in the roster's zone, with the category's label", () => {
      const [interval] = changeFor(changes, "Pat Okafor").added;
      expect(interval?.from.zoneName).toBe(ZONE);
      expect(interval?.label).toBe("Water and sewer");
    });
  });

  describe("a change beyond the next 14 days", () => {
    it("tells nobody yet", () => {
      const after = waterRoster({ overrides: "[{ from: 2026-12-18, to: 2026-12-19, primary: lee, reason: Swap }]" });
      expect(onCallChanges(waterRoster(), after, thursday)).toEqual([]);
    });

    it("is told when the window is made long enough to reach it", () => {
      const after = waterRoster({ overrides: "[{ from: 2026-12-18, to: 2026-12-19, primary: lee, reason: Swap }]" });
      expect(onCallChanges(waterRoster(), after, thursday, 16).map((change) => change.name)).toEqual(["Lee Chen", "Pat Okafor"]);
    });
  });

  describe("a change that begins in the 14 days and ends after them", () => {
    it("is given whole, to its real end", () => {
      const after = waterRoster({ overrides: "[{ from: 2026-12-16, to: 2026-12-20, backup: lee, reason: Sam at a course }]" });
      const changes = onCallChanges(waterRoster(), after, thursday);
      expect(spans(changeFor(changes, "Lee Chen").added)).toEqual(["water backup 2026-12-16T00:00 -> 2026-12-21T00:00"]);
    });
  });

  describe("a rotation reordered", () => {
    const after = waterRoster({ weeks: "[{ primary: pat, backup: sam }, { primary: sam, backup: lee }, { primary: pat, backup: lee }]" });
    const changes = onCallChanges(waterRoster(), after, thursday);

    it("tells each person of their own turns only", () => {
      expect(spans(changeFor(changes, "Pat Okafor").added)).toEqual(["water primary 2026-12-07T08:00 -> 2026-12-14T08:00"]);
      expect(spans(changeFor(changes, "Pat Okafor").removed)).toEqual(["water backup 2026-12-07T08:00 -> 2026-12-14T08:00"]);
      expect(spans(changeFor(changes, "Lee Chen").added)).toEqual(["water backup 2026-12-07T08:00 -> 2026-12-14T08:00"]);
      expect(spans(changeFor(changes, "Lee Chen").removed)).toEqual(["water primary 2026-12-07T08:00 -> 2026-12-14T08:00"]);
    });

    it("leaves out Sam, whose turns are the same", () => {
      expect(changes.map((change) => change.name)).not.toContain("Sam Tremblay");
    });
  });

  describe("the same person in two categories", () => {
    const after = twoCategories({
      waterOverrides: "[{ from: 2026-12-05T08:00, to: 2026-12-07T08:00, primary: pat, reason: Sam on leave }]",
      roadsOverrides: "[{ from: 2026-12-08T08:00, to: 2026-12-09T08:00, primary: kim, reason: Pat at a course }]",
    });
    const changes = onCallChanges(twoCategories(), after, thursday);

    it("is one person, found by number, with both changes", () => {
      const pat = changes.filter((change) => change.phone === "+14035550111");
      expect(pat).toHaveLength(1);
      expect(spans(pat[0]!.added)).toEqual(["water primary 2026-12-05T08:00 -> 2026-12-07T08:00"]);
      expect(spans(pat[0]!.removed)).toEqual(["roads primary 2026-12-08T08:00 -> 2026-12-09T08:00"]);
    });
  });

  describe("a new supervisor", () => {
    const after = parseRoster(
      waterRosterYaml().replace("{ id: renee, name: Renee Blackwater, phone: \"+14035550110\" }", "{ id: ada, name: Ada Lund, phone: \"+14035550119\" }"),
      "oncall.yaml",
    );
    const changes = onCallChanges(waterRoster(), after, thursday);

    it("takes the supervisor's time from the old one, from now on", () => {
      expect(spans(changeFor(changes, "Renee Blackwater").removed)).toEqual(["water supervisor 2026-12-03T09:00 -> 2027-01-21T09:00 on"]);
    });

    it("gives it to the new one, with no end", () => {
      expect(changeFor(changes, "Ada Lund").added[0]).toMatchObject({ role: "supervisor", ongoing: true });
    });
  });

  describe("a category added", () => {
    it("tells its crew of all their time in it", () => {
      const changes = onCallChanges(waterRoster(), twoCategories(), thursday);
      expect(spans(changeFor(changes, "Kim Nakamura").added)).toEqual([
        "roads primary 2026-12-03T09:00 -> 2026-12-08T08:00",
        "roads backup 2026-12-08T08:00 -> 2026-12-15T08:00",
        "roads primary 2026-12-15T08:00 -> 2026-12-22T08:00",
      ]);
      expect(changeFor(changes, "Gord Fehr").added[0]).toMatchObject({ category: "roads", role: "supervisor", ongoing: true });
    });
  });

  describe("a category removed", () => {
    const changes = onCallChanges(twoCategories(), waterRoster(), thursday);

    it("tells its crew they no longer have their time in it", () => {
      expect(changeFor(changes, "Kim Nakamura")).toMatchObject({ added: [], removed: [{ category: "roads", role: "primary" }, { category: "roads", role: "backup" }, { category: "roads", role: "primary" }] });
    });

    it("tells someone who stays in another category only of what they lose", () => {
      const pat = changeFor(changes, "Pat Okafor");
      expect(pat.added).toEqual([]);
      expect(pat.removed.every((interval) => interval.category === "roads")).toBe(true);
    });
  });

  describe("across the fall-back DST change on 1 November", () => {
    const now = local("2026-10-29T12:00");
    const before = waterRoster({ start: "2026-10-26" });
    const after = waterRoster({ start: "2026-10-26", overrides: "[{ from: 2026-10-31T20:00, to: 2026-11-01T20:00, primary: lee, reason: Lee takes the long night }]" });
    const [lee] = onCallChanges(before, after, now).filter((change) => change.name === "Lee Chen");

    it("gives the 25-hour day its 25 hours", () => {
      const [night] = lee!.added;
      expect(night!.to.diff(night!.from, "hours").hours).toBe(25);
    });

    it("keeps the wall-clock times, in MDT before and MST after", () => {
      const [night] = lee!.added;
      expect([night!.from.toISO(), night!.to.toISO()]).toEqual(["2026-10-31T20:00:00.000-06:00", "2026-11-01T20:00:00.000-07:00"]);
    });

    it("tells Lee the times as the clock on the wall shows them", () => {
      expect(changeMessage(lee!, ZONE)).toBe("311 on-call change: you are now primary for Water and sewer from Sat 31 Oct 20:00 to Sun 1 Nov 20:00.");
    });
  });

  describe("refuses", () => {
    it("an invalid now", () => {
      expect(() => onCallChanges(waterRoster(), waterRoster(), DateTime.invalid("broken clock"))).toThrow(RangeError);
    });

    it("a window of no days", () => {
      expect(() => onCallChanges(waterRoster(), waterRoster(), thursday, 0)).toThrow(/days must be a whole number/);
    });
  });
});

describe("changeMessage", () => {
  describe("a weekend taken on in one category and a day given up in another", () => {
    const after = twoCategories({
      waterOverrides: "[{ from: 2026-12-05T08:00, to: 2026-12-07T08:00, primary: pat, reason: Sam on leave }]",
      roadsOverrides: "[{ from: 2026-12-08T08:00, to: 2026-12-09T08:00, primary: kim, reason: Pat at a course }]",
    });
    const [pat] = onCallChanges(twoCategories(), after, thursday).filter((change) => change.name === "Pat Okafor");

    it("says both in one text, in plain words and the City's time", () => {
      expect(changeMessage(pat!, ZONE)).toBe(
        "311 on-call change: you are now primary for Water and sewer from Sat 5 Dec 08:00 to Mon 7 Dec 08:00. " +
          "You are no longer primary for Roads from Tue 8 Dec 08:00 to Wed 9 Dec 08:00.",
      );
    });

    it("writes the times in the zone it is given", () => {
      expect(changeMessage(pat!, "America/Toronto")).toContain("from Sat 5 Dec 10:00 to Mon 7 Dec 10:00");
    });
  });

  describe("a role given up", () => {
    it("says what they no longer have", () => {
      const after = waterRoster({ overrides: "[{ from: 2026-12-05T08:00, to: 2026-12-07T08:00, primary: pat, reason: Sam on leave }]" });
      const [sam] = onCallChanges(waterRoster(), after, thursday).filter((change) => change.name === "Sam Tremblay");
      expect(changeMessage(sam!, ZONE)).toBe("311 on-call change: you are no longer primary for Water and sewer from Sat 5 Dec 08:00 to Mon 7 Dec 08:00.");
    });
  });

  describe("a supervisor's time, which has no end", () => {
    it("says from when, and no end", () => {
      const change: OnCallChange = {
        name: "Ada Lund",
        phone: "+14035550119",
        added: [{ category: "water", label: "Water and sewer", role: "supervisor", from: thursday, to: thursday.plus({ days: 49 }), ongoing: true }],
        removed: [],
      };
      expect(changeMessage(change, ZONE)).toBe("311 on-call change: you are now supervisor for Water and sewer from Thu 3 Dec 09:00 on.");
    });
  });

  describe("several turns of one role in one category", () => {
    it("joins them in one sentence", () => {
      const after = waterRoster({
        overrides: "[{ from: 2026-12-04, to: 2026-12-04, primary: pat, reason: Cover }, { from: 2026-12-06, to: 2026-12-06, primary: pat, reason: Cover }]",
      });
      const [pat] = onCallChanges(waterRoster(), after, thursday).filter((change) => change.name === "Pat Okafor");
      expect(changeMessage(pat!, ZONE)).toBe(
        "311 on-call change: you are now primary for Water and sewer from Fri 4 Dec 00:00 to Sat 5 Dec 00:00 and from Sun 6 Dec 00:00 to Mon 7 Dec 00:00.",
      );
    });
  });

  describe("more changes than two text segments hold", () => {
    /** A day's turn in a role, from 08:00 to 08:00 the next morning, `days` after Friday 4 December. */
    const turn = (role: "primary" | "backup", category: string, label: string, days: number): OnCallInterval => {
      const from = local("2026-12-04T08:00").plus({ days });
      return { category, label, role, from, to: from.plus({ days: 1 }), ongoing: false };
    };
    const change: OnCallChange = {
      name: "Sam Tremblay",
      phone: "+14035550112",
      added: [0, 2, 4, 6, 8, 10].map((days) => turn("primary", "water", "Water and sewer", days)),
      removed: [1, 3, 5].map((days) => turn("backup", "roads", "Roads and traffic signals", days)),
    };
    const message = changeMessage(change, ZONE);

    it("fits in two segments", () => {
      expect(message.length).toBeLessThanOrEqual(MAX_PAGE_LENGTH);
    });

    it("says the earliest of what they take on first", () => {
      expect(message).toMatch(/^311 on-call change: you are now primary for Water and sewer from Fri 4 Dec 08:00 to Sat 5 Dec 08:00 and from Sun 6 Dec 08:00/);
    });

    it("ends by saying how many more there are, and where to see them", () => {
      expect(message).toMatch(/\. \d more changes: see the console\.$/);
    });

    it("counts exactly what it left out", () => {
      const told = (message.match(/ from /g) ?? []).length;
      expect(told).toBeGreaterThan(0);
      expect(message).toContain(` ${9 - told} more changes: see the console.`);
    });

    it("says one more change in the singular", () => {
      const oneTooMany: OnCallChange = { ...change, added: change.added.slice(0, 4), removed: change.removed.slice(0, 1) };
      const text = changeMessage(oneTooMany, ZONE);
      expect(text.length).toBeLessThanOrEqual(MAX_PAGE_LENGTH);
      expect(text).toMatch(/ 1 more change: see the console\.$/);
    });
  });

  describe("a label outside the GSM alphabet", () => {
    it("is sent in plain letters, so the text stays in two segments", () => {
      const before = twoCategories({ roadsLabel: "Chaussées – feux" });
      const after = twoCategories({ roadsLabel: "Chaussées – feux", roadsOverrides: "[{ from: 2026-12-08T08:00, to: 2026-12-09T08:00, primary: kim, reason: Course }]" });
      const [pat] = onCallChanges(before, after, thursday).filter((change) => change.name === "Pat Okafor");
      expect(changeMessage(pat!, ZONE)).toBe("311 on-call change: you are no longer primary for Chaussees - feux from Tue 8 Dec 08:00 to Wed 9 Dec 08:00.");
    });
  });
});
