import { describe, expect, it } from "vitest";
import { whyStale, type IncidentStanding } from "../../../src/domain/oncall/stale-sends.js";

const LEE = "+14035550113";
const SAM = "+14035550112";
const open: IncidentStanding = { reference: "100123", status: "open" };
const takenByLee: IncidentStanding = { reference: "100123", status: "acknowledged", acknowledgedBy: "Lee Chen", acknowledgedByPhone: LEE };
const fixed: IncidentStanding = { ...takenByLee, status: "resolved" };

describe("whether a send waiting its turn still goes when its turn comes", () => {
  describe("an escalation page", () => {
    it("goes while nobody has taken the incident", () => {
      expect(whyStale("escalation", SAM, open)).toBeUndefined();
    });

    it("is dropped once someone took it, saying who", () => {
      expect(whyStale("escalation", SAM, takenByLee)).toBe("#100123 was taken by Lee Chen");
    });

    it("is dropped for the one who took it too: they need no call about what they hold", () => {
      expect(whyStale("escalation", LEE, takenByLee)).toBe("#100123 was taken by Lee Chen");
    });

    it("is dropped once it was marked fixed", () => {
      expect(whyStale("escalation", SAM, fixed)).toBe("#100123 was marked fixed");
    });
  });

  describe("an incident's first page", () => {
    it("goes while nobody has taken the incident", () => {
      expect(whyStale("first-page", LEE, open)).toBeUndefined();
    });

    it("goes when someone took it meanwhile: it is how the crew hears of it at all", () => {
      expect(whyStale("first-page", SAM, takenByLee)).toBeUndefined();
    });

    it("is dropped once it was marked fixed: nobody is phoned at night for a fixed incident", () => {
      expect(whyStale("first-page", SAM, fixed)).toBe("#100123 was marked fixed");
    });
  });

  describe('"N more reports"', () => {
    it("goes to whoever was paged while nobody has taken it", () => {
      expect(whyStale("more-reports", SAM, open)).toBeUndefined();
    });

    it("goes to the one who took it", () => {
      expect(whyStale("more-reports", LEE, takenByLee)).toBeUndefined();
    });

    it("is dropped when someone else took it: they are told the count instead", () => {
      expect(whyStale("more-reports", SAM, takenByLee)).toBe("#100123 was taken by Lee Chen, who is told the count instead");
    });

    it("goes where it was written to when the holder's number was not kept (incidents taken before it was)", () => {
      expect(whyStale("more-reports", SAM, { reference: "100123", status: "acknowledged", acknowledgedBy: "Lee Chen" })).toBeUndefined();
    });

    it("is dropped once it was marked fixed", () => {
      expect(whyStale("more-reports", LEE, fixed)).toBe("#100123 was marked fixed");
    });
  });

  describe("for an incident that cannot be found", () => {
    it("drops nothing: a page is never withheld on a doubt", () => {
      expect(whyStale("escalation", SAM, null)).toBeUndefined();
      expect(whyStale("more-reports", SAM, null)).toBeUndefined();
      expect(whyStale("first-page", SAM, null)).toBeUndefined();
    });
  });
});
