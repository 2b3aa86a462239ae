/**
 * `npm run flows -- export | import | versions`, run as an operator runs it, for the departments
 * beside the flows, hours and rosters: imported with the rest (checked together first), listed in
 * the history, exported back as `departments.yaml`.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScript } from "../helpers/cli.js";

// The command writes the line's own key names (civic:doc..., civic:audit...); a database of its
// own keeps them away from a dev server and from the other tests' databases (9 to 15).
const base = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
base.pathname = "/6";
const REDIS_URL = base.toString();

const flows = (...args: string[]) => runScript("flows.ts", args, { REDIS_URL });
const departments = await readFile("flows/departments.yaml", "utf8");

describe("npm run flows", { timeout: 60_000 }, () => {
  let redis: Redis;
  let parent: string;
  const clean = async () => {
    const keys = await redis.keys("civic:*");
    if (keys.length > 0) await redis.del(...keys);
  };
  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    await clean();
    parent = await mkdtemp(path.join(tmpdir(), "flows-departments-"));
  });
  afterAll(async () => {
    await clean();
    redis.disconnect();
    await rm(parent, { recursive: true, force: true });
  });

  describe("import, from a folder without departments.yaml (as before departments existed)", () => {
    it("publishes the flows, hours and roster, and no departments", async () => {
      const dir = path.join(parent, "older");
      await cp("flows", dir, { recursive: true });
      await rm(path.join(dir, "departments.yaml"));
      const { code, stdout } = await flows("import", "--dir", dir, "--author", "dana");
      expect(code).toBe(0);
      expect(stdout).toContain("published flow main as version 1");
      expect(stdout).not.toContain("departments");
    });
  });

  describe("import, from a folder with departments.yaml", () => {
    it("publishes the departments, and nothing that is live already", async () => {
      const { code, stdout } = await flows("import", "--dir", "flows", "--author", "dana", "--message", "departments for the records");
      expect(code).toBe(0);
      expect(stdout).toBe("published departments as version 1\n");
    });

    it("refuses departments with a problem, publishing nothing, naming the file, the path and the fix", async () => {
      const dir = path.join(parent, "broken");
      await cp("flows", dir, { recursive: true });
      await writeFile(path.join(dir, "departments.yaml"), departments.replace("services: [water]", "services: [water, power]"));
      const { code, stderr } = await flows("import", "--dir", dir);
      expect(code).toBe(1);
      expect(stderr).toContain('departments.yaml: departments[1].services[1]: "power" is already a service of "Electric Utility" (departments[0])');
      expect(await redis.get("civic:doc:departments:departments:live")).toBe("1");
    });
  });

  describe("versions --document departments", () => {
    it("lists who published the departments, when and why", async () => {
      const { code, stdout } = await flows("versions", "--document", "departments");
      expect(code).toBe(0);
      expect(stdout).toMatch(/^version\s+author\s+at\s+message\n1\s+dana\s+\S+\s+departments for the records\n$/);
    });

    it("names the documents it knows when given another", async () => {
      const { code, stderr } = await flows("versions", "--document", "department");
      expect(code).toBe(1);
      expect(stderr).toContain("--document must be flow:<name>, hours, oncall or departments");
    });
  });

  describe("export", () => {
    it("writes the live departments as departments.yaml, as published", async () => {
      const dir = path.join(parent, "exported");
      const { code, stdout } = await flows("export", "--dir", dir);
      expect(code).toBe(0);
      expect(stdout).toContain(`${dir}/departments.yaml: version 1`);
      expect(await readFile(path.join(dir, "departments.yaml"), "utf8")).toBe(departments);
    });
  });
});
