import { randomBytes } from "node:crypto";
import pg from "pg";
import type { Database } from "../../src/adapters/postgres/database.js";
import { migrate } from "../../src/adapters/postgres/migrate.js";
import { PgDatabase } from "../../src/adapters/postgres/pg-database.js";
import { PgliteDatabase } from "../../src/adapters/postgres/pglite-database.js";

/** The PostgreSQL server tests create their databases on (trust auth on these machines). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";

/** Both databases the line can keep records in: every records test runs against each. */
export const DATABASE_KINDS = ["postgres", "pglite"] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

export interface TestDatabase {
  database: Database;
  /** The server database's URL (for a process under test); undefined for PGlite in memory. */
  url: string | undefined;
  /** Closes it and, on the server, drops the test's database. */
  close(): Promise<void>;
}

/**
 * A new, empty database of that kind for one test file: on the server, a database of its own
 * (dropped on close); embedded, PGlite in memory. `migrated` (the default) applies the migrations.
 */
export async function testDatabase(kind: DatabaseKind, options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const database = kind === "postgres" ? await serverDatabase() : { database: await PgliteDatabase.open("memory://"), url: undefined, close: async () => {} };
  if (options.migrated !== false) await migrate(database.database);
  return {
    database: database.database,
    url: database.url,
    close: async () => {
      await database.database.close().catch(() => {});
      await database.close();
    },
  };
}

async function serverDatabase(): Promise<{ database: Database; url: string; close(): Promise<void> }> {
  const name = `civic_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    database: new PgDatabase({ url: url.toString() }),
    url: url.toString(),
    close: async () => {
      const dropper = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
