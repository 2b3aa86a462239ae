import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nodeTypes } from "../../../src/domain/flow/nodes/index.js";
import { parseFlow } from "../../../src/domain/flow/parse.js";
import { DefinitionError, formatProblem, type Problem } from "../../../src/domain/validation.js";

const GOOD = "test/fixtures/flows/good";
const BAD = "test/fixtures/flows/bad";

const goodFiles = readdirSync(GOOD).filter((file) => file.endsWith(".yaml")).sort();
const badFiles = readdirSync(BAD).filter((file) => file.endsWith(".yaml")).sort();
/** Each bad fixture and every problem it must be refused with, formatted as supervisors see them. */
const expected = JSON.parse(readFileSync(`${BAD}/expected.json`, "utf8")) as Record<string, string[]>;

/** The problems parseFlow refuses a text with; fails the test when it is accepted. */
function problemsOf(yamlText: string, file: string): Problem[] {
  try {
    parseFlow("test", yamlText, file);
  } catch (error) {
    if (error instanceof DefinitionError) return error.problems;
    throw error;
  }
  throw new Error(`${file} was accepted`);
}

const MINIMAL = `
start: bye
fallbackQueue: general
states:
  bye:
    type: hangup
`;

describe("parseFlow", () => {
  describe("the City's flow, flows/main.yaml", () => {
    const parsed = parseFlow("main", readFileSync("flows/main.yaml", "utf8"), "flows/main.yaml");

    it("parses", () => {
      expect(parsed.flow.start).toBe("greeting");
    });

    it("has no warnings", () => {
      expect(parsed.warnings).toEqual([]);
    });
  });

  describe("a valid flow", () => {
    const { flow, warnings } = parseFlow("night-line", MINIMAL, "flows/night-line.yaml");

    it("is named by the name given, not by anything in the file", () => {
      expect(flow.name).toBe("night-line");
    });

    it("speaks en-US when the file names no language", () => {
      expect(flow.language).toBe("en-US");
    });

    it("has no warnings", () => {
      expect(warnings).toEqual([]);
    });
  });

  describe("defaults filled in for what a supervisor leaves out", () => {
    const { flow } = parseFlow("test", readFileSync(`${GOOD}/goto.yaml`, "utf8"), "goto.yaml");
    const menu = flow.states.shared;

    it("gives a menu a 5-second timeout, 3 tries and its sorry texts", () => {
      expect(menu).toMatchObject({
        timeout: 5,
        attempts: 3,
        noInput: "Sorry, I didn't catch that.",
        invalid: "Sorry, that is not one of the choices.",
      });
    });

    it("gives a choice without keywords an empty list", () => {
      expect(menu?.type === "menu" && menu.choices[0]?.keywords).toEqual([]);
    });
  });

  describe("the good fixtures", () => {
    it.each(goodFiles)("parses %s without warnings", (file) => {
      expect(parseFlow("test", readFileSync(`${GOOD}/${file}`, "utf8"), file).warnings).toEqual([]);
    });

    it("use every state type at least once", () => {
      const used = new Set(
        goodFiles.flatMap((file) =>
          Object.values(parseFlow("test", readFileSync(`${GOOD}/${file}`, "utf8"), file).flow.states).map((node) => node.type),
        ),
      );
      expect([...used].sort()).toEqual(Object.keys(nodeTypes).sort());
    });
  });

  describe("the bad fixtures", () => {
    it("have an expectation for every file, and a file for every expectation", () => {
      expect(Object.keys(expected).sort()).toEqual(badFiles);
    });

    it.each(badFiles)("refuses %s with exactly the expected problems", (file) => {
      const problems = problemsOf(readFileSync(`${BAD}/${file}`, "utf8"), file);
      expect(problems.map(formatProblem)).toEqual(expected[file]);
    });
  });

  describe("when a transition names a state that does not exist", () => {
    const [problem] = problemsOf(readFileSync(`${BAD}/unknown-target.yaml`, "utf8"), "flows/main.yaml");

    it("names the file, the path and the state, and suggests the closest name", () => {
      expect(formatProblem(problem!)).toBe('flows/main.yaml: states.closed.next: unknown state "urgnet" (did you mean "urgent"?)');
    });

    it("lists the known states when no name is close", () => {
      const text = MINIMAL.replace("start: bye", "start: zzzzzzzz");
      expect(problemsOf(text, "t.yaml").map(formatProblem)).toEqual(['t.yaml: start: unknown state "zzzzzzzz" (known states: bye)']);
    });
  });

  describe("when a file has several problems", () => {
    const text = readFileSync(`${BAD}/many-problems.yaml`, "utf8");

    it("reports every one of them", () => {
      expect(problemsOf(text, "many-problems.yaml")).toHaveLength(3);
    });

    it("puts them all in the error's message, one per line", () => {
      expect(() => parseFlow("test", text, "many-problems.yaml")).toThrow(expected["many-problems.yaml"]!.join("\n"));
    });
  });

  describe("when the YAML cannot be read", () => {
    it("names the line of the problem", () => {
      expect(problemsOf(readFileSync(`${BAD}/invalid-yaml.yaml`, "utf8"), "x.yaml")[0]?.path).toBe("line 11");
    });

    it("refuses a key written twice, naming the line of the second", () => {
      expect(problemsOf(readFileSync(`${BAD}/duplicate-yaml-key.yaml`, "utf8"), "x.yaml")[0]?.path).toBe("line 8");
    });
  });

  describe("when a state cannot be reached from the start", () => {
    const text = `${MINIMAL}  orphan:\n    type: hangup\n    text: Nobody hears this.\n`;
    const { flow, warnings } = parseFlow("test", text, "flows/main.yaml");

    it("still gives the flow", () => {
      expect(Object.keys(flow.states)).toEqual(["bye", "orphan"]);
    });

    it("warns about it rather than refusing the flow", () => {
      expect(warnings.map(formatProblem)).toEqual([
        "flows/main.yaml: states.orphan: warning: no transition leads here (point a transition at it, or remove it)",
      ]);
    });

    it("marks the problem as a warning", () => {
      expect(warnings[0]?.severity).toBe("warning");
    });
  });

  describe("when a prompt uses a placeholder formatter that does not exist", () => {
    const text = `
start: bye
fallbackQueue: general
states:
  bye:
    type: hangup
    text: Your reference number is {reference|digitz}.
`;

    // Unchecked, "{reference|digitz}" would be read as a plain number instead of digit by digit.
    it("refuses it", () => {
      expect(() => parseFlow("test", text, "t.yaml")).toThrow(DefinitionError);
    });
  });
});
