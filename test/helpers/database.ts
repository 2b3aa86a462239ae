import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Database } from "../../src/adapters/postgres/database.js";
import { migrate } from "../../src/adapters/postgres/migrate.js";
import { openDatabase } from "../../src/adapters/postgres/open-database.js";
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

/** A records database for a command to read, and the environment that points the command at it. */
export interface CommandRecords {
  database: Database;
  env: Record<string, string>;
  /** Closes it and removes it (the server's database, or the embedded one's folder). */
  close(): Promise<void>;
}

/**
 * A new, migrated records database of that kind, as a line keeps its records: on the server, a
 * database of its own (DATABASE_URL); embedded, one in a new folder (DATA_DIR, DATABASE_URL empty)
 * that this test's process holds and serves on its socket, as a running line does.
 */
export async function recordsForCommand(kind: DatabaseKind): Promise<CommandRecords> {
  if (kind === "postgres") {
    const db = await testDatabase("postgres");
    return { database: db.database, env: { DATABASE_URL: db.url! }, close: () => db.close() };
  }
  const dir = await mkdtemp(join(tmpdir(), "civic-command-records-"));
  const database = await openDatabase({ kind: "pglite", dataDir: dir });
  await migrate(database);
  return {
    database,
    env: { DATABASE_URL: "", DATA_DIR: dir },
    close: async () => {
      await database.close();
      await rm(dir, { recursive: true, force: true });
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
