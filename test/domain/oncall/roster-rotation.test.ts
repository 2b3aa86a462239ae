import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { UnknownCategoryError, whoIsOnCall, type OnCall, type Roster } from "../../../src/domain/oncall/roster/index.js";
import { local, utc, ZONE } from "../../fixtures/hours/load.js";
import { lethbridgeRoster, testRoster, waterRoster } from "../../fixtures/oncall/load.js";

/** Who holds each role, by member id, and why: what most of these tests look at. */
function roles(onCall: OnCall): { primary: string | null; backup: string | null; source: string } {
  return { primary: onCall.primary?.id ?? null, backup: onCall.backup?.id ?? null, source: onCall.source };
}

const onCallAt = (roster: Roster, category: string, at: DateTime) => roles(whoIsOnCall(roster, category, at));

describe("whoIsOnCall", () => {
  describe("in Lethbridge's water rotation (Monday 08:00 handoffs from 2026-11-02: pat/sam, sam/lee, lee/pat)", () => {
    const roster = lethbridgeRoster();
    const water = (isoLocal: string) => onCallAt(roster, "water", local(isoLocal));

    describe("at a handoff", () => {
      it("one second before 08:00, the outgoing week is still on call", () => {
        expect(water("2026-11-09T07:59:59")).toEqual({ primary: "pat", backup: "sam", source: "rotation week 1" });
      });

      it("at 08:00:00, the incoming week is on call", () => {
        expect(water("2026-11-09T08:00:00")).toEqual({ primary: "sam", backup: "lee", source: "rotation week 2" });
      });

      it("counts the last millisecond before 08:00 as the outgoing week", () => {
        expect(water("2026-11-09T07:59:59.999").source).toBe("rotation week 1");
      });

      it("says the arrangement lasts until the next handoff, in the roster's zone", () => {
        const onCall = whoIsOnCall(roster, "water", local("2026-11-10T14:00"));
        expect(onCall.until?.toISO()).toBe("2026-11-16T08:00:00.000-07:00");
        expect(onCall.until?.zoneName).toBe(ZONE);
      });
    });

    describe("week after week", () => {
      it.each([
        ["2026-11-02T08:00", "pat", "sam", 1],
        ["2026-11-13T23:00", "sam", "lee", 2],
        ["2026-11-16T08:00", "lee", "pat", 3],
        ["2026-11-23T08:00", "pat", "sam", 1],
        ["2026-11-30T08:00", "sam", "lee", 2],
        // 52 weeks after the start: 52 = 3 * 17 + 1, so the second week of the cycle.
        ["2027-11-01T08:00", "sam", "lee", 2],
      ])("at %s, %s is primary and %s backup (rotation week %i)", (at, primary, backup, week) => {
        expect(water(at)).toEqual({ primary, backup, source: `rotation week ${week}` });
      });

      it("names the members in full, with their numbers, and the supervisor", () => {
        const onCall = whoIsOnCall(roster, "water", local("2026-11-02T08:00"));
        expect(onCall.category).toBe("water");
        expect(onCall.primary).toEqual({ id: "pat", name: "Pat Okafor", phone: "+14035550111", channels: ["sms", "voice"] });
        expect(onCall.supervisor).toMatchObject({ name: "Renee Blackwater", phone: "+14035550110" });
      });
    });

    describe("before the rotation starts", () => {
      it("nobody is on call, until the first handoff", () => {
        const onCall = whoIsOnCall(roster, "water", local("2026-11-02T07:59:59"));
        expect(roles(onCall)).toEqual({ primary: null, backup: null, source: "before the rotation starts on 2026-11-02 at 08:00" });
        expect(onCall.until?.toISO()).toBe("2026-11-02T08:00:00.000-07:00");
      });
    });

    describe("over Christmas, when Pat covers 24–26 December as primary", () => {
      it("the rotation decides until the end of the 23rd", () => {
        expect(water("2026-12-23T23:59:59")).toEqual({ primary: "sam", backup: "lee", source: "rotation week 2" });
      });

      it("Pat is primary from the start of the 24th, and the week's backup stays", () => {
        expect(water("2026-12-24T00:00")).toEqual({ primary: "pat", backup: "lee", source: "Pat covers Christmas; backup from rotation week 2" });
      });

      it("covers the whole of the 26th: a date-only end is inclusive", () => {
        expect(water("2026-12-26T23:59:59").primary).toBe("pat");
        expect(water("2026-12-27T00:00").primary).toBe("sam");
      });

      it("lasts until midnight at the end of the 26th, then the rotation's week lasts until its handoff", () => {
        expect(whoIsOnCall(roster, "water", local("2026-12-24T23:00")).until?.toISO()).toBe("2026-12-27T00:00:00.000-07:00");
        expect(whoIsOnCall(roster, "water", local("2026-12-27T00:00")).until?.toISO()).toBe("2026-12-28T08:00:00.000-07:00");
      });

      it("says the rotation's week lasts until the override begins", () => {
        expect(whoIsOnCall(roster, "water", local("2026-12-21T08:00")).until?.toISO()).toBe("2026-12-24T00:00:00.000-07:00");
      });

      it("leaves the other categories alone", () => {
        expect(onCallAt(roster, "power", local("2026-12-24T23:00"))).toEqual({ primary: "marcus", backup: "jen", source: "rotation week 2" });
      });
    });

    it("takes the moment in any zone and judges it by Lethbridge's clock", () => {
      // 15:00 UTC is 08:00 MST.
      expect(onCallAt(roster, "water", utc("2026-11-09T14:59:59Z")).source).toBe("rotation week 1");
      expect(onCallAt(roster, "water", utc("2026-11-09T15:00:00Z")).source).toBe("rotation week 2");
      expect(onCallAt(roster, "water", DateTime.fromISO("2026-11-09T10:00", { zone: "America/Toronto" })).source).toBe("rotation week 2");
    });
  });

  describe("across DST changes", () => {
    describe("with Monday 08:00 handoffs (the test roster, from 2024-01-01)", () => {
      const roster = testRoster();
      const source = (at: DateTime) => whoIsOnCall(roster, "power", at).source;

      it("hands over at 08:00 MST on the Monday after clocks fall back (2026-11-01)", () => {
        expect(source(utc("2026-11-02T14:59:59Z"))).not.toBe(source(utc("2026-11-02T15:00:00Z")));
        expect(source(utc("2026-11-02T14:00:00Z"))).toBe(source(utc("2026-11-02T14:59:59Z")));
      });

      it("makes that week 169 hours long, from 08:00 MDT to 08:00 MST", () => {
        const started = whoIsOnCall(roster, "power", local("2026-10-26T08:00"));
        expect(started.until?.toISO()).toBe("2026-11-02T08:00:00.000-07:00");
        expect(started.until?.diff(local("2026-10-26T08:00"), "hours").hours).toBe(169);
      });

      it("hands over at 08:00 MDT on the Monday after clocks spring forward (2027-03-14), a 167-hour week", () => {
        const started = whoIsOnCall(roster, "power", local("2027-03-08T08:00"));
        expect(started.until?.toISO()).toBe("2027-03-15T08:00:00.000-06:00");
        expect(started.until?.diff(local("2027-03-08T08:00"), "hours").hours).toBe(167);
        expect(source(utc("2027-03-15T13:59:59Z"))).not.toBe(source(utc("2027-03-15T14:00:00Z")));
      });
    });

    describe("with a Sunday 02:30 handoff, on 2027-03-14 when 02:30 does not exist", () => {
      const roster = waterRoster({ handoff: '{ day: sunday, time: "02:30" }', start: "2027-03-07" });

      it("the outgoing week is on call until the clock reaches 03:30 MDT", () => {
        expect(onCallAt(roster, "water", local("2027-03-14T01:59:59")).source).toBe("rotation week 1");
        expect(onCallAt(roster, "water", utc("2027-03-14T09:29:59Z")).source).toBe("rotation week 1");
      });

      it("the incoming week is on call from 03:30 MDT", () => {
        expect(onCallAt(roster, "water", local("2027-03-14T03:30")).source).toBe("rotation week 2");
      });

      it("says so in until", () => {
        expect(whoIsOnCall(roster, "water", local("2027-03-10T12:00")).until?.toISO()).toBe("2027-03-14T03:30:00.000-06:00");
      });

      it("is back at 02:30 the week after", () => {
        expect(whoIsOnCall(roster, "water", local("2027-03-14T03:30")).until?.toISO()).toBe("2027-03-21T02:30:00.000-06:00");
      });
    });

    describe("with a Sunday 01:30 handoff, on 2026-11-01 when 01:30 happens twice", () => {
      const roster = waterRoster({ handoff: '{ day: sunday, time: "01:30" }', start: "2026-10-25" });

      it("hands over the first time 01:30 comes round (MDT)", () => {
        expect(onCallAt(roster, "water", utc("2026-11-01T07:29:59Z")).source).toBe("rotation week 1");
        expect(onCallAt(roster, "water", utc("2026-11-01T07:30:00Z")).source).toBe("rotation week 2");
      });

      it("does not hand over again the second time (MST)", () => {
        expect(onCallAt(roster, "water", utc("2026-11-01T08:30:00Z")).source).toBe("rotation week 2");
        expect(whoIsOnCall(roster, "water", utc("2026-11-01T08:30:00Z")).until?.toISO()).toBe("2026-11-08T01:30:00.000-07:00");
      });
    });
  });

  describe("with overrides", () => {
    it("a later override wins over an earlier one where they overlap", () => {
      const roster = waterRoster({
        overrides: `
      - { from: 2026-12-01, to: 2026-12-10, primary: lee, reason: Lee covers }
      - { from: 2026-12-05, to: 2026-12-06, primary: sam, reason: Sam covers the weekend }`,
      });
      expect(onCallAt(roster, "water", local("2026-12-04T12:00")).primary).toBe("lee");
      expect(onCallAt(roster, "water", local("2026-12-05T12:00"))).toMatchObject({ primary: "sam", source: "Sam covers the weekend; backup from rotation week 2" });
      expect(onCallAt(roster, "water", local("2026-12-07T12:00")).primary).toBe("lee");
    });

    it("an override of the backup alone keeps the week's primary", () => {
      const roster = waterRoster({ overrides: "[{ from: 2026-11-03, to: 2026-11-04, backup: lee, reason: Sam at training }]" });
      expect(onCallAt(roster, "water", local("2026-11-03T12:00"))).toEqual({
        primary: "pat",
        backup: "lee",
        source: "Sam at training; primary from rotation week 1",
      });
    });

    it("an override of both roles gives its reason alone", () => {
      const roster = waterRoster({ overrides: "[{ from: 2026-11-03, to: 2026-11-04, primary: lee, backup: sam, reason: Pat away }]" });
      expect(onCallAt(roster, "water", local("2026-11-03T12:00"))).toEqual({ primary: "lee", backup: "sam", source: "Pat away" });
    });

    it("gives each reason when two overrides change a role each", () => {
      const roster = waterRoster({
        overrides: `
      - { from: 2026-11-03, to: 2026-11-04, primary: lee, reason: Pat away }
      - { from: 2026-11-03, to: 2026-11-04, backup: pat, reason: Sam away }`,
      });
      expect(onCallAt(roster, "water", local("2026-11-03T12:00"))).toEqual({ primary: "lee", backup: "pat", source: "Pat away; Sam away" });
    });

    it("begins and ends at local times when it gives them, the end not included", () => {
      const roster = waterRoster({ overrides: "[{ from: 2026-12-24T16:30, to: 2026-12-25T08:00, primary: lee, reason: Lee covers Christmas Eve }]" });
      expect(onCallAt(roster, "water", local("2026-12-24T16:29:59")).primary).toBe("sam");
      expect(onCallAt(roster, "water", local("2026-12-24T16:30")).primary).toBe("lee");
      expect(onCallAt(roster, "water", local("2026-12-25T07:59:59")).primary).toBe("lee");
      expect(onCallAt(roster, "water", local("2026-12-25T08:00")).primary).toBe("sam");
    });

    it("a role set to null leaves nobody in it", () => {
      const roster = waterRoster({ overrides: "[{ from: 2026-11-03, to: 2026-11-03, primary: null, backup: null, reason: Crew at the flood }]" });
      expect(onCallAt(roster, "water", local("2026-11-03T12:00"))).toEqual({ primary: null, backup: null, source: "Crew at the flood" });
    });

    it("can put someone on call before the rotation starts", () => {
      const roster = waterRoster({ overrides: "[{ from: 2026-10-31, to: 2026-10-31, primary: lee, reason: Lee covers Halloween }]" });
      expect(onCallAt(roster, "water", local("2026-10-31T22:00"))).toEqual({
        primary: "lee",
        backup: null,
        source: "Lee covers Halloween; no backup before the rotation starts",
      });
    });
  });

  describe("when nothing ever changes", () => {
    it("a one-week rotation with no overrides ahead lasts forever: until is null", () => {
      const roster = waterRoster({ weeks: "[{ primary: pat, backup: sam }]" });
      expect(whoIsOnCall(roster, "water", local("2026-12-01T12:00")).until).toBeNull();
    });

    it("until an override comes", () => {
      const roster = waterRoster({ weeks: "[{ primary: pat, backup: sam }]", overrides: "[{ from: 2027-01-10, to: 2027-01-10, primary: lee, reason: Pat away }]" });
      expect(whoIsOnCall(roster, "water", local("2026-12-01T12:00")).until?.toISO()).toBe("2027-01-10T00:00:00.000-07:00");
      expect(whoIsOnCall(roster, "water", local("2027-01-11T00:00")).until).toBeNull();
    });
  });

  describe("with a category the roster does not have", () => {
    const roster = lethbridgeRoster();

    it("throws an UnknownCategoryError that suggests the one meant", () => {
      expect(() => whoIsOnCall(roster, "watr", local("2026-12-01T12:00"))).toThrow(UnknownCategoryError);
      expect(() => whoIsOnCall(roster, "watr", local("2026-12-01T12:00"))).toThrow('unknown category "watr" (did you mean "water"?)');
    });

    it("lists the categories when none is close", () => {
      expect(() => whoIsOnCall(roster, "snow", local("2026-12-01T12:00"))).toThrow('unknown category "snow" (the roster has power, water, roads)');
    });

    it("does not take an inherited property for a category", () => {
      expect(() => whoIsOnCall(roster, "toString", local("2026-12-01T12:00"))).toThrow(UnknownCategoryError);
    });
  });

  it("refuses an invalid time", () => {
    expect(() => whoIsOnCall(lethbridgeRoster(), "water", DateTime.invalid("test"))).toThrow(RangeError);
  });
});
