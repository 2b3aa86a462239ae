/**
 * "What happens if someone calls at …": for any moment, the route a call takes and why, what
 * the caller hears first, and who would be paged for each category.
 */
import { describe, expect, it } from "vitest";
import type { EmergencyOverride } from "../../src/domain/hours/index.js";
import { maskedPhone, previewMoment } from "../../src/domain/preview.js";
import type { Roster } from "../../src/domain/oncall/roster/index.js";
import { at, cityHours, mainFlow } from "../helpers/flow.js";
import { testRoster, waterRoster } from "../fixtures/oncall/load.js";

const flow = mainFlow();
const hours = cityHours();

const GREETING = "Thank you for calling the City of Lethbridge, 3 1 1.";
const SAFETY = "If this is a life-threatening emergency, hang up and dial 9-1-1.";
const AFTER_HOURS =
  "Our contact centre is open Monday to Friday, 8 a.m. to 4:30 p.m., except City holidays. You have reached the after-hours trouble line for urgent problems.";

function preview(localTime: string, options: { override?: EmergencyOverride; roster?: Roster } = {}) {
  return previewMoment({ flow, hours, override: options.override ?? null, roster: options.roster ?? testRoster(), at: at(localTime) });
}

describe("what happens if someone calls", () => {
  describe("at 10:00 on a weekday", () => {
    const moment = preview("2026-12-02T10:00:00");

    it("goes the open way", () => {
      expect(moment.route).toBe("open");
    });

    it("says until when the line is open, and the hours callers are told", () => {
      expect(moment.why).toBe("Open until 4:30 p.m. (Monday to Friday, 8 a.m. to 4:30 p.m., except City holidays)");
    });

    it("gives the moment in the City's zone", () => {
      expect(moment.at).toBe("2026-12-02T10:00:00.000-07:00");
    });

    it("hears the greeting and the day menu first", () => {
      expect(moment.firstWords.slice(0, 3)).toEqual([GREETING, SAFETY, "For utility billing and accounts, press 1, or say billing."]);
    });
  });

  describe("at 16:30:00 on a weekday", () => {
    it("is closed after hours, and says when the line opens again", () => {
      expect(preview("2026-12-02T16:30:00")).toMatchObject({ route: "closed", why: "Closed after hours; opens again Thursday, December 3 at 8 a.m." });
    });
  });

  describe("at 02:00 on a Saturday", () => {
    const moment = preview("2026-12-05T02:00:00");

    it("is closed for the weekend until Monday", () => {
      expect(moment).toMatchObject({ route: "closed", why: "Closed for the weekend; opens again Monday, December 7 at 8 a.m." });
    });

    it("hears the after-hours words and the urgent menu, with no reason to give", () => {
      expect(moment.firstWords.slice(0, 4)).toEqual([GREETING, SAFETY, AFTER_HOURS, "For a power outage, press 1, or say power."]);
    });

    it("lists every category of the roster with whom it pages first, the number shown in part", () => {
      expect(moment.oncall.map(({ category, label, firstPaged }) => ({ category, label, firstPaged }))).toEqual([
        { category: "power", label: "Electric", firstPaged: { name: "Jen Whitford", phone: "+1403•••0203" } },
        { category: "water", label: "Water and sewer", firstPaged: { name: "Lee Chen", phone: "+1403•••0213" } },
        { category: "roads", label: "Roads and traffic signals", firstPaged: { name: "Ben Hagel", phone: "+1403•••0223" } },
        { category: "lonely", label: "A crew of one", firstPaged: { name: "Sol Amundsen", phone: "+1403•••0230" } },
      ]);
    });

    it("marks a gap only where nobody is on call (lonely, in rotation week 3)", () => {
      expect(moment.oncall.map((category) => category.gap)).toEqual([false, false, false, true]);
    });
  });

  describe("on Christmas Day", () => {
    const moment = preview("2026-12-25T10:00:00");

    it("goes the holiday way, closed for Christmas Day until after Boxing Day is observed", () => {
      expect(moment).toMatchObject({ route: "holiday", why: "Closed today for Christmas Day; opens again Tuesday, December 29 at 8 a.m." });
    });

    it("tells the caller why the line is closed", () => {
      expect(moment.firstWords[2]).toBe("City offices are closed today for Christmas Day.");
    });
  });

  describe("on Christmas Eve afternoon", () => {
    it("is closed early for Christmas Eve", () => {
      expect(preview("2026-12-24T13:00:00").why).toBe("Closed early today, at 12 noon, for Christmas Eve; opens again Tuesday, December 29 at 8 a.m.");
    });

    it("names the override that puts Pat on call for water", () => {
      expect(preview("2026-12-24T13:00:00").oncall.find((category) => category.category === "water")?.firstPaged?.name).toBe("Pat Okafor");
    });
  });

  describe("with the emergency message on", () => {
    const storm: EmergencyOverride = { mode: "closed", message: "A storm has cut power across the city.", until: "2026-12-02T18:00:00-07:00" };
    const moment = preview("2026-12-02T10:00:00", { override: storm });

    it("goes the emergency way", () => {
      expect(moment.route).toBe("emergency");
    });

    it("says until when, and the message", () => {
      expect(moment.why).toBe(
        'Closed by a supervisor until 6 p.m.: every caller goes to the trouble line; opens again Thursday, December 3 at 8 a.m. Emergency message on: "A storm has cut power across the city."',
      );
    });

    it("plays the message first", () => {
      expect(moment.firstWords.slice(2, 4)).toEqual(["Here is an important message from the City.", "A storm has cut power across the city."]);
    });

    it("is over once its end has passed", () => {
      expect(preview("2026-12-02T18:00:00", { override: storm })).toMatchObject({ route: "closed", why: "Closed after hours; opens again Thursday, December 3 at 8 a.m." });
    });
  });

  describe("with only a message on, in business hours", () => {
    const moment = preview("2026-12-02T10:00:00", { override: { message: "Boil water advisory in West Lethbridge.", until: "2026-12-03T09:00:00-07:00" } });

    it("stays open and says the message and its end", () => {
      expect(moment).toMatchObject({
        route: "open",
        why: 'Open until 4:30 p.m. (Monday to Friday, 8 a.m. to 4:30 p.m., except City holidays). Emergency message on until Thursday, December 3 at 9 a.m.: "Boil water advisory in West Lethbridge."',
      });
    });
  });

  describe("with the day menu kept on after hours", () => {
    it("goes the open way, opened by a supervisor", () => {
      expect(preview("2026-12-02T20:00:00", { override: { mode: "open", until: "2026-12-02T22:00:00-07:00" } })).toMatchObject({
        route: "open",
        why: "Opened by a supervisor until 10 p.m.: the day menu stays on",
      });
    });
  });

  describe("when a category has nobody on call", () => {
    // 2026-12-14 08:00 to 2026-12-28 08:00 is a gap for lonely in the test roster.
    const lonely = preview("2026-12-16T23:00:00").oncall.find((category) => category.category === "lonely");

    it("marks the gap", () => {
      expect(lonely?.gap).toBe(true);
    });

    it("pages the supervisor first", () => {
      expect(lonely?.firstPaged).toEqual({ name: "Sol Amundsen", phone: "+1403•••0230" });
    });
  });

  describe("with a chain of waits in minutes", () => {
    const water = preview("2026-11-04T02:00:00", { roster: waterRoster({ rounds: 2 }) }).oncall[0];

    it("lists every page of every round, with the minutes after the report it goes out", () => {
      expect(water?.chain).toEqual([
        { name: "Pat Okafor", role: "primary", round: 1, afterMinutes: 0 },
        { name: "Sam Tremblay", role: "backup", round: 1, afterMinutes: 10 },
        { name: "Renee Blackwater", role: "supervisor", round: 1, afterMinutes: 20 },
        { name: "Pat Okafor", role: "primary", round: 2, afterMinutes: 35 },
        { name: "Sam Tremblay", role: "backup", round: 2, afterMinutes: 45 },
        { name: "Renee Blackwater", role: "supervisor", round: 2, afterMinutes: 55 },
      ]);
    });
  });
});

describe("a phone number shown in part", () => {
  it("keeps the country and area codes and the last four digits", () => {
    expect(maskedPhone("+14035550187")).toBe("+1403•••0187");
  });

  it("hides something too short to be a number whole", () => {
    expect(maskedPhone("911")).toBe("•••");
  });
});
