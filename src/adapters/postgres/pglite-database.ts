import { PGlite, types } from "@electric-sql/pglite";
import type { Database, Queryable } from "./database.js";
import { PgliteSession } from "./pglite-session.js";

const parsers = { [types.INT8]: Number, [types.NUMERIC]: Number };

/**
 * The embedded PostgreSQL (PGlite), in this thread: data in a folder, or in memory for tests.
 * PGlite is one PostgreSQL session: every statement of this thread takes its turn on it, and so do
 * the processes it is served to (`serve`), so nobody's statement lands in another's transaction.
 * Its WebAssembly runs on this thread and blocks it while a statement runs: the line opens its
 * folder's database in a thread of its own (PgliteWorker, through `openDatabase`) and reaches it
 * through the socket; tests' in-memory databases and the report benchmark use it here directly.
 */
export class PgliteDatabase implements Database {
  readonly kind = "pglite" as const;
  readonly #session: PgliteSession;

  private constructor(
    private readonly pglite: PGlite,
    readonly location: string,
  ) {
    this.#session = new PgliteSession(pglite);
  }

  /** Opens (creating when new) the database in `dataDir`, or in memory with `memory://`. */
  static async open(dataDir: string): Promise<PgliteDatabase> {
    const pglite = await PGlite.create(dataDir, { parsers });
    return new PgliteDatabase(pglite, dataDir);
  }

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.#session.run(() => this.pglite.query<Row>(sql, params as unknown[]));
    return result.rows;
  }

  async exec(script: string): Promise<void> {
    await this.#session.run(() => this.pglite.exec(script));
  }

  /** A transaction keeps the session to itself until it ends: connected processes wait, as on a server they would for its locks. */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#session.run(() =>
      this.pglite.transaction(async (tx) =>
        work({
          query: async <Row>(sql: string, params: readonly unknown[] = []) => (await tx.query<Row>(sql, params as unknown[])).rows,
          exec: async (script: string) => void (await tx.exec(script)),
        }),
      ),
    );
  }

  /** Serves this database to the machine's other processes on a Unix socket at `path` (node-postgres connects with its folder as host). */
  serve(path: string): Promise<{ stop(): Promise<void> }> {
    return this.#session.serve(path);
  }

  async close(): Promise<void> {
    await this.pglite.close();
  }
}
