import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definitionJsonSchemas } from "../../src/domain/json-schemas.js";
import { waterRosterYaml } from "../fixtures/oncall/load.js";
import { runScript, type CliResult } from "../helpers/cli.js";

/** The one-category test roster (pat, sam, lee; supervisor renee) with `weeks` as its rotation. */
const roster = (weeks: string) => waterRosterYaml({ weeks, start: "2024-01-01" });

/** A flows folder of its own: a small call flow, one filing water reports, the specification's hours, the roster given, and current JSON Schemas. */
async function flowsFolder(parent: string, name: string, rosterYaml: string): Promise<string> {
  const dir = path.join(parent, name);
  await mkdir(dir);
  await copyFile("test/fixtures/flows/good/hours-branches.yaml", path.join(dir, "main.yaml"));
  await copyFile("test/fixtures/hours/good/hours.yaml", path.join(dir, "hours.yaml"));
  await writeFile(path.join(dir, "oncall.yaml"), rosterYaml);
  // A flow that files water reports, so the water crew is one some call can reach.
  await writeFile(path.join(dir, "water.yaml"), (await readFile("test/fixtures/flows/good/dispatch.yaml", "utf8")).replace("category: roads", "category: water"));
  for (const [file, text] of Object.entries(definitionJsonSchemas())) await writeFile(path.join(dir, file), text);
  return dir;
}

const check = (dir: string) => runScript("flows-check.ts", ["--dir", dir]);

describe("npm run flows:check", { timeout: 60_000 }, () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(path.join(tmpdir(), "flows-check-"));
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  describe("with a roster that leaves nobody on call every other week", () => {
    // Whatever day the check runs, the next 30 days hold at least one empty week.
    let result: CliResult;
    beforeAll(async () => {
      result = await check(await flowsFolder(parent, "gappy", roster("[{ primary: pat, backup: sam }, {}]")));
    });

    it("warns about each time in the next 30 days with nobody on call, as oncall -- gaps shows it", async () => {
      const { stdout } = result;
      const warnings = stdout.split("\n").filter((line) => line.includes("warning:"));
      expect(warnings.length).toBeGreaterThanOrEqual(1);
      for (const warning of warnings) {
        expect(warning).toMatch(
          /oncall\.yaml: categories\.water: warning: nobody on call (from \w{3} \d{4}-\d\d-\d\d \d\d:\d\d M[SD]T to|now, until) \w{3} \d{4}-\d\d-\d\d \d\d:\d\d M[SD]T \(.+\) \(an urgent report then pages only the supervisor; .*see every gap with npm run oncall -- gaps\)$/,
        );
      }
    });

    it("still passes the files, and exits 0: a gap is a warning, not an error", async () => {
      const { code, stdout, stderr } = result;
      expect(stderr).toBe("");
      expect(stdout).toMatch(/oncall\.yaml: ok \(water\)/);
      expect(code).toBe(0);
    });
  });

  describe("the departments", () => {
    const covered = () => roster("[{ primary: pat, backup: sam }, { primary: sam, backup: pat }]");

    it("are optional: a folder without departments.yaml passes, and says requests are kept without a department", async () => {
      const { code, stdout } = await check(await flowsFolder(parent, "no-departments", covered()));
      expect(code).toBe(0);
      expect(stdout).toMatch(/departments\.yaml: none \(optional: without it, requests are kept without a department\)$/m);
    });

    it("are counted when every service the folder's flows file has one", async () => {
      const dir = await flowsFolder(parent, "departments", covered());
      await writeFile(
        path.join(dir, "departments.yaml"),
        "departments:\n  - { name: Water and Wastewater, services: [water], endpoint: https://water.example.ca/requests.json }\n  - { name: 311 Customer Service, services: [general] }\n",
      );
      const { code, stdout } = await check(dir);
      expect(code).toBe(0);
      expect(stdout).not.toContain("warning:");
      expect(stdout).toMatch(/departments\.yaml: ok \(2 departments, 1 with a delivery endpoint\)$/m);
    });

    it("warn about a service no department handles, and still pass", async () => {
      const dir = await flowsFolder(parent, "departments-short", covered());
      await writeFile(path.join(dir, "departments.yaml"), "departments:\n  - { name: Water and Wastewater, services: [water] }\n");
      const { code, stdout } = await check(dir);
      expect(code).toBe(0);
      // Problems name files as a supervisor would open them, from where the check runs.
      const named = path.relative(process.cwd(), dir);
      expect(stdout).toContain(
        `${named}/departments.yaml: departments: warning: requests for "general" will be kept without a department: no department lists it in its services ("general" is an agent queue (${named}/main.yaml: states.agents.queue); add it to the services of the department that handles it)`,
      );
    });

    it("with a problem fail the check, naming the file, the path and the fix", async () => {
      const dir = await flowsFolder(parent, "departments-bad", covered());
      await writeFile(path.join(dir, "departments.yaml"), "departments:\n  - { name: Water, services: [water] }\n  - { name: Sewer, services: [water] }\n");
      const { code, stderr } = await check(dir);
      expect(code).toBe(1);
      expect(stderr).toContain(
        `${path.relative(process.cwd(), dir)}/departments.yaml: departments[1].services[0]: "water" is already a service of "Water" (departments[0]) (a service goes to one department: remove it from one of them)`,
      );
    });
  });

  it("says nothing about gaps for a roster with somebody on call throughout", async () => {
    const { code, stdout } = await check(await flowsFolder(parent, "covered", roster("[{ primary: pat, backup: sam }, { primary: sam, backup: pat }]")));
    expect(code).toBe(0);
    expect(stdout).not.toContain("warning:");
    expect(stdout).toMatch(/oncall\.yaml: ok \(water\)/);
  });
});
