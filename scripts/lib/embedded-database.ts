/**
 * The records commands (`npm run requests`, `npm run report`) read the records a line keeps; they
 * never start a new, empty embedded database. Opening one where there is none would create it
 * (PGlite makes its folder on first open), and a supervisor who forgot the line's `DATA_DIR` would
 * be told "No requests" about a database nobody writes to. Only `npm run db:migrate` (and the line
 * itself) may make a new one.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Database } from "../../src/adapters/postgres/database.js";
import { migrate, readMigrations, SchemaMismatchError, schemaStatus } from "../../src/adapters/postgres/migrate.js";
import { describeDatabase, openDatabase, type OpenedDatabase } from "../../src/adapters/postgres/open-database.js";
import type { DatabaseConfig } from "../../src/config/env.js";
import { CommandError } from "./cli.js";
import { DOT_ENV_FILE, FROM_DOT_ENV } from "./load-env.js";

/**
 * The file PostgreSQL (and so PGlite) writes first in a data directory: the embedded database
 * keeps its data directory in `<DATA_DIR>/pglite` (see src/adapters/postgres/open-database.ts).
 */
const DATA_DIRECTORY_MARK = join("pglite", "PG_VERSION");

/** Whether `dataDir` holds an embedded records database (one a line or `db:migrate` made). */
export function embeddedDatabaseExists(dataDir: string): boolean {
  return existsSync(join(resolve(dataDir), DATA_DIRECTORY_MARK));
}

/**
 * Refuses to go on when the configuration names the embedded database and there is none under its
 * `DATA_DIR`: says where it looked, where that folder came from, and how to point at the line's
 * records. A server (`DATABASE_URL`) is not checked here: it answers for itself.
 *
 * @param command - the command as the person typed it, to repeat with `DATA_DIR=...` in front
 * @throws CommandError when there is no embedded database there
 */
export function requireExistingEmbeddedDatabase(config: DatabaseConfig, command: string): void {
  if (config.kind !== "pglite" || embeddedDatabaseExists(config.dataDir)) return;
  const folder = resolve(config.dataDir);
  throw new CommandError(
    [
      `there is no records database in ${folder} (${origin()}), so there is nothing to read; nothing was created there.`,
      "  Point at the line's records as the line itself is started, e.g.",
      `    DATA_DIR=/srv/civic ${command}`,
      `  or set DATA_DIR (or DATABASE_URL, for a PostgreSQL server) in ${DOT_ENV_FILE}, the file npm run dev and npm start read.`,
      "  To start a new, empty records database there instead: npm run db:migrate",
    ].join("\n"),
  );
}

/** Where the embedded database's folder was said: in the environment, in `.env`, or nowhere (the default). */
function origin(): string {
  const value = process.env["DATA_DIR"];
  if (!value) return `DATA_DIR is set neither in the environment nor in ${DOT_ENV_FILE}: the default, .data`;
  return FROM_DOT_ENV.has("DATA_DIR") ? `DATA_DIR=${value}, from ${DOT_ENV_FILE}` : `DATA_DIR=${value}, from the environment`;
}

/** The command line as typed, `npm run requests -- list --status open`, quoting what the shell would split. */
export function commandAsTyped(script: string, args: readonly string[]): string {
  const quoted = args.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`));
  return quoted.length > 0 ? `npm run ${script} -- ${quoted.join(" ")}` : `npm run ${script}`;
}

/**
 * The line's records database for a records command (`requests`, `report`), on this version's
 * schema. One whose schema was never made holds no line's records (a wrong DATABASE_URL, or an
 * empty folder): refused, never made here, so nobody reads "No requests" off it. One a step behind
 * is migrated when this process may (a server, or the embedded database held here) and only
 * checked through a running line's socket; a newer or edited schema is refused.
 *
 * @param command - the command as the person typed it, to repeat with `DATA_DIR=...` in front
 * @throws CommandError saying where it looked and what to do
 */
export async function openLineRecords(config: DatabaseConfig, command: string): Promise<Database> {
  requireExistingEmbeddedDatabase(config, command);
  const where = describeDatabase(config);
  let database: OpenedDatabase | undefined;
  try {
    database = await openDatabase(config);
    const status = await schemaStatus(database, await readMigrations());
    // Through a running line's socket, `migrate` says the line applies them at its start.
    if (database.access !== "embedded-client" && status.applied.length + status.unknown.length + status.edited.length === 0) {
      throw new CommandError(
        `${where} holds no Civic Line records (its schema was never made), so there is nothing to read; nothing was changed there. Point DATABASE_URL or DATA_DIR at the line's records, or make a new, empty records database with npm run db:migrate.`,
      );
    }
    await migrate(database);
    return database;
  } catch (error) {
    await database?.close().catch(() => {});
    if (error instanceof CommandError) throw error;
    if (error instanceof SchemaMismatchError) throw new CommandError(error.message);
    throw new CommandError(`the records database cannot be opened (${where}): ${error instanceof Error ? error.message : String(error)}`);
  }
}
