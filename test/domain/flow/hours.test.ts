import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { step } from "../../../src/domain/flow/engine.js";
import { hoursOutlook, lineStatus, minuteOf, type EmergencyOverride } from "../../../src/domain/hours/index.js";
import { at, cityHours, environment, flowFrom, freshCall, heard } from "../../helpers/flow.js";

/** Every branch leads to its own goodbye, so the words say which way the call went. */
const flow = flowFrom(`
start: check
fallbackQueue: general
states:
  check:
    type: hours
    open: open
    closed: closed
    holiday: holiday
    emergency: emergency
  open:
    type: hangup
    text: open
  closed:
    type: hangup
    text: closed
  holiday:
    type: hangup
    text: holiday {holiday}
  emergency:
    type: hangup
    text: emergency
`);

/** The same, without the optional holiday and emergency branches. */
const twoWay = flowFrom(`
start: check
fallbackQueue: general
states:
  check:
    type: hours
    open: open
    closed: closed
  open:
    type: hangup
    text: open
  closed:
    type: hangup
    text: closed
`);

const hours = cityHours();

function branchAt(now: DateTime, override: EmergencyOverride | null = null, which = flow): string {
  const { actions } = step(which, freshCall(which, { now }), {}, environment({ now, hours, override }));
  return heard(actions).join(" ");
}

function varsAt(now: DateTime, override: EmergencyOverride | null = null): Record<string, string> {
  return step(flow, freshCall(flow, { now }), {}, environment({ now, hours, override })).call.vars;
}

