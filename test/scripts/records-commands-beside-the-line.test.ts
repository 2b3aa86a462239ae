/**
 * `npm run report` and `npm run requests` beside a running line that holds the embedded database
 * (this test's process holds it, as the line does): they reach it through the line's socket, check
 * its schema and run no DDL on it; the line migrates at its start.
 */
import { mkdtemp, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/adapters/postgres/migrate.js";
import { openDatabase, type OpenedDatabase } from "../../src/adapters/postgres/open-database.js";
import { runScript } from "../helpers/cli.js";

const WAITING = /1 migration\(s\) to apply \(0001-records\.sql\)\. Start the line with this version \(it migrates at start\), or run npm run db:migrate while it is stopped/;

describe("the records commands beside a line holding the embedded database", () => {
  let dir: string;
  let line: OpenedDatabase;
  let env: Record<string, string>;
  const schemaPresent = async () => (await line.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present"))[0]!.present;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "civic-beside-"));
    line = await openDatabase({ kind: "pglite", dataDir: dir });
    // A line that has been running for a while: one that took the database moments ago may still be migrating, and is waited for.
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(dir, "pglite.pid"), hourAgo, hourAgo);
    env = { DATABASE_URL: "", DATA_DIR: dir, FLOWS_DIR: "flows" };
  }, 60_000);
  afterAll(async () => {
    await line?.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe("before the line has migrated it", () => {
    it("npm run report refuses, says what is waiting and what to do, and applies nothing", async () => {
      const result = await runScript("report.ts", ["--from", "2026-12-01", "--to", "2026-12-01"], env);
      expect(result.stderr).toMatch(WAITING);
      expect(result.code).toBe(1);
      expect(await schemaPresent()).toBe(false);
    });

    it("npm run requests refuses, says what is waiting and what to do, and applies nothing", async () => {
      const result = await runScript("requests.ts", ["list"], env);
      expect(result.stderr).toMatch(WAITING);
      expect(result.code).toBe(1);
      expect(await schemaPresent()).toBe(false);
    });
  });

  describe("once the line has migrated it", () => {
    beforeAll(() => migrate(line));

    it("npm run requests reads it", async () => {
      const result = await runScript("requests.ts", ["list"], env);
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(/No requests/);
      expect(result.code).toBe(0);
    });

    it("npm run report reads it", async () => {
      const result = await runScript("report.ts", ["--from", "2026-12-01", "--to", "2026-12-01", "--format", "json"], env);
      expect(result.stderr).toBe("");
      expect(JSON.parse(result.stdout)).toMatchObject({ totals: { calls: { offered: 0 } } });
      expect(result.code).toBe(0);
    });
  });
});
