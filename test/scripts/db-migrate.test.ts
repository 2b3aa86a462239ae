/**
 * `npm run db:migrate`, run as an operator runs it, against a server database (DATABASE_URL) and
 * an embedded one no line holds (DATA_DIR). Run beside a line holding the embedded database, it
 * only checks: test/adapters/postgres/embedded-database.test.ts shows that.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/adapters/postgres/open-database.js";
import { runScript, type CliResult } from "../helpers/cli.js";
import { DATABASE_KINDS, testDatabase, type DatabaseKind } from "../helpers/database.js";

/** An empty records database of that kind, the environment that points db:migrate at it, and a way to change it behind its back. */
async function emptyRecords(kind: DatabaseKind): Promise<{ env: Record<string, string>; sql(statement: string, params?: unknown[]): Promise<Record<string, unknown>[]>; close(): Promise<void> }> {
  if (kind === "postgres") {
    const db = await testDatabase("postgres", { migrated: false });
    return { env: { DATABASE_URL: db.url! }, sql: (statement, params) => db.database.query(statement, params), close: () => db.close() };
  }
  const dir = await mkdtemp(join(tmpdir(), "civic-db-migrate-"));
  return {
    env: { DATABASE_URL: "", DATA_DIR: dir },
    // Opened only for the statement: between statements no process holds it, as when the line is stopped.
    sql: async (statement, params) => {
      const database = await openDatabase({ kind: "pglite", dataDir: dir });
      try {
        return await database.query(statement, params);
      } finally {
        await database.close();
      }
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

// Each test runs db:migrate as a process that opens the database: an embedded one, on a busy
// machine, takes longer to open and migrate than the suite's 20 s.
describe.each(DATABASE_KINDS)("npm run db:migrate on %s", { timeout: 60_000 }, (kind) => {
  let records: Awaited<ReturnType<typeof emptyRecords>>;
  const dbMigrate = (...args: string[]): Promise<CliResult> => runScript("db-migrate.ts", args, records.env);

  beforeAll(async () => {
    records = await emptyRecords(kind);
  }, 60_000);
  afterAll(() => records.close());

  describe("on an empty database", () => {
    it("--check says what is waiting, applies nothing, and exits 1", async () => {
      const result = await dbMigrate("--check");
      expect(result.stdout).toMatch(/schema 0 of 1, 1 migration\(s\) to apply \(0001-records\.sql\): run npm run db:migrate/);
      expect(result.code).toBe(1);
      expect((await dbMigrate("--check")).code).toBe(1);
    });

    it("applies the migrations and says which", async () => {
      const result = await dbMigrate();
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(/applied 0001-records\.sql; schema version 1/);
      expect(result.code).toBe(0);
    });
  });

  describe("on a database migrated by this version", () => {
    it("--check says it is up to date and exits 0", async () => {
      const result = await dbMigrate("--check");
      expect(result.stdout).toMatch(/schema 1 of 1, up to date/);
      expect(result.code).toBe(0);
    });

    it("applies nothing", async () => {
      const result = await dbMigrate();
      expect(result.stdout).toMatch(/schema version 1, nothing to apply/);
      expect(result.code).toBe(0);
    });
  });

  describe("on a database whose migration was edited after it was applied", () => {
    let checksum: unknown;
    beforeAll(async () => {
      checksum = (await records.sql("SELECT checksum FROM schema_migrations WHERE version = 1"))[0]!.checksum;
      await records.sql("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1");
    });
    afterAll(() => records.sql("UPDATE schema_migrations SET checksum = $1 WHERE version = 1", [checksum]));

    it("--check names the migration, says what to do, and exits 1", async () => {
      const result = await dbMigrate("--check");
      expect(result.stderr).toMatch(/db:migrate: migration 0001-records\.sql was changed after it was applied to this database\. Put the file back as it was/);
      expect(result.stdout).toBe("");
      expect(result.code).toBe(1);
    });

    it("refuses to migrate it", async () => {
      const result = await dbMigrate();
      expect(result.stderr).toMatch(/changed after it was applied/);
      expect(result.code).toBe(1);
    });
  });

  describe("on a database migrated by a newer version", () => {
    beforeAll(() => records.sql("INSERT INTO schema_migrations (version, name, checksum) VALUES (2, 'from-the-future', 'x')"));

    it("--check says which migration this version does not know, and exits 1 (not up to date)", async () => {
      const result = await dbMigrate("--check");
      expect(result.stderr).toMatch(/0002-from-the-future\.sql, which this version of Civic Line does not know: it was migrated by a newer version/);
      expect(result.stdout).not.toMatch(/up to date/);
      expect(result.code).toBe(1);
    });
  });
});

describe("npm run db:migrate -- --check when the server does not answer", () => {
  let result: CliResult;
  beforeAll(async () => {
    // Port 1 on the loopback: nothing listens there.
    result = await runScript("db-migrate.ts", ["--check"], { DATABASE_URL: "postgres://postgres:secret@127.0.0.1:1/records" });
  });

  it("says the database cannot be reached, without its password", () => {
    expect(result.stderr).toMatch(/^db:migrate: DATABASE_URL postgres:\/\/postgres@127\.0\.0\.1:1\/records cannot be reached: /);
    expect(result.stderr).not.toContain("secret");
  });

  it("says nothing about migrations to apply, and exits 1", () => {
    expect(result.stdout).toBe("");
    expect(result.code).toBe(1);
  });
});
