/**
 * `npm run db:migrate`: brings the records database (DATABASE_URL, or the embedded one under
 * DATA_DIR) up to the schema this version of Civic Line knows, and says what it applied. The
 * line does the same at every start; this is for deployments that migrate first, and
 * `--check` tells whether anything is left to apply (exit code 1 when something is).
 */
import "./lib/load-env.js";
import { parseArgs } from "node:util";
import { migrate, readMigrations, SchemaMismatchError } from "../src/adapters/postgres/migrate.js";
import { openDatabase } from "../src/adapters/postgres/open-database.js";
import { ConfigError, loadRecordsConfig } from "../src/config/env.js";

const USAGE = `Usage: npm run db:migrate [-- --check]

Applies the records database's migrations (src/adapters/postgres/migrations/) that are not applied
yet, each in its own transaction, and prints the schema version.
  --check   apply nothing; exit 1 when migrations are waiting to be applied`;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { check: { type: "boolean" }, help: { type: "boolean", short: "h" } }, allowPositionals: false });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadRecordsConfig(process.env);
  const database = await openDatabase(config.database);
  try {
    const known = await readMigrations();
    if (values.check) {
      const rows = await database
        .query<{ n: number }>("SELECT count(*)::int AS n FROM schema_migrations")
        .catch(() => [{ n: 0 }]);
      const pending = known.length - rows[0]!.n;
      console.log(`records database ${database.location}: schema ${rows[0]!.n} of ${known.length}${pending > 0 ? `, ${pending} migration(s) to apply: run npm run db:migrate` : ", up to date"}`);
      return pending > 0 ? 1 : 0;
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

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof ConfigError || error instanceof SchemaMismatchError) console.error(`db:migrate: ${error.message}`);
  else console.error(`db:migrate: the records database could not be migrated: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
