import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { EmergencyOverrideSchema, EmergencyOverrideToSet, activeOverride } from "../../../src/domain/hours/index.js";

const now = DateTime.fromISO("2026-12-02T10:00:00", { zone: "America/Edmonton" });

describe("EmergencyOverrideSchema", () => {
  describe("accepts", () => {
    it("a full override", () => {
      const override = {
        mode: "closed",
        message: "A watermain break downtown: expect low water pressure.",
        until: "2026-12-02T18:00:00-07:00",
        setBy: "supervisor@lethbridge.ca",
        setAt: "2026-12-02T09:40:00Z",
      };
      expect(EmergencyOverrideSchema.parse(override)).toEqual(override);
    });

    it("an empty one (the schedule decides, nobody hears anything)", () => {
      expect(EmergencyOverrideSchema.parse({})).toEqual({});
    });

    it("a message of exactly 600 characters", () => {
      expect(EmergencyOverrideSchema.safeParse({ message: "x".repeat(600) }).success).toBe(true);
    });
  });

  it("trims the message", () => {
    expect(EmergencyOverrideSchema.parse({ message: "  Roads are closed.  " }).message).toBe("Roads are closed.");
  });

  it("ignores fields it does not know, so an older instance still honours a newer console's override", () => {
    expect(EmergencyOverrideSchema.parse({ mode: "closed", severity: "high" })).toEqual({ mode: "closed" });
  });

  describe("refuses", () => {
    it.each([
      ["an unknown mode", { mode: "shut" }, ["mode"], 'unknown mode "shut"'],
      ["an empty message", { message: "   " }, ["message"], "message is empty"],
      ["a message over 600 characters", { message: "x".repeat(601) }, ["message"], "message is longer than 600 characters"],
      ["an until without an offset", { until: "2026-12-02T18:00:00" }, ["until"], '"2026-12-02T18:00:00" is not a date and time with an offset'],
      ["an until that is not a time", { until: "tonight" }, ["until"], '"tonight" is not a date and time with an offset'],
      ["an impossible until", { until: "2026-02-30T18:00:00-07:00" }, ["until"], '"2026-02-30T18:00:00-07:00" is not a date and time with an offset'],
    ])("%s", (_, input, path, message) => {
      const result = EmergencyOverrideSchema.safeParse(input);
      expect(result.success).toBe(false);
      expect(result.error?.issues).toEqual([expect.objectContaining({ path, message })]);
    });
  });
});

describe("activeOverride", () => {
  it("is null when there is no override", () => {
    expect(activeOverride(null, now)).toBeNull();
    expect(activeOverride(undefined, now)).toBeNull();
  });

  it("is null when the override neither forces the line nor says anything", () => {
    expect(activeOverride({ setBy: "supervisor" }, now)).toBeNull();
  });

  it("is the override while it has no end", () => {
    const override = { mode: "closed" as const };
    expect(activeOverride(override, now)).toBe(override);
  });

  describe("with an until", () => {
    const override = { mode: "closed" as const, message: "Storm.", until: "2026-12-02T12:00:00-07:00" };

    it("applies before it", () => {
      expect(activeOverride(override, now)).toBe(override);
      expect(activeOverride(override, DateTime.fromISO("2026-12-02T11:59:59.999-07:00"))).toBe(override);
    });

    it("no longer applies at it, or after it", () => {
      expect(activeOverride(override, DateTime.fromISO("2026-12-02T12:00:00-07:00"))).toBeNull();
      expect(activeOverride(override, DateTime.fromISO("2026-12-03T00:00:00-07:00"))).toBeNull();
    });

    it("compares instants, whatever zone either side is written in", () => {
      expect(activeOverride(override, DateTime.fromISO("2026-12-02T18:59:59Z"))).toBe(override);
      expect(activeOverride(override, DateTime.fromISO("2026-12-02T19:00:00Z"))).toBeNull();
    });
  });

  it("treats an until it cannot read as expired, leaving the schedule in charge", () => {
    expect(activeOverride({ mode: "closed", until: "tonight" }, now)).toBeNull();
  });

  describe("that opens the line with no end (written by hand, or by software that did not check)", () => {
    it("does not force the line open: that would switch the trouble line off for good", () => {
      expect(activeOverride({ mode: "open" }, now)).toBeNull();
    });

    it("still has its message spoken", () => {
      expect(activeOverride({ mode: "open", message: "Flood line open.", setBy: "Dana" }, now)).toEqual({ message: "Flood line open.", setBy: "Dana" });
    });

    it("opens the line once it names its end", () => {
      const override = { mode: "open" as const, until: "2026-12-02T16:30:00-07:00" };
      expect(activeOverride(override, now)).toBe(override);
    });
  });
});

describe("EmergencyOverrideToSet, what may be written", () => {
  it("takes an override that opens the line until a time", () => {
    expect(EmergencyOverrideToSet.safeParse({ mode: "open", until: "2026-12-02T16:30:00-07:00" }).success).toBe(true);
  });

  it("takes a closure with no end: the trouble line stays on", () => {
    expect(EmergencyOverrideToSet.safeParse({ mode: "closed" }).success).toBe(true);
  });

  it("refuses an override that opens the line with no end, naming until", () => {
    expect(EmergencyOverrideToSet.safeParse({ mode: "open", message: "Flood line open." }).error?.issues).toEqual([
      expect.objectContaining({ path: ["until"], message: "an override that opens the line needs an end (until)" }),
    ]);
  });
});
