import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { addClosure, HoursEditError, removeClosure, type ClosureEdit } from "../../../src/domain/hours/edit.js";
import { lineStatus, parseHours } from "../../../src/domain/hours/index.js";
import { FIXTURES, local } from "../../fixtures/hours/load.js";

/** An hours file as supervisors keep it: comments everywhere, times in quotes, one dated entry. */
const SOURCE = `# When the line is answered by agents.
zone: America/Edmonton

# What callers hear when they ask for our hours.
summary: Monday to Friday, 8 a.m. to 4:30 p.m., except City holidays

weekly:
  - days: [monday, tuesday, wednesday, thursday, friday]
    open: "08:00"
    close: "16:30"

holidays:
  - { name: Christmas Day, kind: fixed, month: december, day: 25, observed: following-weekday }

# One-off changes on a given date.
closures:
  - date: 2027-02-10
    reason: a staff meeting
    opens: "10:00"
`;

/** The hours that a source gives, as the line would load them. */
const load = (source: string) => parseHours(source, "hours.yaml");

/** The error an edit is refused with; fails the test when it is not refused. */
function refusal(edit: () => unknown): HoursEditError {
  try {
    edit();
  } catch (error) {
    if (error instanceof HoursEditError) return error;
    throw error;
  }
  throw new Error("the edit was not refused");
}

