import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HoursSchema, holidaysInYear, parseHours, type Hours } from "../../../src/domain/hours/index.js";
import { DefinitionError, formatProblem, type Problem } from "../../../src/domain/validation.js";
import { problemsOf } from "../../helpers/problems.js";
import { FIXTURES, lethbridgeHours, loadHours } from "../../fixtures/hours/load.js";

/** The problems parsing a bad fixture reports; fails the test if it parses. */
function problemsIn(name: string): Problem[] {
  const file = `${FIXTURES}/bad/${name}`;
  return problemsOf(() => loadHours(file), file);
}

function problemsInText(yamlText: string): Problem[] {
  return problemsOf(() => parseHours(yamlText, "hours.yaml"), "the text");
}

const VALID = `
zone: America/Edmonton
summary: Monday to Friday, 8 a.m. to 4:30 p.m.
weekly:
  - days: [monday, tuesday, wednesday, thursday, friday]
    open: "08:00"
    close: "16:30"
`;

describe("parseHours", () => {
  describe("flows/hours.yaml, the file Lethbridge's line runs on", () => {
    const flows = loadHours("flows/hours.yaml");

    it("parses, in Lethbridge's zone, with the summary callers hear", () => {
      expect(flows.zone).toBe("America/Edmonton");
      expect(flows.summary).toBe("Monday to Friday, 8 a.m. to 4:30 p.m., except City holidays");
      expect(flows.weekly).toEqual([{ days: ["monday", "tuesday", "wednesday", "thursday", "friday"], open: "08:00", close: "16:30" }]);
    });

    it("closes on the same holidays as the specification's copy, 2026 to 2030", () => {
      const specification = lethbridgeHours();
      for (const year of [2026, 2027, 2028, 2029, 2030]) {
        expect(holidaysInYear(flows, year), String(year)).toEqual(holidaysInYear(specification, year));
      }
    });

    it("closes at noon on Christmas Eve 2026, written the way supervisors say it", () => {
      expect(flows.closures).toContainEqual({ date: "2026-12-24", reason: "Christmas Eve", closes: "12:00" });
    });
  });

  describe("a good file", () => {
    it("gives back exactly what was written, with empty lists for sections left out", () => {
      expect(parseHours(VALID, "hours.yaml")).toEqual({
        zone: "America/Edmonton",
        summary: "Monday to Friday, 8 a.m. to 4:30 p.m.",
        weekly: [{ days: ["monday", "tuesday", "wednesday", "thursday", "friday"], open: "08:00", close: "16:30" }],
        holidays: [],
        closures: [],
      });
    });

    it("may leave times unquoted", () => {
      const hours = parseHours(VALID.replace('"08:00"', "08:00").replace('"16:30"', "16:30"), "hours.yaml");
      expect(hours.weekly[0]).toMatchObject({ open: "08:00", close: "16:30" });
    });

    it("may close at 24:00, midnight at the end of the day", () => {
      expect(parseHours(VALID.replace('"16:30"', '"24:00"'), "hours.yaml").weekly[0]?.close).toBe("24:00");
    });

    it("may have two windows on one day that do not overlap (a lunch break)", () => {
      const lunchBreak = `${VALID}  - days: [monday]\n    open: "16:30"\n    close: "18:00"\n`;
      expect(parseHours(lunchBreak, "hours.yaml").weekly).toHaveLength(2);
    });
  });

  describe("a bad file fails with every problem named by file, path and fix", () => {
    it.each<[string, Omit<Problem, "file">]>([
      ["unknown-zone.yaml", { path: "zone", message: 'unknown time zone "America/Edmonten"', hint: 'did you mean "America/Edmonton"?' }],
      [
        "bad-time.yaml",
        {
          path: "weekly[0].close",
          message: '"25:00" is not a time',
          hint: 'write a 24-hour time like "08:00" or "16:30"; "24:00" closes at midnight',
        },
      ],
      [
        "close-before-open.yaml",
        {
          path: "weekly[0].close",
          message: "closes at 08:00, which is not after it opens at 16:30",
          hint: 'a window runs from open to close on the same day; "24:00" closes at midnight',
        },
      ],
      ["misspelled-weekday.yaml", { path: "weekly[0].days[1]", message: 'unknown weekday "tuseday"', hint: 'did you mean "tuesday"?' }],
      [
        "unknown-rule-kind.yaml",
        { path: "holidays[0].kind", message: 'unknown kind "floating"', hint: "use one of: fixed, nth-weekday, easter, weekday-before" },
      ],
      ["misspelled-rule-kind.yaml", { path: "holidays[0].kind", message: 'unknown kind "nth-weekdays"', hint: 'did you mean "nth-weekday"?' }],
      ["misspelled-field.yaml", { path: "weekly[0].opne", message: 'unknown field "opne"', hint: 'did you mean "open"?' }],
      [
        "misspelled-observed-rule.yaml",
        { path: "holidays[0].observed", message: 'unknown observed rule "following-weekend"', hint: 'did you mean "following-weekday"?' },
      ],
      [
        "closure-without-close.yaml",
        {
          path: "closures[0].close",
          message: "has open but no close",
          hint: 'write closes: "12:00" to close early, opens: "10:00" to open late, both for other hours, or neither to close all day',
        },
      ],
      [
        "impossible-date.yaml",
        { path: "closures[0].date", message: '"2027-02-30" is not a date', hint: "write the date as yyyy-MM-dd, e.g. 2026-12-24" },
      ],
      [
        "impossible-date.yaml",
        { path: "holidays[0].day", message: "february 29 does not happen every year", hint: "choose a day that exists in that month in every year" },
      ],
      [
        "overlapping-windows.yaml",
        {
          path: "weekly[1]",
          message: "overlaps weekly[0] on friday (08:00–16:30)",
          hint: "give each day's windows separate times, or merge them into one window",
        },
      ],
    ])("%s: %j", (name, expected) => {
      expect(problemsIn(name)).toContainEqual({ file: `${FIXTURES}/bad/${name}`, ...expected });
    });

    it("says which field is missing when a misspelling leaves one out", () => {
      expect(problemsIn("misspelled-field.yaml")).toContainEqual({
        file: `${FIXTURES}/bad/misspelled-field.yaml`,
        path: "weekly[0].open",
        message: "open is missing",
      });
    });

    it("reports every problem at once, not just the first", () => {
      expect(problemsIn("many-problems.yaml").map(formatProblem)).toEqual([
        `${FIXTURES}/bad/many-problems.yaml: zone: unknown time zone "Mountain Time" (use an IANA zone name such as "America/Edmonton")`,
        `${FIXTURES}/bad/many-problems.yaml: summary: summary is missing`,
        `${FIXTURES}/bad/many-problems.yaml: weekly[0].days[1]: unknown weekday "tuseday" (did you mean "tuesday"?)`,
        `${FIXTURES}/bad/many-problems.yaml: weekly[0].open: "8am" is not a time (write a 24-hour time like "08:00" or "16:30")`,
        `${FIXTURES}/bad/many-problems.yaml: holidays[0].nth: nth must be 1, 2, 3, 4 or last, not 6`,
        `${FIXTURES}/bad/many-problems.yaml: holidays[0].month: unknown month "feb" (did you mean "february"?)`,
      ]);
    });

    it("throws a DefinitionError whose message has one line per problem", () => {
      const file = `${FIXTURES}/bad/many-problems.yaml`;
      expect(() => parseHours(readFileSync(file, "utf8"), file)).toThrow(DefinitionError);
      expect(() => parseHours(readFileSync(file, "utf8"), file)).toThrow(/^.*zone: unknown time zone.*\n.*summary is missing/);
    });

    it("reports YAML that does not parse, with the line", () => {
      const [problem, ...rest] = problemsIn("not-yaml.yaml");
      expect(rest).toEqual([]);
      expect(problem).toMatchObject({ file: `${FIXTURES}/bad/not-yaml.yaml`, path: "" });
      expect(problem?.message).toMatch(/at line 4, column 5$/);
    });

    it("reports an empty file", () => {
      expect(problemsInText("# nothing yet\n")).toEqual([
        { file: "hours.yaml", path: "", message: "the file is empty", hint: "start from the example in flows/hours.yaml" },
      ]);
    });

    it("reports a document that is not a mapping", () => {
      expect(problemsInText("- zone: America/Edmonton\n")).toEqual([
        { file: "hours.yaml", path: "", message: "expected the hours document (zone, summary, weekly, holidays, closures), found a list" },
      ]);
    });

    it("does not suggest a field that is already there", () => {
      expect(problemsInText(`${VALID}zones: UTC\n`)).toEqual([
        { file: "hours.yaml", path: "zones", message: 'unknown field "zones"', hint: "remove it" },
      ]);
    });

    it("suggests the fields of the holiday's own kind", () => {
      expect(problemsInText(`${VALID}holidays:\n  - { name: Good Friday, kind: easter, ofset: -2 }\n`)).toContainEqual({
        file: "hours.yaml",
        path: "holidays[0].ofset",
        message: 'unknown field "ofset"',
        hint: 'did you mean "offset"?',
      });
    });

    it("refuses a date listed twice in closures", () => {
      const twice = `${VALID}closures:\n  - { date: 2027-01-15, reason: training }\n  - { date: 2027-01-15, reason: audit }\n`;
      expect(problemsInText(twice)).toEqual([
        {
          file: "hours.yaml",
          path: "closures[1].date",
          message: "2027-01-15 is already listed at closures[0]",
          hint: "keep one entry per date",
        },
      ]);
    });

    describe("a dated entry", () => {
      const withClosure = (entry: string) => `${VALID}closures:\n  - ${entry}\n`;

      it.each<[string, string, Omit<Problem, "file">]>([
        [
          "closing early on a day with no usual hours",
          '{ date: 2027-01-16, reason: a reason, closes: "12:00" }',
          {
            path: "closures[0].closes",
            message: "2027-01-16 is a Saturday, when the line has no usual hours to close early",
            hint: "give both opens and closes for the hours it is open that day",
          },
        ],
        [
          "opening late on a day with no usual hours",
          '{ date: 2027-01-17, reason: a reason, opens: "10:00" }',
          {
            path: "closures[0].opens",
            message: "2027-01-17 is a Sunday, when the line has no usual hours to open late",
            hint: "give both opens and closes for the hours it is open that day",
          },
        ],
        [
          "closing before the day opens",
          '{ date: 2027-01-15, reason: a reason, closes: "07:00" }',
          { path: "closures[0].closes", message: "closes at 07:00, before the line opens that day (08:00)", hint: "to close all day, leave out opens and closes" },
        ],
        [
          "opening after the day closes",
          '{ date: 2027-01-15, reason: a reason, opens: "16:30" }',
          { path: "closures[0].opens", message: "opens at 16:30, after the line closes that day (16:30)", hint: "to close all day, leave out opens and closes" },
        ],
        [
          "closing before it opens",
          '{ date: 2027-01-15, reason: a reason, opens: "14:00", closes: "12:00" }',
          {
            path: "closures[0].closes",
            message: "closes at 12:00, which is not after it opens at 14:00",
            hint: 'a window runs from open to close on the same day; "24:00" closes at midnight',
          },
        ],
        [
          "mixing the older spelling with the newer",
          '{ date: 2027-01-15, reason: a reason, opens: "10:00", close: "14:00" }',
          { path: "closures[0].close", message: "mixes open/close with opens/closes", hint: "use opens and closes only; open and close are their older spelling" },
        ],
        [
          "a time that is not a time",
          '{ date: 2027-01-15, reason: a reason, closes: "noon" }',
          { path: "closures[0].closes", message: '"noon" is not a time', hint: 'write a 24-hour time like "08:00" or "16:30"; "24:00" closes at midnight' },
        ],
      ])("refuses %s", (_, entry, expected) => {
        expect(problemsInText(withClosure(entry))).toEqual([{ file: "hours.yaml", ...expected }]);
      });

      it("accepts closing early, opening late, both, neither, and the older open/close", () => {
        const entries = [
          '{ date: 2026-12-24, reason: Christmas Eve, closes: "12:00" }',
          '{ date: 2027-02-10, reason: a staff meeting, opens: "10:00" }',
          '{ date: 2027-01-16, reason: snow clearing calls, opens: "10:00", closes: "14:00" }',
          "{ date: 2027-01-15, reason: staff training }",
          '{ date: 2027-01-23, reason: snow clearing calls, open: "10:00", close: "14:00" }',
        ];
        expect(parseHours(`${VALID}closures:\n${entries.map((entry) => `  - ${entry}\n`).join("")}`, "hours.yaml").closures).toHaveLength(5);
      });

      it("is checked against the week even when other parts of the file have problems", () => {
        const problems = problemsInText(withClosure('{ date: 2027-01-16, reason: a reason, closes: "12:00" }').replace("America/Edmonton", "Mountain"));
        expect(problems.map((problem) => problem.path)).toEqual(["zone", "closures[0].closes"]);
      });
    });

    it("refuses a window with no days", () => {
      expect(problemsInText(VALID.replace("[monday, tuesday, wednesday, thursday, friday]", "[]"))).toContainEqual(
        expect.objectContaining({ path: "weekly[0].days", message: "days is empty" }),
      );
    });
  });
});

describe("HoursSchema", () => {
  it("validates a document that is already an object (from the console)", () => {
    const hours: Hours = lethbridgeHours();
    expect(HoursSchema.parse(structuredClone(hours))).toEqual(hours);
  });

  it("refuses an unknown zone with a path", () => {
    const result = HoursSchema.safeParse({ ...lethbridgeHours(), zone: "Mars/Olympus_Mons" });
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ["zone"], message: 'unknown time zone "Mars/Olympus_Mons"' })]);
  });
});
