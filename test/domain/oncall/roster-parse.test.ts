import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseRoster, RosterSchema } from "../../../src/domain/oncall/roster/index.js";
import { DefinitionError, formatProblem, type Problem } from "../../../src/domain/validation.js";
import { problemsOf } from "../../helpers/problems.js";
import { FIXTURES, lethbridgeRoster, loadRoster, testRoster, TEST_ROSTER, waterRoster } from "../../fixtures/oncall/load.js";

/** The problems parsing a bad fixture reports; fails the test if it parses. */
function problemsIn(name: string): Problem[] {
  const file = `${FIXTURES}/bad/${name}`;
  return problemsOf(() => loadRoster(file), file);
}

function problemsInText(yamlText: string): Problem[] {
  return problemsOf(() => parseRoster(yamlText, "oncall.yaml"), "the text");
}

/** A valid one-category roster as text, to break one part of in a test. */
const VALID = `
zone: America/Edmonton
categories:
  water:
    label: Water and sewer
    supervisor: { id: renee, name: Renee Blackwater, phone: "+14035550110" }
    members:
      - { id: pat, name: Pat Okafor, phone: "+14035550111" }
      - { id: sam, name: Sam Tremblay, phone: "+14035550112" }
    rotation:
      handoff: { day: monday, time: "08:00" }
      start: 2026-11-02
      weeks:
        - { primary: pat, backup: sam }
    escalation:
      steps:
        - { notify: primary, wait: "10m" }
        - { notify: supervisor, wait: "15m" }
      rounds: 3
`;

