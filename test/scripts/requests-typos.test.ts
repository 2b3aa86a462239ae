/**
 * A supervisor who mistypes a service or a department on the worklist is told so, with the name
 * they meant, rather than shown an empty worklist that reads as "nothing to call back".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScript } from "../helpers/cli.js";
import { testDatabase, type TestDatabase } from "../helpers/database.js";


describe("npm run requests -- list, with a mistyped filter", { timeout: 60_000 }, () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await testDatabase("postgres");
    env = { DATABASE_URL: db.url!, DATA_DIR: "", FLOWS_DIR: "flows" };
  });
  afterAll(() => db?.close());

  it("names the service the line has nearest to a mistyped one, and exits 1", async () => {
    const result = await runScript("requests.ts", ["list", "--service", "calback", "--status", "open"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the line has no service "calback" (did you mean "callback"?)');
  });

  it("names the department the line has nearest to a mistyped one, and exits 1", async () => {
    const result = await runScript("requests.ts", ["list", "--department", "Water & Wastewater"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the line has no department "Water & Wastewater" (did you mean "Water and Wastewater"?)');
  });

  it("says only that there are none for a service the line has", async () => {
    const result = await runScript("requests.ts", ["list", "--service", "callback", "--status", "open"], env);
    expect([result.code, result.stdout.trim()]).toEqual([0, "No requests (open, for the service callback)."]);
  });
});
