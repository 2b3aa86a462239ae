import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { readFlowFiles } from "../../src/adapters/files/flow-source.js";
import { checkDefinitions, lineOfPath, withDocument } from "../../src/domain/definitions.js";
import { formatProblem } from "../../src/domain/validation.js";

const files = await readFlowFiles("flows");
const main = await readFile("flows/main.yaml", "utf8");
const oncall = await readFile("flows/oncall.yaml", "utf8");

describe("checkDefinitions", () => {
  it("builds the City's set from flows/, each document at the version it came from", () => {
    const checked = checkDefinitions(files);
    expect(checked.errors).toEqual([]);
    expect(checked.set?.main.name).toBe("main");
    expect(checked.set?.versions).toEqual({ flows: new Map([["main", 0]]), hours: 0, oncall: 0 });
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
      const checked = checkDefinitions({ flows: new Map(), hours: null, oncall: null });
      expect(checked.errors.map(formatProblem)).toEqual([
        "hours.yaml: missing (the line needs its hours)",
        "oncall.yaml: missing (the trouble line needs its on-call rosters)",
        "main.yaml: missing (every call starts in the main flow)",
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