describe("parseRoster", () => {
  describe("flows/oncall.yaml, the roster Lethbridge's line runs on", () => {
    const roster = lethbridgeRoster();

    it("parses, in Lethbridge's zone, with power, water and roads", () => {
      expect(roster.zone).toBe("America/Edmonton");
      expect(Object.keys(roster.categories)).toEqual(["power", "water", "roads"]);
      expect(Object.values(roster.categories).map((category) => category.label)).toEqual([
        "Electric",
        "Water and sewer",
        "Roads and traffic signals",
      ]);
    });

    it("gives each category three members and a supervisor, all on 555 numbers", () => {
      for (const category of Object.values(roster.categories)) {
        expect(category.members).toHaveLength(3);
        for (const member of [category.supervisor, ...category.members]) expect(member.phone).toMatch(/^\+1403555\d{4}$/);
      }
    });

    it("hands over on Mondays at 08:00 and pages primary 10m, backup 10m, supervisor 15m, three rounds", () => {
      for (const category of Object.values(roster.categories)) {
        expect(category.rotation.handoff).toEqual({ day: "monday", time: "08:00" });
        expect(category.escalation).toEqual({
          steps: [
            { notify: "primary", waitMs: 600_000 },
            { notify: "backup", waitMs: 600_000 },
            { notify: "supervisor", waitMs: 900_000 },
          ],
          rounds: 3,
        });
      }
    });

    it("has Pat covering 24–26 December in water", () => {
      expect(roster.categories["water"]?.overrides).toEqual([{ from: "2026-12-24", to: "2026-12-26", primary: "pat", reason: "Pat covers Christmas" }]);
    });
  });

  describe("the test roster the worker's tests use", () => {
    const roster = testRoster();

    it("parses, with the three categories and lonely, waits of 2s and two rounds", () => {
      expect(Object.keys(roster.categories)).toEqual(["power", "water", "roads", "lonely"]);
      for (const category of Object.values(roster.categories)) {
        expect(category.escalation.rounds).toBe(2);
        expect(category.escalation.steps.every((step) => step.waitMs === 2_000)).toBe(true);
      }
    });

    it("has a week with nobody in lonely's rotation", () => {
      expect(roster.categories["lonely"]?.rotation.weeks).toContainEqual({ primary: null, backup: null });
    });
  });

  describe("a good file", () => {
    it("gives back what was written, with waits in milliseconds and defaults filled in", () => {
      expect(parseRoster(VALID, "oncall.yaml")).toEqual({
        zone: "America/Edmonton",
        categories: {
          water: {
            label: "Water and sewer",
            notifyResident: true,
            repeatsJoinForMs: 2 * 60 * 60_000,
            supervisor: { id: "renee", name: "Renee Blackwater", phone: "+14035550110", channels: ["sms", "voice"] },
            members: [
              { id: "pat", name: "Pat Okafor", phone: "+14035550111", channels: ["sms", "voice"] },
              { id: "sam", name: "Sam Tremblay", phone: "+14035550112", channels: ["sms", "voice"] },
            ],
            rotation: { handoff: { day: "monday", time: "08:00" }, start: "2026-11-02", weeks: [{ primary: "pat", backup: "sam" }] },
            overrides: [],
            escalation: {
              steps: [
                { notify: "primary", waitMs: 600_000 },
                { notify: "supervisor", waitMs: 900_000 },
              ],
              rounds: 3,
            },
          },
        },
      });
    });

    it("reads a wait in seconds, minutes or hours", () => {
      const roster = waterRoster({ steps: '[{ notify: primary, wait: "2s" }, { notify: backup, wait: "1h" }, { notify: supervisor, wait: "90m" }]' });
      expect(roster.categories["water"]?.escalation.steps.map((step) => step.waitMs)).toEqual([2_000, 3_600_000, 5_400_000]);
    });

    it("takes a week with no backup, and a week with nobody", () => {
      const roster = waterRoster({ weeks: "[{ primary: pat }, {}, { primary: ~, backup: ~ }]" });
      expect(roster.categories["water"]?.rotation.weeks).toEqual([
        { primary: "pat", backup: null },
        { primary: null, backup: null },
        { primary: null, backup: null },
      ]);
    });

    it("keeps an override's left-out role left out, and its null role as nobody", () => {
      const roster = waterRoster({ overrides: "[{ from: 2026-12-24T16:30, to: 2026-12-26, backup: null, reason: Sam away }]" });
      expect(roster.categories["water"]?.overrides).toEqual([{ from: "2026-12-24T16:30", to: "2026-12-26", backup: null, reason: "Sam away" }]);
    });

    it("takes notifyResident: false and the channels a member is paged on", () => {
      const text = VALID.replace("label: Water and sewer", "label: Water and sewer\n    notifyResident: false").replace(
        'phone: "+14035550111" }',
        'phone: "+14035550111", channels: [sms] }',
      );
      const water = parseRoster(text, "oncall.yaml").categories["water"];
      expect(water?.notifyResident).toBe(false);
      expect(water?.members[0]?.channels).toEqual(["sms"]);
    });

    it("reads how long repeat reports join an acknowledged incident, 2 hours when left out", () => {
      expect(parseRoster(VALID, "oncall.yaml").categories["water"]?.repeatsJoinForMs).toBe(2 * 60 * 60_000);
      const text = VALID.replace("label: Water and sewer", 'label: Water and sewer\n    repeatsJoinFor: "45m"');
      expect(parseRoster(text, "oncall.yaml").categories["water"]?.repeatsJoinForMs).toBe(45 * 60_000);
    });

    it("refuses a join window longer than a day, with a fix", () => {
      const text = VALID.replace("label: Water and sewer", 'label: Water and sewer\n    repeatsJoinFor: "36h"');
      expect(problemsInText(text)).toEqual([
        expect.objectContaining({ path: "categories.water.repeatsJoinFor", message: "36h is longer than a day", hint: expect.stringMatching(/a few hours/) }),
      ]);
    });
  });

  describe("a bad file fails with every problem named by file, path and fix", () => {
    it.each<[string, Omit<Problem, "file">]>([
      [
        "unknown-member.yaml",
        { path: "categories.water.rotation.weeks[1].backup", message: 'unknown member "pta"', hint: 'did you mean "pat"?' },
      ],
      [
        "unknown-member.yaml",
        {
          path: "categories.water.overrides[0].primary",
          message: 'unknown member "renee"',
          hint: '"renee" is the supervisor; to put them in the rotation, add them to members too',
        },
      ],
      [
        "bad-phone.yaml",
        {
          path: "categories.power.members[0].phone",
          message: '"403-555-0101" is not an E.164 phone number',
          hint: 'write it with + and the country code: "+14035550101"',
        },
      ],
      [
        "bad-phone.yaml",
        {
          path: "categories.power.members[1].phone",
          message: '"call the yard" is not an E.164 phone number',
          hint: 'write it with + and the country code, e.g. "+14035550123"',
        },
      ],
      [
        "bad-wait.yaml",
        {
          path: "categories.roads.escalation.steps[0].wait",
          message: '"10 minutes" is not a wait',
          hint: 'write a number and a unit: "30s", "10m" or "1h"',
        },
      ],
      [
        "unknown-role.yaml",
        { path: "categories.roads.escalation.steps[1].notify", message: 'unknown role "backpu"', hint: 'did you mean "backup"?' },
      ],
      [
        "unknown-role.yaml",
        { path: "categories.roads.escalation.steps[2].notify", message: 'unknown role "manager"', hint: "use one of: primary, backup, supervisor" },
      ],
      ["unknown-zone.yaml", { path: "zone", message: 'unknown time zone "America/Edmonten"', hint: 'did you mean "America/Edmonton"?' }],
      [
        "missing-supervisor.yaml",
        {
          path: "categories.roads.supervisor",
          message: "supervisor is missing",
          hint: 'add the category\'s supervisor line: { id: dana, name: Dana Kowalski, phone: "+14035550100" }',
        },
      ],
      [
        "missing-supervisor.yaml",
        {
          path: "categories.roads.escalation.steps",
          message: "never pages the supervisor",
          hint: 'end the steps with { notify: supervisor, wait: "15m" }',
        },
      ],
      [
        "start-not-handoff-day.yaml",
        {
          path: "categories.roads.rotation.start",
          message: "2026-11-03 is a tuesday, not the handoff day (monday)",
          hint: "start the rotation on a monday, e.g. 2026-11-02",
        },
      ],
      [
        "start-not-handoff-day.yaml",
        { path: "categories.roads.rotation.handoff.time", message: '"8am" is not a time', hint: 'write a 24-hour time like "08:00" or "16:30"' },
      ],
      ["start-not-handoff-day.yaml", { path: "categories.roads.escalation.rounds", message: "rounds must be a whole number from 1 to 10" }],
      [
        "bad-overrides.yaml",
        {
          path: "categories.water.overrides[0].to",
          message: "ends at 2026-12-24, before it starts at 2026-12-26",
          hint: "to is the last day covered (or the time it ends): it cannot come before from",
        },
      ],
      [
        "bad-overrides.yaml",
        {
          path: "categories.water.overrides[1]",
          message: "changes nobody",
          hint: "add primary and/or backup; write primary: null to leave nobody on call",
        },
      ],
      [
        "bad-overrides.yaml",
        {
          path: "categories.water.overrides[2].to",
          message: '"2026-12-24T25:00" is not a date or a local date and time',
          hint: "write 2026-12-24 for a whole day, or 2026-12-24T16:30 for a time of day",
        },
      ],
      [
        "bad-overrides.yaml",
        {
          path: "categories.water.overrides[2].backup",
          message: '"sam" is both primary and backup',
          hint: "choose someone else as backup, or leave backup out",
        },
      ],
      [
        "misspelled-fields.yaml",
        { path: "categories.power.escalaton", message: 'unknown field "escalaton"', hint: 'did you mean "escalation"?' },
      ],
      [
        "misspelled-fields.yaml",
        { path: "categories.power.members[0].chanels", message: 'unknown field "chanels"', hint: 'did you mean "channels"?' },
      ],
    ])("%s: %j", (name, expected) => {
      expect(problemsIn(name)).toContainEqual({ file: `${FIXTURES}/bad/${name}`, ...expected });
    });

    it("says which field is missing when a misspelling leaves one out", () => {
      expect(problemsIn("misspelled-fields.yaml")).toContainEqual({
        file: `${FIXTURES}/bad/misspelled-fields.yaml`,
        path: "categories.power.escalation",
        message: "escalation is missing",
        hint: 'add escalation: { steps: [{ notify: primary, wait: "10m" }, ...], rounds: 3 }',
      });
    });

    it("reports every problem at once, the unknown ids included, not just the first", () => {
      const file = `${FIXTURES}/bad/many-problems.yaml`;
      expect(problemsIn("many-problems.yaml").map(formatProblem)).toEqual([
        `${file}: categories.Water.members[0].id: "Pat" is not a member id (use lowercase letters, digits and dashes, starting with a letter, at most 40 characters, e.g. "pat")`,
        `${file}: categories.Water.members[0].phone: "+1 403 555 0111" is not an E.164 phone number (write it with + and the country code: "+14035550111")`,
        `${file}: categories.Water.members[1].channels[1]: unknown channel "email" (use one of: sms, voice)`,
        `${file}: categories.Water.rotation.handoff.day: unknown weekday "mondy" (did you mean "monday"?)`,
        `${file}: categories.Water.escalation.steps[0].wait: "10 minutes" is not a wait (write a number and a unit: "30s", "10m" or "1h")`,
        `${file}: categories.Water.rotation.weeks[0].backup: unknown member "lea" (did you mean "lee"?)`,
        `${file}: categories.Water: "Water" is not a category name (use lowercase letters, digits and dashes, starting with a letter, up to 32 characters, e.g. "water")`,
      ]);
    });

    it("throws a DefinitionError whose message has one line per problem", () => {
      const file = `${FIXTURES}/bad/bad-phone.yaml`;
      expect(() => parseRoster(readFileSync(file, "utf8"), file)).toThrow(DefinitionError);
      expect(() => parseRoster(readFileSync(file, "utf8"), file)).toThrow(/^.*members\[0\]\.phone: .*\n.*members\[1\]\.phone: /);
    });

    it("reports YAML that does not parse, with the line", () => {
      const [problem, ...rest] = problemsIn("not-yaml.yaml");
      expect(rest).toEqual([]);
      expect(problem).toMatchObject({ file: `${FIXTURES}/bad/not-yaml.yaml`, path: "" });
      expect(problem?.message).toMatch(/at line \d+, column \d+$/);
    });

    it("reports an empty file", () => {
      expect(problemsInText("# nobody yet\n")).toEqual([
        { file: "oncall.yaml", path: "", message: "the file is empty", hint: "start from the example in flows/oncall.yaml" },
      ]);
    });

    it("reports a document that is not a mapping", () => {
      expect(problemsInText("- zone: America/Edmonton\n")).toEqual([
        { file: "oncall.yaml", path: "", message: "expected the on-call roster (zone, categories), found a list" },
      ]);
    });

    it("refuses a roster with no categories", () => {
      expect(problemsInText("zone: America/Edmonton\ncategories: {}\n")).toEqual([
        { file: "oncall.yaml", path: "categories", message: "categories is empty", hint: "add a category such as power, water or roads" },
      ]);
    });

    it("refuses a member id used twice", () => {
      expect(problemsInText(VALID.replace("id: sam,", "id: pat,").replace("backup: sam", "backup: pat"))).toContainEqual({
        file: "oncall.yaml",
        path: "categories.water.members[1].id",
        message: '"pat" is already the id of members[0]',
        hint: "give each member their own id",
      });
    });

    it("refuses a wait of nothing, and one longer than a day", () => {
      const problems = problemsInText(VALID.replace('wait: "10m"', 'wait: "0m"').replace('wait: "15m"', 'wait: "25h"'));
      expect(problems.map((problem) => problem.message)).toEqual(["a wait of 0m is no wait at all", "a wait of 25h is longer than a day"]);
    });

    it("reports an unknown id in an override even when a phone number elsewhere is also wrong", () => {
      const text = VALID.replace('"+14035550112"', '"555-0112"').replace(
        "    escalation:",
        "    overrides:\n      - { from: 2026-12-24, to: 2026-12-26, primary: patt, reason: Pat covers }\n    escalation:",
      );
      expect(problemsInText(text).map((problem) => problem.path)).toEqual([
        "categories.water.members[1].phone",
        "categories.water.overrides[0].primary",
      ]);
    });
  });
});

