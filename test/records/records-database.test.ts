import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, SchemaMismatchError } from "../../src/adapters/postgres/migrate.js";
import { createLogger } from "../../src/logger.js";
import { openRecordsDatabase, type RecordsDatabase } from "../../src/records/records-database.js";
import { testDatabase, type TestDatabase } from "../helpers/database.js";
import { Outage } from "../helpers/outage.js";

// A role that starts while the records database does not answer goes on (calls and pages do not
// wait for records) and tries the migrations again. When the database comes back migrated by a
// newer version, the role is told, so the worker writes nothing on a schema it does not know.
describe("a records database that comes back migrated by a newer version", () => {
  let db: TestDatabase;
  let outage: Outage;
  let records: RecordsDatabase;
  const lines: string[] = [];
  const log = createLogger({ level: "info", destination: { write: (line: string) => void lines.push(line) } });

  beforeAll(async () => {
    db = await testDatabase("postgres", { migrated: false });
    const url = new URL(db.url!);
    outage = new Outage({ host: url.hostname, port: Number(url.port || 5432) });
    // Its port, then down: the role starts while nothing answers there.
    await outage.up();
    await outage.down();
    url.port = String(outage.port);
    records = await openRecordsDatabase({ kind: "postgres", url: url.toString() }, log, { retryMs: 50 });
  });
  afterAll(async () => {
    await records?.release();
    await outage?.down();
    await db?.close();
  });

  it("starts the role anyway, saying records wait in Redis", () => {
    expect(lines.join("")).toContain("records wait in Redis until it does");
  });

  it("tells the role once the schema turns out to be one it does not know, and says so at fatal level", async () => {
    // Meanwhile a newer version migrated it.
    await migrate(db.database);
    await db.database.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'from-the-future', 'x')");
    const refused = new Promise<SchemaMismatchError>((resolve) => records.onSchemaRefused(resolve));
    await outage.up();

    const error = await refused;
    expect(error.message).toContain("0999-from-the-future.sql");
    const fatal = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).find((line) => line.level === 60);
    expect(fatal?.msg).toContain("records are no longer written and wait in Redis");
  });

  it("tells a role that asks after it was refused, too", async () => {
    const told = await new Promise<SchemaMismatchError>((resolve) => records.onSchemaRefused(resolve));
    expect(told).toBeInstanceOf(SchemaMismatchError);
  });
});
