/**
 * `npm run db:migrate`: brings the records database (DATABASE_URL, or the embedded one under
 * DATA_DIR) up to the schema this version of Civic Line knows, and says what it applied. The
 * line does the same at every start; this is for deployments that migrate first. `--check`
 * applies nothing and says where the schema stands: exit code 1 when migrations are waiting,
 * when the database was migrated by a newer version or a migration was edited after it was
 * applied, and when the database cannot be reached.
 *
 * While a line holds the embedded database, this command reaches it through the line's socket and
 * only checks: the line applies migrations at its start (a second process's DDL would share the
 * embedded database's one session with the line's own statements).
 */
import "./lib/load-env.js";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { assertSchemaKnown, migrate, readMigrations, SchemaMismatchError, schemaStatus, type SchemaStatus } from "../src/adapters/postgres/migrate.js";
import { describeDatabase, openDatabase, type OpenedDatabase } from "../src/adapters/postgres/open-database.js";
import { ConfigError, loadRecordsConfig } from "../src/config/env.js";
import { embeddedDatabaseExists } from "./lib/embedded-database.js";

const USAGE = `Usage: npm run db:migrate [-- --check]

Applies the records database's migrations (src/adapters/postgres/migrations/) that are not applied
yet, each in its own transaction, and prints the schema version. While a running line holds the
embedded database (no DATABASE_URL), it only checks: the line applies migrations at its start.
  --check   apply nothing; say where the schema stands, with exit code 1 when migrations are
            waiting, the schema is not one this version knows, or the database cannot be reached`;

/** The database could not be reached or read: said as such, never as a schema's state. */
class UnreachableError extends Error {
  override readonly name = "UnreachableError";
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { check: { type: "boolean" }, help: { type: "boolean", short: "h" } }, allowPositionals: false });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadRecordsConfig(process.env);
  const where = describeDatabase(config.database);
  const known = await readMigrations();
  // Checking makes nothing: opening an embedded database that is not there would create it.
  if (values.check && config.database.kind === "pglite" && !embeddedDatabaseExists(config.database.dataDir)) {
    const files = known.map((migration) => `${String(migration.version).padStart(4, "0")}-${migration.name}.sql`);
    console.log(
      `records database: there is none under ${resolve(config.database.dataDir)} (DATA_DIR), and nothing was created: schema 0 of ${known.length}, ${known.length} migration(s) to apply (${files.join(", ")}): run npm run db:migrate`,
    );
    return 1;
  }
  let database: OpenedDatabase;
  try {
    database = await openDatabase(config.database);
  } catch (error) {
    throw new UnreachableError(`${where} cannot be opened: ${messageOf(error)}`);
  }
  try {
    const status = await schemaStatus(database, known).catch((error: unknown) => {
      throw new UnreachableError(`${where} cannot be reached: ${messageOf(error)}`);
    });
    if (values.check) return report(database, status);
    if (database.access === "embedded-client") {
      console.log(`records database ${database.location}: a running Civic Line holds the embedded database and applies migrations at its start; checking only.`);
      return report(database, status);
    }
    const { applied, version } = await migrate(database, known);
    console.log(
      applied.length > 0
        ? `records database ${database.location}: applied ${applied.join(", ")}; schema version ${version}`
        : `records database ${database.location}: schema version ${version}, nothing to apply`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

/** Says where the schema stands; 0 when it is the one this version knows, 1 otherwise. */
function report(database: OpenedDatabase, status: SchemaStatus): number {
  assertSchemaKnown(status, { pendingAllowed: true });
  const where = `records database ${database.location}: schema ${status.applied.length} of ${status.version}`;
  if (status.pending.length === 0) {
    console.log(`${where}, up to date`);
    return 0;
  }
  const what = database.access === "embedded-client" ? "restart the line with this version (it migrates at start), or run npm run db:migrate while it is stopped" : "run npm run db:migrate";
  console.log(`${where}, ${status.pending.length} migration(s) to apply (${status.pending.join(", ")}): ${what}`);
  return 1;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || (error as { code?: string }).code || error.name : String(error);
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof ConfigError || error instanceof SchemaMismatchError || error instanceof UnreachableError) console.error(`db:migrate: ${error.message}`);
  else console.error(`db:migrate: the records database could not be migrated: ${messageOf(error)}`);
  process.exitCode = 1;
}
