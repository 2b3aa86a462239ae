/**
 * One SQL interface over the two PostgreSQLs the line can keep its records in: a server
 * (`DATABASE_URL`, through node-postgres) or the embedded one (PGlite). The same SQL and the same
 * migrations serve both; results come back alike (counts as numbers, times as `Date`s).
 */
export interface Queryable {
  /** Runs one statement with `$1`, `$2`... parameters and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (a migration). */
  exec(script: string): Promise<void>;
}

export interface Database extends Queryable {
  /** `postgres` for a server, `pglite` for the embedded database. */
  readonly kind: "postgres" | "pglite";
  /** Where it is, for logs: a URL without its password, or a folder. */
  readonly location: string;
  /**
   * Runs `work` in one transaction, committed when it returns and rolled back when it throws.
   * Embedded, a transaction is not isolated from the owning process's other statements: keep
   * transactions to migrations and write everything else as single statements.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The database could not be reached or refused a statement for a reason other than the SQL. */
export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Sockets' ways of saying the server is not there. */
const NOT_THERE = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/**
 * Whether `error` says the database could not be reached or is not serving (down, restarting, out
 * of connections), as opposed to a statement it refused: worth trying again in a while.
 */
export function databaseUnreachable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  if (typeof code === "string") {
    // A socket file that is not there (the embedded database's holder gone), not any missing file.
    if (code === "ENOENT" && syscall === "connect") return true;
    // SQLSTATE 08: connection exceptions, but 08P01 (a protocol violation: the statement's own
    // fault); 57P01-57P03: shutting down, or not accepting connections yet; 53300: too many connections.
    if (NOT_THERE.has(code) || (code.startsWith("08") && code !== "08P01") || ["57P01", "57P02", "57P03", "53300"].includes(code)) return true;
  }
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|terminated unexpectedly|timeout exceeded when trying to connect|not queryable/i.test(message);
}