describe("an hours state", () => {
  describe("on a weekday (Wednesday 2 December 2026, Lethbridge time)", () => {
    it("is closed at 07:59:59", () => {
      expect(branchAt(at("2026-12-02T07:59:59"))).toBe("closed");
    });

    it("is open at 08:00:00", () => {
      expect(branchAt(at("2026-12-02T08:00:00"))).toBe("open");
    });

    it("is open at 16:29:59", () => {
      expect(branchAt(at("2026-12-02T16:29:59"))).toBe("open");
    });

    it("is closed at 16:30:00", () => {
      expect(branchAt(at("2026-12-02T16:30:00"))).toBe("closed");
    });

    it("judges a moment given in UTC by Lethbridge's clock (15:00Z is 08:00 in winter)", () => {
      expect(branchAt(DateTime.fromISO("2026-12-02T15:00:00Z", { zone: "utc" }))).toBe("open");
    });
  });

  describe("on the Monday after clocks spring forward (9 March 2026, UTC-6)", () => {
    it("is closed at 13:59:59Z, which is 07:59:59 local", () => {
      expect(branchAt(DateTime.fromISO("2026-03-09T13:59:59Z", { zone: "utc" }))).toBe("closed");
    });

    it("is open at 14:00:00Z, which is 08:00:00 local", () => {
      expect(branchAt(DateTime.fromISO("2026-03-09T14:00:00Z", { zone: "utc" }))).toBe("open");
    });
  });

  describe("on a Saturday", () => {
    it("is closed all day", () => {
      expect(branchAt(at("2026-12-05T10:00:00"))).toBe("closed");
    });

    it("says when the line opens next, and gives no reason: a weekend needs none", () => {
      expect(varsAt(at("2026-12-05T10:00:00"))).toMatchObject({ closedReason: "", opensAt: "Monday, December 7 at 8:00 AM" });
    });
  });

  describe("on a dated closure (Christmas Eve 2026 closes at noon)", () => {
    it("is open in the morning", () => {
      expect(branchAt(at("2026-12-24T11:59:59"))).toBe("open");
    });

    it("takes the closed branch from noon", () => {
      expect(branchAt(at("2026-12-24T12:00:00"))).toBe("closed");
    });

    it("at 13:00, tells the caller why: it closed early, at noon, for Christmas Eve", () => {
      expect(varsAt(at("2026-12-24T13:00:00")).closedReason).toBe("City offices closed early today, at 12 noon, for Christmas Eve.");
    });

    it("after its usual closing time, is an ordinary evening with no reason to give", () => {
      expect(varsAt(at("2026-12-24T17:00:00")).closedReason).toBe("");
    });
  });

  describe("on a City holiday (Christmas Day 2026, a Friday)", () => {
    it("takes the holiday branch in what would be business hours", () => {
      expect(branchAt(at("2026-12-25T10:00:00"))).toBe("holiday Christmas Day");
    });

    it("sets {holiday} to the holiday's name", () => {
      expect(varsAt(at("2026-12-25T10:00:00")).holiday).toBe("Christmas Day");
    });

    it("tells the caller why the line is closed, all day long", () => {
      expect(varsAt(at("2026-12-25T21:00:00")).closedReason).toBe("City offices are closed today for Christmas Day.");
    });

    it("takes the closed branch when the flow has no holiday branch", () => {
      expect(branchAt(at("2026-12-25T10:00:00"), null, twoWay)).toBe("closed");
    });
  });

  describe("when a supervisor has closed the line for an emergency", () => {
    const closed: EmergencyOverride = { mode: "closed" };

    it("takes the emergency branch even in business hours", () => {
      expect(branchAt(at("2026-12-02T10:00:00"), closed)).toBe("emergency");
    });

    it("tells the caller the line is closed because of an emergency", () => {
      expect(varsAt(at("2026-12-02T10:00:00"), closed).closedReason).toBe("City offices are closed for now because of an emergency.");
    });

    it("takes the closed branch when the flow has no emergency branch", () => {
      expect(branchAt(at("2026-12-02T10:00:00"), closed, twoWay)).toBe("closed");
    });

    it("lets the schedule decide again once the override's until has passed", () => {
      const expired: EmergencyOverride = { mode: "closed", until: "2026-12-02T09:00:00-07:00" };
      expect(branchAt(at("2026-12-02T10:00:00"), expired)).toBe("open");
    });
  });

  describe("when a supervisor has opened the line", () => {
    it("takes the open branch in the middle of the night, until the end they set", () => {
      expect(branchAt(at("2026-12-05T02:00:00"), { mode: "open", until: "2026-12-05T06:00:00-07:00" })).toBe("open");
    });

    it("takes the closed branch once that end has passed", () => {
      expect(branchAt(at("2026-12-05T06:00:00"), { mode: "open", until: "2026-12-05T06:00:00-07:00" })).toBe("closed");
    });

    it("with no end set, does not switch the trouble line off: the schedule decides", () => {
      expect(branchAt(at("2026-12-05T02:00:00"), { mode: "open" })).toBe("closed");
    });
  });

  describe("given today's outlook by the shell", () => {
    it("reads it, rather than planning the days again", () => {
      const now = at("2026-12-02T10:00:00");
      const emptied = { ...hoursOutlook(hours, "2026-12-02"), openings: [] };
      const { actions } = step(flow, freshCall(flow, { now }), {}, { ...environment({ now, hours }), outlook: emptied });
      expect(heard(actions).join(" ")).toBe("closed");
    });
  });

  describe("given the line's status for this minute by the shell", () => {
    const now = at("2026-12-02T10:00:30");
    // A status that says otherwise than the hours do, to see which one the state goes by.
    const closedStatus = lineStatus(hours, at("2026-12-02T20:00:00"));

    it("reads it, rather than working it out again", () => {
      const minuteStatus = { hours, override: null, minute: minuteOf(now), status: closedStatus };
      const { actions } = step(flow, freshCall(flow, { now }), {}, { ...environment({ now, hours }), minuteStatus });
      expect(heard(actions).join(" ")).toBe("closed");
    });

    it("works the status out itself when what it was given is for another minute, hours or override", () => {
      const givens = [
        { hours, override: null, minute: minuteOf(now) - 1, status: closedStatus },
        { hours: { ...hours }, override: null, minute: minuteOf(now), status: closedStatus },
        { hours, override: { message: "Storm." }, minute: minuteOf(now), status: closedStatus },
      ];
      for (const minuteStatus of givens) {
        const { actions } = step(flow, freshCall(flow, { now }), {}, { ...environment({ now, hours }), minuteStatus });
        expect(heard(actions).join(" ")).toBe("open");
      }
    });
  });

  describe("the values it leaves for the prompts that follow", () => {
    it("gives the hours summary and no closing reason while open", () => {
      expect(varsAt(at("2026-12-02T10:00:00"))).toEqual({
        hoursSummary: "Monday to Friday, 8 a.m. to 4:30 p.m., except City holidays",
        closedReason: "",
        holiday: "",
        opensAt: "",
      });
    });

    it("gives the next opening in Lethbridge time after hours, and no reason on an ordinary evening", () => {
      expect(varsAt(at("2026-12-02T16:30:00"))).toMatchObject({ closedReason: "", opensAt: "Thursday, December 3 at 8:00 AM" });
    });
  });
});
