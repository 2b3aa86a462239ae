import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, readMigrations, SchemaMismatchError, schemaStatus } from "../../../src/adapters/postgres/migrate.js";
import { DATABASE_KINDS, testDatabase, type TestDatabase } from "../../helpers/database.js";

describe.each(DATABASE_KINDS)("migrations on %s", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await testDatabase(kind, { migrated: false });
  }, 60_000);
  afterAll(() => db.close());

  it("build the schema from an empty database and say what they applied", async () => {
    const migrations = await readMigrations();
    const result = await migrate(db.database);
    expect(result.applied).toEqual(migrations.map((m) => `${String(m.version).padStart(4, "0")}-${m.name}.sql`));
    const tables = await db.database.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(["calls", "incidents", "request_notes", "schema_migrations", "service_requests"]));
  });

  it("apply nothing the second time", async () => {
    expect((await migrate(db.database)).applied).toEqual([]);
  });

  it("refuse a database migrated by a newer version of the line", async () => {
    const known = await readMigrations();
    await expect(migrate(db.database, known.slice(0, known.length - 1))).rejects.toThrow(SchemaMismatchError);
    await expect(migrate(db.database, known.slice(0, known.length - 1))).rejects.toThrow(/newer version/);
  });

  it("refuse a migration edited after it was applied", async () => {
    const [first, ...rest] = await readMigrations();
    await expect(migrate(db.database, [{ ...first!, checksum: "edited" }, ...rest])).rejects.toThrow(/changed after it was applied/);
  });
});

describe.each(DATABASE_KINDS)("where a schema stands, on %s", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await testDatabase(kind, { migrated: false });
  }, 60_000);
  afterAll(() => db.close());

  it("never migrated: every migration is pending, and nothing is created by asking", async () => {
    const known = await readMigrations();
    expect(await schemaStatus(db.database, known)).toEqual({ applied: [], pending: ["0001-records.sql"], unknown: [], edited: [], version: known.length });
    expect(await db.database.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")).toEqual([{ present: false }]);
  });

  it("migrated by this version: everything applied", async () => {
    await migrate(db.database);
    expect(await schemaStatus(db.database, await readMigrations())).toMatchObject({ applied: ["0001-records.sql"], pending: [], unknown: [], edited: [] });
  });

  it("migrated by a newer version: the migrations this code does not know", async () => {
    const known = await readMigrations();
    expect(await schemaStatus(db.database, [])).toMatchObject({ applied: [], pending: [], unknown: ["0001-records.sql"], version: 0 });
    expect((await schemaStatus(db.database, known)).unknown).toEqual([]);
  });

  it("with a migration changed since it was applied: that migration", async () => {
    const [first, ...rest] = await readMigrations();
    expect(await schemaStatus(db.database, [{ ...first!, checksum: "edited" }, ...rest])).toMatchObject({ applied: [], edited: ["0001-records.sql"] });
  });
});

describe("two processes migrating the same server database at once", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await testDatabase("postgres", { migrated: false });
  });
  afterAll(() => db.close());

  it("apply each migration once between them", async () => {
    const { PgDatabase } = await import("../../../src/adapters/postgres/pg-database.js");
    const other = new PgDatabase({ url: db.url! });
    try {
      const [a, b] = await Promise.all([migrate(db.database), migrate(other)]);
      const count = (await readMigrations()).length;
      expect(a.applied.length + b.applied.length).toBe(count);
      const rows = await db.database.query<{ n: number }>("SELECT count(*) AS n FROM schema_migrations");
      expect(rows[0]!.n).toBe(count);
    } finally {
      await other.close();
    }
  });
});