describe("addClosure", () => {
  describe("a closure on 24 December afternoon", () => {
    const edited = addClosure(SOURCE, { date: "2026-12-24", reason: "Christmas Eve", closes: "12:00" });

    it("writes the entry as the file's comments do, the time in quotes", () => {
      expect(edited).toContain(`closures:
  - date: 2026-12-24
    reason: Christmas Eve
    closes: "12:00"
  - date: 2027-02-10
`);
    });

    it("keeps every other line of the file, comments included, as it was", () => {
      const added = ["  - date: 2026-12-24", "    reason: Christmas Eve", '    closes: "12:00"'];
      expect(edited.split("\n").filter((line) => !added.includes(line))).toEqual(SOURCE.split("\n"));
    });

    it("gives a document the line loads, closing at noon that day", () => {
      const hours = load(edited);
      expect(hours.closures).toContainEqual({ date: "2026-12-24", reason: "Christmas Eve", closes: "12:00" });
      expect(lineStatus(hours, local("2026-12-24T11:59")).open).toBe(true);
      expect(lineStatus(hours, local("2026-12-24T12:00")).open).toBe(false);
    });
  });

  describe("a whole-day closure", () => {
    it("has only a date and a reason", () => {
      const edited = addClosure(SOURCE, { date: "2027-01-15", reason: "staff training" });
      expect(edited).toContain("  - date: 2027-01-15\n    reason: staff training\n  - date: 2027-02-10\n");
      expect(load(edited).closures[0]).toEqual({ date: "2027-01-15", reason: "staff training" });
    });

    it("takes blank times as no times, the way an empty form field comes", () => {
      const edited = addClosure(SOURCE, { date: "2027-01-15", reason: "staff training", opens: "", closes: " " });
      expect(load(edited).closures[0]).toEqual({ date: "2027-01-15", reason: "staff training" });
    });
  });

  describe("a day with other hours", () => {
    it("writes opens and closes, both in quotes", () => {
      const edited = addClosure(SOURCE, { date: "2027-01-16", reason: "snow clearing calls", opens: "10:00", closes: "14:00" });
      expect(edited).toContain('  - date: 2027-01-16\n    reason: snow clearing calls\n    opens: "10:00"\n    closes: "14:00"\n');
    });
  });

  describe("where the entry goes", () => {
    it("before the first later date", () => {
      const edited = addClosure(SOURCE, { date: "2027-01-15", reason: "staff training" });
      expect(load(edited).closures.map((entry) => entry.date)).toEqual(["2027-01-15", "2027-02-10"]);
    });

    it("at the end when it is the latest", () => {
      const edited = addClosure(SOURCE, { date: "2027-03-01", reason: "staff training" });
      expect(load(edited).closures.map((entry) => entry.date)).toEqual(["2027-02-10", "2027-03-01"]);
      expect(edited.endsWith("  - date: 2027-03-01\n    reason: staff training\n")).toBe(true);
    });
  });

  describe("a date already listed", () => {
    const source = SOURCE.replace("  - date: 2027-02-10\n", "  # Asked for by the Mayor's office.\n  - date: 2027-02-10\n");
    const edited = addClosure(source, { date: "2027-02-10", reason: "the budget meeting", closes: "12:00" });

    it("replaces the entry instead of listing the date twice", () => {
      expect(load(edited).closures).toEqual([{ date: "2027-02-10", reason: "the budget meeting", closes: "12:00" }]);
    });

    it("keeps the comment written for that date", () => {
      expect(edited).toContain("  # Asked for by the Mayor's office.\n  - date: 2027-02-10\n    reason: the budget meeting\n");
    });
  });

  describe("a file with no closures yet", () => {
    it("turns an empty list into a list of one", () => {
      const edited = addClosure(SOURCE.replace(/closures:[\s\S]*$/, "closures: []\n"), { date: "2027-01-15", reason: "staff training" });
      expect(edited.endsWith("closures:\n  - date: 2027-01-15\n    reason: staff training\n")).toBe(true);
      expect(load(edited).closures).toHaveLength(1);
    });

    it("adds closures at the end when the file leaves them out, after a blank line", () => {
      const source = SOURCE.replace(/\n# One-off[\s\S]*$/, "");
      const edited = addClosure(source, { date: "2027-01-15", reason: "staff training" });
      expect(edited).toBe(`${source}\nclosures:\n  - date: 2027-01-15\n    reason: staff training\n`);
    });
  });

  describe("a file that lists its closures on one line", () => {
    const source = `zone: America/Edmonton
summary: Mondays
weekly: [{ days: [monday], open: "08:00", close: "16:30" }]
closures: [{ date: 2026-12-07, reason: a meeting, closes: "12:00" }]
`;
    const edited = addClosure(source, { date: "2026-12-14", reason: "staff training", opens: "10:00" });

    it("keeps the list on one line, its maps spaced as the file spaces them", () => {
      expect(edited.split("\n")[3]).toBe('closures: [ { date: 2026-12-07, reason: a meeting, closes: "12:00" }, { date: 2026-12-14, reason: staff training, opens: "10:00" } ]');
    });

    it("leaves the lines it did not change as they were", () => {
      expect(edited.split("\n").slice(0, 3)).toEqual(source.split("\n").slice(0, 3));
    });
  });

  describe("a reason the file must quote", () => {
    it("is quoted, and reads back as written", () => {
      const reason = "staff training: all day, #2 of 3";
      const edited = addClosure(SOURCE, { date: "2027-01-15", reason });
      expect(load(edited).closures[0]?.reason).toBe(reason);
    });

    it("reads back as written even when another differs from it only in spaces inside braces", () => {
      const source = addClosure(SOURCE, { date: "2027-01-15", reason: "{ code red }" });
      const edited = addClosure(source, { date: "2027-01-18", reason: "{code red}" });
      expect(load(edited).closures.map((entry) => entry.reason)).toEqual(["{ code red }", "{code red}", "a staff meeting"]);
    });

    it("is trimmed", () => {
      expect(load(addClosure(SOURCE, { date: "2027-01-15", reason: "  staff training " })).closures[0]?.reason).toBe("staff training");
    });
  });

  describe("Lethbridge's own hours file, flows/hours.yaml", () => {
    const source = readFileSync("flows/hours.yaml", "utf8");

    it("changes nothing but the lines of the new entry", () => {
      const edited = addClosure(source, { date: "2099-01-15", reason: "staff training" });
      expect(edited).toBe(`${source}  - date: 2099-01-15\n    reason: staff training\n`);
    });
  });

  describe("a file that writes flow maps with spaces inside the braces", () => {
    it("keeps writing its holidays that way", () => {
      const source = readFileSync(`${FIXTURES}/good/hours.yaml`, "utf8");
      const edited = addClosure(source, { date: "2027-03-01", reason: "staff training" });
      expect(edited).toContain("  - { name: Good Friday, kind: easter, offset: -2 }\n");
    });
  });

  describe("refuses, with a HoursEditError naming the field", () => {
    it.each<[string, ClosureEdit, string, RegExp]>([
      ["a date that does not exist", { date: "2026-02-30", reason: "x" }, "date", /^"2026-02-30" is not a date: write it as yyyy-MM-dd/],
      ["a date written another way", { date: "24/12/2026", reason: "x" }, "date", /^"24\/12\/2026" is not a date/],
      ["a missing reason", { date: "2027-01-15", reason: "" }, "reason", /^a closure needs a reason/],
      ["a reason of spaces", { date: "2027-01-15", reason: "   " }, "reason", /^a closure needs a reason/],
      ["an opening time that is not a time", { date: "2027-01-15", reason: "x", opens: "25:00" }, "opens", /^opens "25:00" is not a time/],
      ["a closing time that is not a time", { date: "2027-01-15", reason: "x", closes: "noon" }, "closes", /^closes "noon" is not a time/],
      ["a closing time before the opening time", { date: "2027-01-16", reason: "x", opens: "12:00", closes: "10:00" }, "closes", /^closes at 10:00, which is not after it opens at 12:00$/],
      ["a closing time equal to the opening time", { date: "2027-01-16", reason: "x", opens: "12:00", closes: "12:00" }, "closes", /not after it opens/],
    ])("%s", (_, edit, field, message) => {
      const error = refusal(() => addClosure(SOURCE, edit));
      expect(error.name).toBe("HoursEditError");
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
    });

    it("a closing time before the line opens that day, as the hours file refuses it", () => {
      const error = refusal(() => addClosure(SOURCE, { date: "2027-01-15", reason: "x", closes: "07:00" }));
      expect(error.field).toBe("closes");
      expect(error.message).toBe(
        "the closure on 2027-01-15 cannot be kept: closures[0].closes: closes at 07:00, before the line opens that day (08:00) (to close all day, leave out opens and closes)",
      );
      expect(error.problems).toHaveLength(1);
    });

    it("closing early on a Saturday, which has no usual hours", () => {
      const error = refusal(() => addClosure(SOURCE, { date: "2027-01-16", reason: "x", closes: "12:00" }));
      expect(error.message).toMatch(/2027-01-16 is a Saturday, when the line has no usual hours to close early/);
    });

    it("closures: written with nothing after it, which the line refuses to load too", () => {
      const error = refusal(() => addClosure(SOURCE.replace(/closures:[\s\S]*$/, "closures:\n"), { date: "2027-01-15", reason: "x" }));
      expect(error.field).toBe("source");
      expect(error.message).toMatch(/problems of its own, fix them first: closures: closures must be a list of dated closures$/);
    });

    it("a document with problems of its own, without touching it", () => {
      const error = refusal(() => addClosure(SOURCE.replace("monday, tuesday", "monday, tusday"), { date: "2027-01-15", reason: "x" }));
      expect(error.field).toBe("source");
      expect(error.message).toMatch(/^cannot add a closure on 2027-01-15: the hours document has problems of its own, fix them first: weekly\[0\]\.days\[1\]: unknown weekday "tusday"/);
    });
  });
});

describe("removeClosure", () => {
  const withTwo = addClosure(SOURCE, { date: "2026-12-24", reason: "Christmas Eve", closes: "12:00" });

  describe("a closure listed among others", () => {
    it("gives back the file as it was before the closure was added", () => {
      expect(removeClosure(withTwo, "2026-12-24")).toBe(SOURCE);
    });

    it("leaves the other entries", () => {
      expect(load(removeClosure(withTwo, "2027-02-10")).closures).toEqual([{ date: "2026-12-24", reason: "Christmas Eve", closes: "12:00" }]);
    });
  });

  describe("the only closure", () => {
    const edited = removeClosure(SOURCE, "2027-02-10");

    it("leaves an empty list, which the line loads", () => {
      expect(edited).toContain("closures: []");
      expect(load(edited).closures).toEqual([]);
    });

    it("keeps the comment above closures", () => {
      expect(edited).toContain("# One-off changes on a given date.\nclosures: []");
    });

    it("opens the line again that morning", () => {
      expect(lineStatus(load(edited), local("2027-02-10T09:00")).open).toBe(true);
    });
  });

  describe("a closure with a comment written above it", () => {
    it("keeps the comment, on the entry that follows", () => {
      const source = withTwo.replace("  - date: 2026-12-24\n", "  # Ask HR whether this is a half day again.\n  - date: 2026-12-24\n");
      const edited = removeClosure(source, "2026-12-24");
      expect(edited).toContain("  # Ask HR whether this is a half day again.\n  - date: 2027-02-10\n");
    });
  });

  describe("refuses, with a HoursEditError", () => {
    it("a date with no closure, saying which dates have one", () => {
      const error = refusal(() => removeClosure(withTwo, "2026-12-25"));
      expect(error).toMatchObject({ name: "HoursEditError", field: "date" });
      expect(error.message).toBe("there is no closure on 2026-12-25 to remove (closures are listed on 2026-12-24, 2027-02-10)");
    });

    it("a date when no closures are listed", () => {
      expect(refusal(() => removeClosure(removeClosure(SOURCE, "2027-02-10"), "2027-02-10")).message).toBe(
        "there is no closure on 2027-02-10 to remove (no closures are listed)",
      );
    });

    it("a date that is not one", () => {
      expect(refusal(() => removeClosure(SOURCE, "tomorrow"))).toMatchObject({ field: "date", message: expect.stringMatching(/^"tomorrow" is not a date/) });
    });
  });
});
