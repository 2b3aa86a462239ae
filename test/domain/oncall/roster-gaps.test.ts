import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { findGaps, type Gap } from "../../../src/domain/oncall/roster/index.js";
import { local, ZONE } from "../../fixtures/hours/load.js";
import { lethbridgeRoster, testRoster, waterRoster } from "../../fixtures/oncall/load.js";

/** Gaps as text, to compare whole lists at a glance: `lonely 2026-12-14T08:00 -> 2026-12-28T08:00`. */
const describeGaps = (gaps: Gap[]) => gaps.map((gap) => `${gap.category} ${gap.from.toFormat("yyyy-MM-dd'T'HH:mm")} -> ${gap.to.toFormat("yyyy-MM-dd'T'HH:mm")}`);

describe("findGaps", () => {
  describe("in Lethbridge's roster", () => {
    it("finds none in the year after the rotation starts", () => {
      expect(findGaps(lethbridgeRoster(), local("2026-11-02T08:00"), local("2027-11-02T08:00"))).toEqual([]);
    });

    it("finds the time before the rotation starts, in every category", () => {
      expect(describeGaps(findGaps(lethbridgeRoster(), local("2026-11-01T00:00"), local("2026-11-03T00:00")))).toEqual([
        "power 2026-11-01T00:00 -> 2026-11-02T08:00",
        "roads 2026-11-01T00:00 -> 2026-11-02T08:00",
        "water 2026-11-01T00:00 -> 2026-11-02T08:00",
      ]);
    });
  });

  describe("in the test roster, where lonely has nobody in rotation weeks 2 and 3", () => {
    const gaps = findGaps(testRoster(), local("2026-12-01T00:00"), local("2027-01-15T00:00"));

    it("finds lonely's empty weeks, joining two in a row into one gap", () => {
      expect(describeGaps(gaps)).toEqual([
        "lonely 2026-12-01T00:00 -> 2026-12-07T08:00",
        "lonely 2026-12-14T08:00 -> 2026-12-28T08:00",
        "lonely 2027-01-04T08:00 -> 2027-01-15T00:00",
      ]);
    });

    it("cuts gaps at the ends of the range asked about", () => {
      expect(gaps[0]?.from.toISO()).toBe("2026-12-01T00:00:00.000-07:00");
      expect(gaps.at(-1)?.to.toISO()).toBe("2027-01-15T00:00:00.000-07:00");
    });

    it("gives times in the roster's zone, whatever zone the range was given in", () => {
      const inUtc = findGaps(testRoster(), local("2026-12-01T00:00").toUTC(), local("2027-01-15T00:00").toUTC());
      expect(inUtc.every((gap) => gap.from.zoneName === ZONE && gap.to.zoneName === ZONE)).toBe(true);
      expect(describeGaps(inUtc)).toEqual(describeGaps(gaps));
    });
  });

  describe("with overrides", () => {
    it("finds an override that leaves nobody on call, joined with the empty week next to it", () => {
      const roster = waterRoster({
        weeks: "[{ primary: pat, backup: sam }, {}]",
        overrides: "[{ from: 2026-11-05T18:00, to: 2026-11-09T08:00, primary: null, backup: null, reason: Crew at the flood }]",
      });
      expect(describeGaps(findGaps(roster, local("2026-11-02T08:00"), local("2026-11-20T00:00")))).toEqual([
        "water 2026-11-05T18:00 -> 2026-11-16T08:00",
      ]);
    });

    it("does not count a week with a backup and no primary as a gap", () => {
      const roster = waterRoster({ weeks: "[{ backup: sam }]" });
      expect(findGaps(roster, local("2026-11-02T08:00"), local("2026-12-02T08:00"))).toEqual([]);
    });

    it("sorts gaps in different categories by when they begin", () => {
      const roster = testRoster();
      roster.categories["water"] = {
        ...roster.categories["water"]!,
        overrides: [{ from: "2026-12-10", to: "2026-12-10", primary: null, backup: null, reason: "Crew at the flood" }],
      };
      expect(describeGaps(findGaps(roster, local("2026-12-01T00:00"), local("2026-12-20T00:00")))).toEqual([
        "lonely 2026-12-01T00:00 -> 2026-12-07T08:00",
        "water 2026-12-10T00:00 -> 2026-12-11T00:00",
        "lonely 2026-12-14T08:00 -> 2026-12-20T00:00",
      ]);
    });
  });

  it("finds nothing in an empty range", () => {
    expect(findGaps(testRoster(), local("2026-12-20T00:00"), local("2026-12-01T00:00"))).toEqual([]);
  });

  it("refuses an invalid time", () => {
    expect(() => findGaps(testRoster(), DateTime.invalid("test"), local("2026-12-01T00:00"))).toThrow(RangeError);
  });
});
