import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Database } from "./database.js";

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

/** The database was migrated by a newer Civic Line, or a migration applied here was changed since. */
export class SchemaMismatchError extends Error {
  override readonly name = "SchemaMismatchError";
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

export interface MigrationResult {
  /** The migrations this run applied, in order. */
  applied: string[];
  /** The schema's version now. */
  version: number;
}

/**
 * Brings the database's schema up to the migrations this code knows, each in its own
 * transaction, and refuses a database migrated by a newer version (a process never runs on a
 * schema it does not know) or one whose applied migration was edited since. Several processes
 * starting at once apply each migration once: they take turns on an advisory lock.
 */
export async function migrate(database: Database, migrations?: Migration[]): Promise<MigrationResult> {
  const known = migrations ?? (await readMigrations());
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
      const done = await tx.query<{ version: number; name: string; checksum: string }>("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
      checkApplied(done, known);
      const pending = known[done.length];
      if (!pending) return null;
      await tx.exec(pending.sql);
      await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [pending.version, pending.name, pending.checksum]);
      return pending;
    });
    if (!next) break;
    applied.push(file(next));
  }
  return { applied, version: known.length };
}

/** Every applied migration is one this code has, unchanged. */
function checkApplied(done: { version: number; name: string; checksum: string }[], known: Migration[]): void {
  for (const row of done) {
    const migration = known[row.version - 1];
    if (!migration) {
      throw new SchemaMismatchError(
        `the records database has migration ${file(row)}, which this version of Civic Line does not know: it was migrated by a newer version. Run that version (or newer), or restore a backup from before it.`,
      );
    }
    if (migration.checksum !== row.checksum) {
      throw new SchemaMismatchError(
        `migration ${file(row)} was changed after it was applied to this database. Put the file back as it was and add a new migration for the change.`,
      );
    }
  }
}
