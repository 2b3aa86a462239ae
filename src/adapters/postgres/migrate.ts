import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Database, Queryable } from "./database.js";
import type { OpenedDatabase } from "./open-database.js";

/** Where the migrations are: beside this module, in sources and (copied by `npm run build`) in dist. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

/** One migration file: `0001-records.sql` is version 1, named `records`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** SHA-256 of the file, kept when applied: a file changed after it was applied is refused. */
  checksum: string;
}

/**
 * The database's schema is not the one this code knows: migrated by a newer Civic Line, a migration
 * applied there was changed since, or (seen by a process that may not migrate) migrations are waiting.
 */
export class SchemaMismatchError extends Error {
  override readonly name: string = "SchemaMismatchError";
}

/** The schema is one this version knows, a step behind: its migrations wait for whoever may apply them. */
export class MigrationsWaitingError extends SchemaMismatchError {
  override readonly name = "MigrationsWaitingError";
}

/** The migrations in a folder, in order. File names are `NNNN-name.sql`; anything else is refused. */
export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = /^(\d{4})-([a-z0-9-]+)\.sql$/.exec(file);
    if (!match) throw new SchemaMismatchError(`${file}: a migration is named NNNN-name.sql (0002-add-notes.sql)`);
    const sql = await readFile(`${dir}/${file}`, "utf8");
    migrations.push({ version: Number(match[1]), name: match[2]!, sql, checksum: createHash("sha256").update(sql).digest("hex") });
  }
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new SchemaMismatchError(`migration ${file(migration)}: expected version ${index + 1} here (no gaps, no repeats)`);
  });
  return migrations;
}

function file(migration: Pick<Migration, "version" | "name">): string {
  return `${String(migration.version).padStart(4, "0")}-${migration.name}.sql`;
}

/** Where a database's schema stands against the migrations this code knows; each list holds file names (`0001-records.sql`). */
export interface SchemaStatus {
  /** Applied, known and unchanged. */
  applied: string[];
  /** Known and not applied yet, in the order they apply. */
  pending: string[];
  /** Applied by a newer version: this code does not know them. */
  unknown: string[];
  /** Applied, but the file here differs from what was applied. */
  edited: string[];
  /** The schema version this code brings (how many migrations it knows). */
  version: number;
}

/**
 * Reads which migrations the database has and compares them with `known`, changing nothing (a
 * database never migrated has them all pending). A database that cannot be reached rejects.
 */
export async function schemaStatus(db: Queryable, known: Migration[]): Promise<SchemaStatus> {
  const [{ present }] = (await db.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")) as [{ present: boolean }];
  const done = present ? await db.query<AppliedRow>("SELECT version, name, checksum FROM schema_migrations ORDER BY version") : [];
  const status: SchemaStatus = { applied: [], pending: [], unknown: [], edited: [], version: known.length };
  const versions = new Set(done.map((row) => row.version));
  for (const row of done) {
    const migration = known[row.version - 1];
    if (!migration) status.unknown.push(file(row));
    else if (migration.checksum !== row.checksum) status.edited.push(file(row));
    else status.applied.push(file(row));
  }
  status.pending = known.filter((migration) => !versions.has(migration.version)).map(file);
  return status;
}

/**
 * Refuses a schema this code must not run on: one from a newer version, one with an edited
 * migration, and (unless `pendingAllowed`) one with migrations waiting.
 */
export function assertSchemaKnown(status: SchemaStatus, options: { pendingAllowed?: boolean } = {}): void {
  if (status.unknown.length > 0) {
    throw new SchemaMismatchError(
      `the records database has migration ${status.unknown.join(", ")}, which this version of Civic Line does not know: it was migrated by a newer version. Run that version (or newer), or restore a backup from before it.`,
    );
  }
  if (status.edited.length > 0) {
    throw new SchemaMismatchError(
      `migration ${status.edited.join(", ")} was changed after it was applied to this database. Put the file back as it was and add a new migration for the change.`,
    );
  }
  if (status.pending.length > 0 && !options.pendingAllowed) {
    throw new MigrationsWaitingError(
      `the records database is at schema ${status.applied.length} and this version of Civic Line needs ${status.version}: ${status.pending.length} migration(s) to apply (${status.pending.join(", ")}). Start the line with this version (it migrates at start), or run npm run db:migrate while it is stopped.`,
    );
  }
}

export interface MigrationResult {
  /** The migrations this run applied, in order. */
  applied: string[];
  /** The schema's version now. */
  version: number;
  /**
   * True when this process reaches the embedded database through another process's socket: it
   * only checked the schema (the holder migrates), and applied nothing.
   */
  checkedOnly: boolean;
}

/**
 * Brings the database's schema up to the migrations this code knows, each in its own
 * transaction, and refuses a database migrated by a newer version (a process never runs on a
 * schema it does not know) or one whose applied migration was edited since. Several processes
 * starting at once apply each migration once: they take turns on an advisory lock.
 *
 * A process connected to the embedded database through the holder's socket changes nothing: the
 * holder migrates (at its start), and DDL from a connected process would share PGlite's one session
 * with the holder's own statements. It checks instead: it refuses a schema from a newer version or
 * an edited one, and migrations waiting (after waiting up to half a minute for a holder that took
 * the database less than a minute ago, which may be applying them at its start).
 */
export async function migrate(database: Database | OpenedDatabase, migrations?: Migration[]): Promise<MigrationResult> {
  const known = migrations ?? (await readMigrations());
  if ("access" in database && database.access === "embedded-client") {
    await checkBesideHolder(database, known);
    return { applied: [], version: known.length, checkedOnly: true };
  }
  const applied: string[] = [];
  for (;;) {
    const next = await database.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(7311311)");
      await tx.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY,
           name text NOT NULL,
           checksum text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const status = await schemaStatus(tx, known);
      assertSchemaKnown(status, { pendingAllowed: true });
      const pending = known.find((migration) => file(migration) === status.pending[0]);
      if (!pending) return null;
      await tx.exec(pending.sql);
      await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [pending.version, pending.name, pending.checksum]);
      return pending;
    });
    if (!next) break;
    applied.push(file(next));
  }
  return { applied, version: known.length, checkedOnly: false };
}

/** How long a connected process waits for a holder that just started to apply the migrations it is missing. */
const HOLDER_MIGRATING_WAIT_MS = 30_000;

/**
 * The check a process connected to the holder makes. Migrations waiting on a holder that took the
 * database moments ago are waited for (it migrates at its start: two roles started together must
 * not fail the second), then refused; a schema from a newer version or an edited one at once.
 */
async function checkBesideHolder(database: OpenedDatabase, known: Migration[]): Promise<void> {
  const deadline = Date.now() + HOLDER_MIGRATING_WAIT_MS;
  for (;;) {
    const status = await schemaStatus(database, known);
    assertSchemaKnown(status, { pendingAllowed: true });
    if (status.pending.length === 0) return;
    if (Date.now() > deadline || !(await database.holderJustStarted())) return assertSchemaKnown(status);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}
