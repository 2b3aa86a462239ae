import pg from "pg";
import type { Database, Queryable } from "./database.js";

// Counts (bigint) and numeric come back as numbers, as PGlite gives them: a year of records
// is far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** `postgres://user:secret@host/db` → `postgres://user@host/db`: the password never reaches a log. */
export function withoutPassword(url: string): string {
  if (!URL.canParse(url)) return "(a malformed URL)";
  const parsed = new URL(url);
  parsed.password = "";
  return parsed.toString();
}

/** A PostgreSQL server through a node-postgres pool. */
export class PgDatabase implements Database {
  readonly kind: "postgres" | "pglite";
  readonly location: string;
  private readonly pool: pg.Pool;

  constructor(options: { url?: string; config?: pg.PoolConfig; location?: string; max?: number; kind?: "postgres" | "pglite" }) {
    this.kind = options.kind ?? "postgres";
    this.pool = new pg.Pool({
      ...(options.url ? { connectionString: options.url } : {}),
      ...options.config,
      types,
      max: options.max ?? 10,
      // A database that does not answer must not hold a worker's job for ever.
      connectionTimeoutMillis: 5_000,
      query_timeout: 60_000,
      application_name: "civic-line",
    });
    // An idle client losing its server is reported here; the next query gets a fresh one.
    this.pool.on("error", () => {});
    this.location = options.location ?? withoutPassword(options.url ?? "");
  }

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.pool.query(sql, params as unknown[]);
    return result.rows as Row[];
  }

  async exec(script: string): Promise<void> {
    await this.pool.query(script);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection that cannot even roll back is broken (its server went away): the pool must not hand it out again.
    let broken = false;
    // The pool listens for errors only on idle connections: one lost between this transaction's
    // statements would otherwise be an unhandled 'error' event, which ends the process.
    const lost = () => (broken = true);
    client.on("error", lost);
    try {
      await client.query("BEGIN");
      const tx: Queryable = {
        query: async (sql, params = []) => (await client.query(sql, params as unknown[])).rows,
        exec: async (script) => void (await client.query(script)),
      };
      const result = await work(tx);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => (broken = true));
      throw error;
    } finally {
      client.off("error", lost);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
