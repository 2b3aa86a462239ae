import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadFlowSet, readFlowFiles } from "../../src/adapters/files/flow-source.js";
import { DefinitionError, formatProblem } from "../../src/domain/validation.js";

/** Every problem the folder has, formatted as supervisors read them. */
async function problemsIn(dir: string): Promise<string[]> {
  try {
    await loadFlowSet(dir);
    return [];
  } catch (error) {
    if (!(error instanceof DefinitionError)) throw error;
    return error.problems.map(formatProblem);
  }
}

describe("loadFlowSet", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "civic-flows-"));
    await cp("flows", dir, { recursive: true });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loads the City's flows, hours and roster", async () => {
    const set = await loadFlowSet("flows");
    expect(set.main.name).toBe("main");
    expect(Object.keys(set.roster.categories)).toEqual(expect.arrayContaining(["power", "water", "roads"]));
    expect(set.hours.zone).toBe("America/Edmonton");
  });

  it("refuses a flow that files reports for a category with no crew, with a did-you-mean", async () => {
    const main = path.join(dir, "main.yaml");
    await writeFile(main, (await readFile(main, "utf8")).replace("set: { category: power }", "set: { category: pwer }"));
    const problems = await problemsIn(dir);
    expect(problems).toContain(
      `${path.relative(process.cwd(), dir)}/main.yaml: states.urgent-menu.choices[0].set.category: no on-call crew for category "pwer" (did you mean "power"?)`,
    );
  });

  it("reads departments.yaml as the departments, not as a call flow", async () => {
    const files = await readFlowFiles("flows");
    expect([...files.flows.keys()]).not.toContain("departments");
    expect(files.departments?.source).toBe(await readFile("flows/departments.yaml", "utf8"));
    expect((await loadFlowSet("flows")).departments.departments.map((department) => department.name)).toContain("Electric Utility");
  });

  describe("without departments.yaml, as a folder from before departments were added", () => {
    it("loads, with no departments", async () => {
      await rm(path.join(dir, "departments.yaml"));
      expect((await readFlowFiles(dir)).departments).toBeNull();
      expect((await loadFlowSet(dir)).departments).toEqual({ departments: [] });
    });
  });

  it("refuses a departments.yaml with a problem, naming it by its path", async () => {
    const file = path.join(dir, "departments.yaml");
    await writeFile(file, (await readFile(file, "utf8")).replace("services: [water]", "services: [Water]"));
    expect(await problemsIn(dir)).toEqual([
      `${path.relative(process.cwd(), dir)}/departments.yaml: departments[1].services[0]: "Water" is not a service code (use lower-case letters, digits and dashes, as the urgent categories and queue names are written, e.g. "water")`,
    ]);
  });

  it("names every missing file at once", async () => {
    await rm(path.join(dir, "main.yaml"));
    await rm(path.join(dir, "oncall.yaml"));
    const problems = await problemsIn(dir);
    expect(problems.some((problem) => problem.endsWith("oncall.yaml: missing (the trouble line needs its on-call rosters)"))).toBe(true);
    expect(problems.some((problem) => problem.endsWith("main.yaml: missing (every call starts in the main flow)"))).toBe(true);
  });
});
