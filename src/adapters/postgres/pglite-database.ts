import { PGlite, types } from "@electric-sql/pglite";
import type { Database, Queryable } from "./database.js";

const parsers = { [types.INT8]: Number, [types.NUMERIC]: Number };

/** The embedded PostgreSQL (PGlite), in this process: data in a folder, or in memory for tests. */
export class PgliteDatabase implements Database {
  readonly kind = "pglite" as const;

  private constructor(
    /** The PGlite instance, for serving it to other processes over a socket. */
    readonly pglite: PGlite,
    readonly location: string,
  ) {}

  /** Opens (creating when new) the database in `dataDir`, or in memory with `memory://`. */
  static async open(dataDir: string): Promise<PgliteDatabase> {
    const pglite = await PGlite.create(dataDir, { parsers });
    return new PgliteDatabase(pglite, dataDir);
  }

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.pglite.query<Row>(sql, params as unknown[]);
    return result.rows;
  }

  async exec(script: string): Promise<void> {
    await this.pglite.exec(script);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pglite.transaction(async (tx) =>
      work({
        query: async <Row>(sql: string, params: readonly unknown[] = []) => (await tx.query<Row>(sql, params as unknown[])).rows,
        exec: async (script: string) => void (await tx.exec(script)),
      }),
    );
  }

  async close(): Promise<void> {
    await this.pglite.close();
  }
}
