import type { DatabaseConfig } from "../config/env.js";
import type { Database } from "../adapters/postgres/database.js";
import { migrate, MigrationsWaitingError, SchemaMismatchError } from "../adapters/postgres/migrate.js";
import { openDatabase } from "../adapters/postgres/open-database.js";
import { PostgresRecordStore } from "../adapters/postgres/record-store.js";
import type { Logger } from "../logger.js";

/** How often a role that started while the database was unreachable tries the migrations again. */
const RETRY_MS = 10_000;

/** The records database as a role uses it: the connection, the store over it, and a way to let go. */
export interface RecordsDatabase {
  database: Database;
  store: PostgresRecordStore;
  /**
   * Calls `listener` once if the schema turns out to be one this version does not know only after
   * the role started (the database did not answer at start; a newer version migrated it since).
   * The worker stops writing on it: records wait in Redis until this version is upgraded.
   */
  onSchemaRefused(listener: (error: SchemaMismatchError) => void): void;
  /** Lets go of it; the last role of the process to let go closes it. */
  release(): Promise<void>;
}

interface Shared {
  database: Promise<Database>;
  users: number;
  retry?: NodeJS.Timeout;
  refused?: SchemaMismatchError;
  listeners: ((error: SchemaMismatchError) => void)[];
}

/** One database per process, shared by its roles (`npm start` runs web and worker together). */
const opened = new Map<string, Shared>();

/**
 * Opens the records database and brings its schema up to date. A database migrated by a newer
 * version is refused: the role does not start. A server that does not answer does not stop the
 * role: calls go on, records wait in Redis, and the migrations are tried again every few seconds.
 */
export async function openRecordsDatabase(config: DatabaseConfig, log: Logger, options: { retryMs?: number } = {}): Promise<RecordsDatabase> {
  const retryMs = options.retryMs ?? RETRY_MS;
  const key = JSON.stringify(config);
  let entry = opened.get(key);
  if (!entry) {
    entry = { database: prepare(config, log), users: 0, listeners: [] };
    opened.set(key, entry);
    entry.database.catch(() => opened.delete(key));
  }
  const shared = entry;
  const database = await shared.database;
  shared.users++;
  let released = false;
  return {
    database,
    store: new PostgresRecordStore(database),
    onSchemaRefused: (listener) => {
      if (shared.refused) listener(shared.refused);
      else shared.listeners.push(listener);
    },
    release: async () => {
      if (released) return;
      released = true;
      if (--shared.users > 0) return;
      opened.delete(key);
      clearTimeout(shared.retry);
      await database.close();
    },
  };

  async function prepare(config: DatabaseConfig, log: Logger): Promise<Database> {
    const database = await openDatabase(config, log);
    const attempt = async (): Promise<boolean> => {
      try {
        const { applied, version } = await migrate(database);
        if (applied.length > 0) log.info({ applied, schema: version, database: database.location }, "records: database schema brought up to date");
        return true;
      } catch (error) {
        if (error instanceof MigrationsWaitingError) {
          // Beside a holder still on the older version (a rolling restart): it, or the next one, migrates.
          log.warn({ err: error.message, database: database.location }, "records: the database's schema is a step behind; waiting for the process that holds it to migrate it, records wait in Redis");
          return false;
        }
        if (error instanceof SchemaMismatchError) throw error;
        log.error(
          { err: error instanceof Error ? error.message : String(error), database: database.location },
          "records: the database does not answer; calls go on and records wait in Redis until it does",
        );
        return false;
      }
    };
    try {
      if (!(await attempt())) {
        const retry = async () => {
          const entry = opened.get(key);
          if (!entry) return;
          // `attempt` throws only a schema this version does not know.
          const ok = await attempt().catch((thrown: unknown) => {
            const error = thrown instanceof SchemaMismatchError ? thrown : new SchemaMismatchError(String(thrown));
            log.fatal(
              { err: error.message, database: database.location },
              "records: the database's schema is not one this version knows; records are no longer written and wait in Redis: upgrade Civic Line",
            );
            entry.refused = error;
            for (const listener of entry.listeners.splice(0)) listener(error);
            return true;
          });
          if (!ok) entry.retry = setTimeout(retry, retryMs).unref();
        };
        opened.get(key)!.retry = setTimeout(retry, retryMs).unref();
      }
    } catch (error) {
      await database.close().catch(() => {});
      throw error;
    }
    return database;
  }
}
