import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { readFlowFiles } from "../../src/adapters/files/flow-source.js";
import { checkDefinitions, lineOfPath, withDocument } from "../../src/domain/definitions.js";
import { NO_DEPARTMENTS } from "../../src/domain/departments.js";
import { formatProblem } from "../../src/domain/validation.js";

const files = await readFlowFiles("flows");
const main = await readFile("flows/main.yaml", "utf8");
const oncall = await readFile("flows/oncall.yaml", "utf8");
const departments = await readFile("flows/departments.yaml", "utf8");

describe("checkDefinitions", () => {
  it("builds the City's set from flows/, each document at the version it came from", () => {
    const checked = checkDefinitions(files);
    expect(checked.errors).toEqual([]);
    expect(checked.set?.main.name).toBe("main");
    expect(checked.set?.versions).toEqual({ flows: new Map([["main", 0]]), hours: 0, oncall: 0, departments: 0 });
  });

  it("tags each flow with its published version, so a call can name the version it started on", () => {
    const published = { ...files, flows: new Map([["main", { source: main, version: 7 }]]) };
    expect(checkDefinitions(published).set?.main.version).toBe(7);
  });

  describe("across documents", () => {
    it("refuses a roster that drops a crew the main flow files reports for, naming the flow's line", () => {
      const withoutRoads = oncall.replace(/\n  roads:[\s\S]*$/, "\n");
      const checked = checkDefinitions(withDocument(files, "oncall", "oncall", withoutRoads));
      expect(checked.set).toBeUndefined();
      expect(checked.errors.map(formatProblem)).toContainEqual(expect.stringMatching(/^main\.yaml: states\..*category: no on-call crew for category "roads"/));
    });

    it("warns about a crew no flow can reach, and still serves", () => {
      const powerless = main.replace(/set: \{ category: power \}/, "set: { category: water }");
      const checked = checkDefinitions(withDocument(files, "flow", "main", powerless));
      expect(checked.set).toBeDefined();
      expect(checked.warnings.map(formatProblem)).toContain(
        'oncall.yaml: categories.power: warning: no call flow files reports for "power": this crew is never paged (add a menu choice or a dispatch state for it, or remove the category)',
      );
    });

    it("names every missing document at once", () => {
      const checked = checkDefinitions({ flows: new Map(), hours: null, oncall: null, departments: null });
      expect(checked.errors.map(formatProblem)).toEqual([
        "hours.yaml: missing (the line needs its hours)",
        "oncall.yaml: missing (the trouble line needs its on-call rosters)",
        "main.yaml: missing (every call starts in the main flow)",
      ]);
    });
  });

  describe("the departments", () => {
    const withDepartments = (source: string) => checkDefinitions(withDocument(files, "departments", "departments", source));

    it("come from flows/departments.yaml, which gives every service the City's line files a department", () => {
      const checked = checkDefinitions(files);
      expect(checked.warnings).toEqual([]);
      expect(checked.set?.departments.departments.map((department) => department.name)).toEqual([
        "Electric Utility",
        "Water and Wastewater",
        "Transportation / Public Works",
        "Utility Billing",
        "Waste and Recycling",
        "Bylaw and Parking",
        "311 Customer Service",
      ]);
    });

    it("take the version they were published as", () => {
      expect(checkDefinitions({ ...files, departments: { source: departments, version: 4 } }).set?.versions.departments).toBe(4);
    });

    describe("when there is no departments document (a line set up before there were departments)", () => {
      const checked = checkDefinitions({ ...files, departments: null });

      it("still serves, with no departments: every request is kept without one", () => {
        expect(checked.errors).toEqual([]);
        expect(checked.set?.departments).toEqual(NO_DEPARTMENTS);
        expect(checked.set?.versions.departments).toBe(0);
      });

      it("warns about nothing: nothing is expected of departments the City has not written", () => {
        expect(checked.warnings).toEqual([]);
      });
    });

    describe("that leave a service the line files without a department", () => {
      it("warn about an urgent category of the roster, naming where it comes from", () => {
        const checked = withDepartments(departments.replace("services: [water]", "services: [water-mains]"));
        expect(checked.set).toBeDefined();
        expect(checked.warnings).toEqual([
          {
            file: "departments.yaml",
            path: "departments",
            message: 'requests for "water" will be kept without a department: no department lists it in its services',
            hint: '"water" is an urgent category (oncall.yaml: categories.water); add it to the services of the department that handles it',
            severity: "warning",
          },
        ]);
      });

      it("warn about an agent queue of a flow", () => {
        const checked = withDepartments(departments.replace("services: [bylaw-parking]", "services: [parking]"));
        expect(checked.warnings.map(formatProblem)).toEqual([
          'departments.yaml: departments: warning: requests for "bylaw-parking" will be kept without a department: no department lists it in its services ("bylaw-parking" is an agent queue (main.yaml: states.queue-bylaw.queue); add it to the services of the department that handles it)',
        ]);
      });

      it("warn about callback, the service of every voicemail, when a flow takes voicemails", () => {
        const checked = withDepartments(departments.replace("services: [callback, general]", "services: [general]"));
        expect(checked.warnings.map(formatProblem)).toEqual([
          'departments.yaml: departments: warning: requests for "callback" will be kept without a department: no department lists it in its services ("callback" is the service of every voicemail (main.yaml: states.voicemail); add it to the services of the department that handles it)',
        ]);
      });

      it("point at a listed service that is likely the one meant, misspelled", () => {
        const checked = withDepartments(departments.replace("services: [utility-billing]", "services: [utlity-billing]"));
        expect(checked.warnings.map((warning) => warning.hint)).toEqual(['departments[3].services[0] is "utlity-billing": did you mean "utility-billing"?']);
      });

      it("warn about each one, and still serve", () => {
        const checked = withDepartments("departments: []\n");
        expect(checked.set).toBeDefined();
        expect(checked.warnings.map((warning) => /"([^"]+)"/.exec(warning.message)?.[1])).toEqual([
          "power",
          "water",
          "roads",
          "utility-billing",
          "waste-recycling",
          "roads-transit",
          "bylaw-parking",
          "general",
          "callback",
        ]);
        expect(checked.warnings.every((warning) => warning.severity === "warning")).toBe(true);
      });

      it("leave out a crew no flow files reports for: it makes no requests, and is warned about already", () => {
        const checked = checkDefinitions(withDocument(files, "flow", "main", main.replace(/set: \{ category: power \}/, "set: { category: water }")));
        expect(checked.warnings.map((warning) => warning.file)).toEqual(["oncall.yaml"]);
      });

      it("are said when a flow starts filing a new service, in the departments document", () => {
        const checked = checkDefinitions(withDocument(files, "flow", "main", main.replace("queue: bylaw-parking", "queue: animal-control")));
        expect(checked.set).toBeDefined();
        expect(checked.warnings.map(formatProblem)).toEqual([expect.stringMatching(/^departments\.yaml: departments: warning: requests for "animal-control" will be kept/)]);
      });
    });

    it("that do not pass their own checks stop the set, as any document does", () => {
      const checked = withDepartments(departments.replace("services: [water]", "services: [power]"));
      expect(checked.set).toBeUndefined();
      expect(checked.errors.map(formatProblem)).toEqual([
        'departments.yaml: departments[1].services[0]: "power" is already a service of "Electric Utility" (departments[0]) (a service goes to one department: remove it from one of them)',
      ]);
    });
  });
});

describe("lineOfPath", () => {
  const source = ["start: greeting", "states:", "  greeting:", "    type: menu", "    choices:", "      - key: 1", "        next: urgnet", ""].join("\n");

  it("finds the line of a nested field", () => {
    expect(lineOfPath(source, "states.greeting.choices[0].next")).toBe(7);
  });

  it("finds a state by its key's line", () => {
    expect(lineOfPath(source, "states.greeting")).toBe(3);
  });

  it("falls back to the nearest part of the path that exists, for a missing field", () => {
    expect(lineOfPath(source, "states.greeting.prompt")).toBe(3);
  });

  it("reads the line a syntax error names", () => {
    expect(lineOfPath("a: [", "line 4")).toBe(4);
  });

  it("gives the first line for the whole document", () => {
    expect(lineOfPath(source, "")).toBe(1);
  });
});