describe("RosterSchema", () => {
  it("validates a document that is already an object (from the console)", () => {
    const document = { zone: "America/Edmonton", categories: { water: parseRoster(VALID, "x").categories["water"] } };
    // The console holds the document as written: waits as text.
    const asWritten = structuredClone(document) as unknown as { categories: { water: { escalation: { steps: object[] }; repeatsJoinForMs?: number; repeatsJoinFor?: string } } };
    asWritten.categories.water.escalation.steps = [
      { notify: "primary", wait: "10m" },
      { notify: "supervisor", wait: "15m" },
    ];
    delete asWritten.categories.water.repeatsJoinForMs;
    asWritten.categories.water.repeatsJoinFor = "2h";
    expect(RosterSchema.parse(asWritten)).toEqual(parseRoster(VALID, "x"));
  });

  it("refuses an unknown zone with a path", () => {
    const result = RosterSchema.safeParse({ zone: "Mars/Olympus_Mons", categories: {} });
    expect(result.error?.issues).toContainEqual(expect.objectContaining({ path: ["zone"], message: 'unknown time zone "Mars/Olympus_Mons"' }));
  });

  it("is what TEST_ROSTER is checked against", () => {
    expect(() => loadRoster(TEST_ROSTER)).not.toThrow();
  });
});
