/**
 * An operator pointing a records command at the wrong database (a DATABASE_URL of a database the
 * line never wrote, a DATA_DIR with nothing in it) is told so, and nothing is made there: no
 * "No requests." or a report of zeros read off an empty database, no tables created, no folder.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScript } from "../helpers/cli.js";
import { testDatabase, type TestDatabase } from "../helpers/database.js";


describe("a records command on a PostgreSQL database the line never wrote", { timeout: 60_000 }, () => {
  let empty: TestDatabase;
  beforeAll(async () => {
    empty = await testDatabase("postgres", { migrated: false });
  });
  afterAll(() => empty?.close());

  it.each([
    ["requests", ["list", "--service", "callback", "--status", "open"]],
    ["report", ["--from", "2026-12-01", "--to", "2026-12-02"]],
  ])("npm run %s says it holds no Civic Line records, exits 1, and creates no table there", async (script, args) => {
    const result = await runScript(`${script}.ts`, args, { DATABASE_URL: empty.url!, DATA_DIR: "" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("holds no Civic Line records (its schema was never made)");
    expect(result.stdout).not.toMatch(/No requests/);
    expect(await empty.database.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).toEqual([]);
  });
});

describe("npm run db:migrate -- --check where DATA_DIR holds no database", { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "civic-no-records-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("says there is none, exits 1, and creates nothing", async () => {
    const dataDir = join(dir, "not-the-line");
    const result = await runScript("db-migrate.ts", ["--check"], { DATABASE_URL: "", DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`there is none under ${dataDir} (DATA_DIR), and nothing was created: schema 0 of 1`);
    expect(existsSync(dataDir)).toBe(false);
  });
});
