import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { HoursOutlooks } from "../../src/adapters/hours-outlooks.js";
import { lineStatus, type EmergencyOverride, type Hours } from "../../src/domain/hours/index.js";
import { lethbridgeHours, local, utc } from "../fixtures/hours/load.js";

const hours = lethbridgeHours();

describe("HoursOutlooks", () => {
  it("works out the outlook from the City's date", () => {
    // 03:00 UTC on 3 December is still 2 December in Lethbridge.
    expect(new HoursOutlooks().at(hours, utc("2026-12-03T03:00:00Z")).date).toBe("2026-12-02");
  });

  it("gives the same outlook all day, rather than planning again on every call", () => {
    const outlooks = new HoursOutlooks();
    const morning = outlooks.at(hours, local("2026-12-02T00:00"));
    expect(outlooks.at(hours, local("2026-12-02T10:00"))).toBe(morning);
    expect(outlooks.at(hours, local("2026-12-02T23:59:59.999"))).toBe(morning);
  });

  it("works out a new one when the City's date changes", () => {
    const outlooks = new HoursOutlooks();
    outlooks.at(hours, local("2026-12-02T23:59:59.999"));
    expect(outlooks.at(hours, local("2026-12-03T00:00")).date).toBe("2026-12-03");
  });

  it("works out a new one for another version of the hours", () => {
    const outlooks = new HoursOutlooks();
    const now = local("2026-12-02T10:00");
    outlooks.at(hours, now);
    const edited: Hours = { ...hours, closures: [{ date: "2026-12-02", reason: "a flood" }] };
    const outlook = outlooks.at(edited, now);
    expect(outlook.hours).toBe(edited);
    expect(outlook.plans[0]?.windows).toEqual([]);
  });

  it("refuses an invalid moment", () => {
    expect(() => new HoursOutlooks().at(hours, DateTime.invalid("broken clock"))).toThrow(RangeError);
  });

  describe("the line's status", () => {
    it("is lineStatus's answer", () => {
      const now = local("2026-12-02T10:00:30");
      expect(new HoursOutlooks().status(hours, now, null).status).toEqual(lineStatus(hours, now, null));
      const evening = local("2026-12-02T19:45:10");
      expect(new HoursOutlooks().status(hours, evening, null)).toMatchObject({ hours, override: null, status: lineStatus(hours, evening, null) });
    });

    it("is worked out once a minute: every call in the minute gets the same", () => {
      const outlooks = new HoursOutlooks();
      const first = outlooks.status(hours, local("2026-12-02T10:00:00"), null);
      expect(outlooks.status(hours, local("2026-12-02T10:00:59.999"), null)).toBe(first);
      expect(outlooks.status(hours, local("2026-12-02T10:01:00"), null)).not.toBe(first);
    });

    it("changes at the minute the line closes, not a call later", () => {
      const outlooks = new HoursOutlooks();
      expect(outlooks.status(hours, local("2026-12-02T16:29:59.999"), null).status.open).toBe(true);
      expect(outlooks.status(hours, local("2026-12-02T16:30:00"), null).status.open).toBe(false);
    });

    it("is worked out again for another override, or none", () => {
      const outlooks = new HoursOutlooks();
      const now = local("2026-12-02T10:00:00");
      const closed: EmergencyOverride = { mode: "closed", message: "Storm." };
      expect(outlooks.status(hours, now, null).status.branch).toBe("open");
      expect(outlooks.status(hours, now, closed).status.branch).toBe("emergency");
      expect(outlooks.status(hours, now, null).status.branch).toBe("open");
    });

    it("is worked out again for another version of the hours", () => {
      const outlooks = new HoursOutlooks();
      const now = local("2026-12-02T10:00:00");
      outlooks.status(hours, now, null);
      const edited: Hours = { ...hours, closures: [{ date: "2026-12-02", reason: "a flood" }] };
      expect(outlooks.status(edited, now, null).status).toMatchObject({ open: false, why: { kind: "closure", reason: "a flood" } });
    });

    it("refuses an invalid moment", () => {
      expect(() => new HoursOutlooks().status(hours, DateTime.invalid("broken clock"), null)).toThrow(RangeError);
    });
  });
});
