import { mkdtemp, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase } from "../../src/adapters/postgres/open-database.js";
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

// A rolling restart: the new version's role starts beside a process that still holds the embedded
// database on the older schema. It starts (calls and pages do not wait), and once the holder (or
// the one that takes over) has migrated, it reads the records.
describe("a role started beside a holder of the embedded database that has not migrated it yet", () => {
  it("starts, says it waits for the holder to migrate, and reads the records once it has", async () => {
    const dir = await mkdtemp(join(tmpdir(), "civic-behind-"));
    const holder = await openDatabase({ kind: "pglite", dataDir: dir });
    // A holder that took the database minutes ago: not one about to migrate at its start.
    const minutesAgo = new Date(Date.now() - 5 * 60_000);
    await utimes(join(dir, "pglite.pid"), minutesAgo, minutesAgo);
    const lines: { level: number; msg: string }[] = [];
    const log = createLogger({ level: "info", destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    const records = await openRecordsDatabase({ kind: "pglite", dataDir: dir }, log, { retryMs: 50 });
    try {
      expect(lines.map((line) => line.msg)).toContainEqual(expect.stringContaining("the database's schema is a step behind; waiting for the process that holds it to migrate it"));
      let refused = false;
      records.onSchemaRefused(() => (refused = true));

      await migrate(holder);
      await vi.waitFor(async () => expect(await records.store.requests({ limit: 1 })).toEqual([]), { timeout: 10_000 });
      expect(refused).toBe(false);
      expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    } finally {
      await records.release();
      await holder.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
