import { describe, expect, it } from "vitest";
import { gapWarnings } from "../../../src/domain/oncall/roster/gaps.js";
import { formatProblem } from "../../../src/domain/validation.js";
import { local } from "../../fixtures/hours/load.js";
import { lethbridgeRoster, testRoster } from "../../fixtures/oncall/load.js";

const FILE = "flows/oncall.yaml";
const HINT = " (an urgent report then pages only the supervisor; add an override or fill the rotation week, and see every gap with npm run oncall -- gaps)";

describe("gapWarnings, what flows:check says about gaps ahead", () => {
  describe("in the test roster, where lonely has nobody in rotation weeks 2 and 3", () => {
    // From Thursday 2026-12-10 12:00: lonely is empty from 2026-12-14 08:00 to 2026-12-28 08:00, and again from 2027-01-04 08:00.
    const warnings = gapWarnings(testRoster(), FILE, local("2026-12-10T12:00"));

    it("warns once for each gap in the next 30 days, naming the category, when, and for how long", () => {
      expect(warnings.map(formatProblem)).toEqual([
        `${FILE}: categories.lonely: warning: nobody on call from Mon 2026-12-14 08:00 MST to Mon 2026-12-28 08:00 MST (14 days)` +
          HINT,
        `${FILE}: categories.lonely: warning: nobody on call from Mon 2027-01-04 08:00 MST to Sat 2027-01-09 12:00 MST (5 days 4 hours)` +
          HINT,
      ]);
    });

    it("gives warnings, which do not stop the roster from being used", () => {
      expect(warnings.every((warning) => warning.severity === "warning")).toBe(true);
    });
  });

  it("says a gap that has already begun is now", () => {
    const [first] = gapWarnings(testRoster(), FILE, local("2026-12-20T03:00:10"));
    expect(first?.message).toBe("nobody on call now, until Mon 2026-12-28 08:00 MST (8 days 4 hours 59 minutes)");
  });

  it("looks no further ahead than asked (30 days unless told: see the gap cut at Sat 2027-01-09 12:00 above)", () => {
    // Robin is on call for lonely from Mon 2026-12-07 08:00 for a week; the next gap begins then.
    expect(gapWarnings(testRoster(), FILE, local("2026-12-07T08:00"), 7)).toEqual([]);
    expect(gapWarnings(testRoster(), FILE, local("2026-12-07T08:01"), 7)).toHaveLength(1);
  });

  it("is silent for a roster with somebody on call throughout (Lethbridge's)", () => {
    expect(gapWarnings(lethbridgeRoster(), FILE, local("2026-12-02T10:00"))).toEqual([]);
  });
});
