import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { DatabaseConfig } from "../../config/env.js";
import type { Logger } from "../../logger.js";
import { DatabaseUnavailableError, type Database, type Queryable } from "./database.js";
import { PgDatabase, withoutPassword } from "./pg-database.js";
import { PgliteWorker } from "./pglite-worker.js";

/** The socket file the process holding the embedded database serves it on, in its folder. */
const SOCKET_FILE = ".s.PGSQL.5432";
const LOCK_FILE = "pglite.pid";

/** How long a process waits for another one that is opening the embedded database (the first open creates it: seconds). */
const OPENING_WAIT_MS = 30_000;

/** A lock file without a readable pid is being written by a process starting (an older Civic Line wrote it in two steps) until it is this old. */
const UNREADABLE_LOCK_GRACE_MS = 5_000;

/** A holder whose lock is younger than this may still be applying migrations at its start. */
const HOLDER_STARTING_MS = 60_000;

/** Where the records are, fit to print: `DATABASE_URL postgres://line@db/records` (no password), or the embedded database's folder. */
export function describeDatabase(config: DatabaseConfig): string {
  return config.kind === "postgres" ? `DATABASE_URL ${withoutPassword(config.url)}` : `the embedded database under ${config.dataDir}`;
}

/**
 * How this process reaches the records database: a server (`DATABASE_URL`), or the embedded one,
 * held here or through the socket of the process that holds it. Only a server or the holder may
 * change the schema: a connected process's DDL would share PGlite's one session with the holder.
 */
export type DatabaseAccess = "server" | "embedded-holder" | "embedded-client";

/** The records database as `openDatabase` gives it. */
export interface OpenedDatabase extends Database {
  /** May change when the holder exits and this process takes its place. */
  readonly access: DatabaseAccess;
  /**
   * True when this process is connected to a holder that took the embedded database less than a
   * minute ago: it may still be applying migrations at its start, so migrations waiting are worth
   * waiting for rather than refused.
   */
  holderJustStarted(): Promise<boolean>;
}

/** The folders whose embedded database this process holds or is opening: its own pid in their lock is not stale. */
const heldHere = new Set<string>();

/** The threads running the embedded databases this process holds, by folder. */
const threads = new Map<string, PgliteWorker>();

/**
 * The thread running the embedded database this process holds in `dir` (resolved), if it holds
 * it: for tests that end it as a crash would. `openDatabase` keeps it to itself otherwise.
 */
export function embeddedDatabaseThread(dir: string): PgliteWorker | undefined {
  return threads.get(resolve(dir));
}

/**
 * Opens the records database the configuration names. With `DATABASE_URL`, a pool to that server.
 * Without it, the embedded database under `DATA_DIR`: the first process to open it holds it (in a
 * thread of its own, so PGlite never blocks its event loop) and serves it to the others on this
 * machine over a Unix socket in that folder (PGlite serves one process), so `npm start`, a second
 * role and the command line all reach the same records. When the holder exits (or its thread
 * stops), the next statement of a process that was using it elects a holder again (connecting to
 * the one that took over, or taking over itself) and is tried once more.
 */
export async function openDatabase(config: DatabaseConfig, log?: Logger): Promise<OpenedDatabase> {
  if (config.kind === "postgres") return onServer(new PgDatabase({ url: config.url }));
  const dir = resolve(config.dataDir);
  await mkdir(dir, { recursive: true });
  return new EmbeddedDatabase(dir, await elect(dir, log), log);
}

function onServer(database: PgDatabase): OpenedDatabase {
  return {
    kind: database.kind,
    location: database.location,
    access: "server",
    holderJustStarted: async () => false,
    query: (sql, params) => database.query(sql, params),
    exec: (script) => database.exec(script),
    transaction: (work) => database.transaction(work),
    close: () => database.close(),
  };
}

/** The embedded database as this process reaches it now. */
interface Reached {
  database: Database;
  access: "embedded-holder" | "embedded-client";
}

class EmbeddedDatabase implements OpenedDatabase {
  readonly kind = "pglite" as const;
  #reached: Reached;
  #electing: Promise<Reached> | undefined;
  #closed = false;

  constructor(
    private readonly dir: string,
    reached: Reached,
    private readonly log?: Logger,
  ) {
    this.#reached = reached;
  }

  get access(): DatabaseAccess {
    return this.#reached.access;
  }

  get location(): string {
    return this.#reached.database.location;
  }

  async holderJustStarted(): Promise<boolean> {
    if (this.access !== "embedded-client") return false;
    const lock = await readLock(join(this.dir, LOCK_FILE)).catch(() => null);
    return lock !== null && lock.ageMs < HOLDER_STARTING_MS;
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    return this.#retried((database) => database.query<Row>(sql, params));
  }

  exec(script: string): Promise<void> {
    return this.#retried((database) => database.exec(script));
  }

  /** Tried again, whole, on a new holder when the old one went away during it: what it wrote there was rolled back or lost with it. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#retried((database) => database.transaction(work));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#electing?.catch(() => {});
    await this.#reached.database.close();
  }

  /**
   * Runs `use`, and when the holder went away under it (its socket gone, refused, or the connection
   * cut; held here, its thread ended), elects a holder again and runs it once more. A statement
   * cut off mid-way may have been applied before the holder went: the records' writes are
   * idempotent for this reason.
   */
  async #retried<T>(use: (database: Database) => Promise<T>): Promise<T> {
    const reached = this.#reached;
    try {
      return await use(reached.database);
    } catch (error) {
      if (this.#closed || !holderWentAway(error)) throw error;
      return use((await this.#reelect(reached)).database);
    }
  }

  #reelect(gone: Reached): Promise<Reached> {
    if (this.#reached !== gone) return Promise.resolve(this.#reached);
    this.#electing ??= (async () => {
      await gone.database.close().catch(() => {});
      const next = await elect(this.dir, this.log).catch((error: unknown) => {
        // Not the closed connection: the next statement elects again (the holder may be back by then).
        this.#reached = unreached(this.dir, error);
        throw error;
      });
      this.#reached = next;
      const was = gone.access === "embedded-holder" ? "this process's thread that held the embedded database stopped" : "the process that held the embedded database is gone";
      this.log?.warn(
        { database: this.dir },
        next.access === "embedded-holder" ? `records: ${was}; this process holds it now` : `records: ${was}; connected to the one that holds it now`,
      );
      return next;
    })().finally(() => (this.#electing = undefined));
    return this.#electing;
  }
}

/** No holder could be elected at the last try: the statement is refused, and the next one tries again. */
class HolderNotReachedError extends DatabaseUnavailableError {}

/** Where a process stands when it could not elect a holder: each statement elects again. */
function unreached(dir: string, cause: unknown): Reached {
  const refuse = async (): Promise<never> => {
    throw new HolderNotReachedError(`the embedded database in ${dir} was not reached at the last try: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  };
  return { access: "embedded-client", database: { kind: "pglite", location: dir, query: refuse, exec: refuse, transaction: refuse, close: async () => {} } };
}

/** node-postgres's ways of saying the socket's process is not there (any more), and a holder not reached at the last try. */
function holderWentAway(error: unknown): boolean {
  if (error instanceof HolderNotReachedError) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && ["ENOENT", "ECONNREFUSED", "ECONNRESET", "EPIPE"].includes(code)) return true;
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|terminated unexpectedly|not queryable/i.test(message);
}

/** Connects to the process that serves the embedded database, or takes its lock and serves it from here. */
async function elect(dir: string, log?: Logger): Promise<Reached> {
  const deadline = Date.now() + OPENING_WAIT_MS;
  for (;;) {
    const served = await connectToHolder(dir);
    if (served) return { database: served, access: "embedded-client" };
    const lock = await takeEmbeddedLock(dir);
    if (lock === "taken") {
      const holding = await serveEmbedded(dir, log);
      if (holding) return { database: holding, access: "embedded-holder" };
    } else if (Date.now() > deadline) {
      throw new DatabaseUnavailableError(
        `the embedded database in ${dir} is held by ${lock.pid ? `process ${lock.pid}` : "a process that did not write its pid"}, which does not serve it (${SOCKET_FILE} does not answer). Stop that process, or remove ${join(dir, LOCK_FILE)} if it is not a Civic Line.`,
      );
    }
    // Another process is opening it (the first open takes seconds): ask it again in a moment.
    await new Promise((done) => setTimeout(done, 250));
  }
}

/** The embedded database through the socket of the process that holds it, or null when nobody serves it. */
async function connectToHolder(dir: string): Promise<Database | null> {
  const database = connectTo(dir, `${dir} (served by the process that holds it)`);
  try {
    await database.query("SELECT 1");
    return database;
  } catch {
    await database.close().catch(() => {});
    return null;
  }
}

/**
 * A connection to the socket in `dir`. The embedded database is one session, taken in turns; one
 * connection is honest. It is kept while idle: a new one waits for its turn to start, behind
 * whatever statement holds the session.
 */
function connectTo(dir: string, location: string): PgDatabase {
  return new PgDatabase({
    config: { host: dir, user: "postgres", database: "postgres", idleTimeoutMillis: 0 },
    kind: "pglite",
    location,
    max: 1,
  });
}

/** What a lock file says: its pid (null when unreadable or empty), which file it is, and its age. */
interface LockSeen {
  pid: number | null;
  ino: number;
  ageMs: number;
}

async function readLock(path: string): Promise<LockSeen | null> {
  try {
    const [text, stats] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    const pid = Number(text.trim());
    return { pid: Number.isSafeInteger(pid) && pid > 0 ? pid : null, ino: stats.ino, ageMs: Date.now() - stats.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/**
 * Takes the embedded database's lock in `dir` (its `pglite.pid`) for this process, or says which
 * process holds it (`pid` null: one that is still writing it). The lock appears whole or not at all
 * (the pid is written to a file of this process's own, then linked into place, which fails when a
 * lock is there). A lock is stale when its process is gone, or when it has no readable pid and is
 * older than a few seconds; a stale lock is moved aside before it is removed, so a lock another
 * process took meanwhile is put back rather than deleted. `openDatabase` uses it; exported for tests.
 */
export async function takeEmbeddedLock(dir: string): Promise<"taken" | { pid: number | null }> {
  const path = join(dir, LOCK_FILE);
  const draft = join(dir, `${LOCK_FILE}.${process.pid}.${randomUUID()}`);
  await writeFile(draft, `${process.pid}\n`);
  try {
    for (let tries = 0; tries < 5; tries++) {
      try {
        await link(draft, path);
        heldHere.add(dir);
        return "taken";
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const seen = await readLock(path);
      if (!seen) continue;
      if (isHeld(seen, dir)) return { pid: seen.pid };
      await removeStale(path, seen);
    }
  } finally {
    await rm(draft, { force: true });
  }
  throw new DatabaseUnavailableError(`could not take the lock ${path}: other processes keep taking it`);
}

function isHeld(seen: LockSeen, dir: string): boolean {
  if (seen.pid === null) return seen.ageMs < UNREADABLE_LOCK_GRACE_MS;
  // This pid in the lock, when this process does not hold the folder, is a previous process's (pids are reused, pid 1 in every container).
  if (seen.pid === process.pid) return heldHere.has(dir);
  return isAlive(seen.pid);
}

/** Removes the lock seen stale, and only that one: a lock taken since is put back. */
async function removeStale(path: string, seen: LockSeen): Promise<void> {
  const aside = `${path}.stale-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    if ((await stat(aside)).ino !== seen.ino) await link(aside, path).catch(() => {});
  } finally {
    await rm(aside, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Opens the embedded database in a thread of this process and serves it on the folder's socket,
 * which this process's own statements reach too (so that PGlite's work never blocks its event
 * loop: webhooks are answered while a report runs); null when the lock turned out to be another
 * process's by the time it was open (it was moved aside and put back by a process judging it
 * stale), and this process must not serve. When the thread ends unexpectedly, this process lets go
 * of the lock and its socket at once, and its next statement elects a holder again.
 */
async function serveEmbedded(dir: string, log?: Logger): Promise<Database | null> {
  const lockPath = join(dir, LOCK_FILE);
  const socket = join(dir, SOCKET_FILE);
  let thread: PgliteWorker | undefined;
  let served: PgDatabase | undefined;
  let lockTaken: LockSeen | null = null;
  let released: Promise<void> | undefined;
  // Only while the lock is still the one this process took are the socket and the lock its own to remove (the socket first: no other process serves while it is there).
  const letGo = () =>
    (released ??= (async () => {
      if (threads.get(dir) === thread) threads.delete(dir);
      heldHere.delete(dir);
      const seen = await readLock(lockPath).catch(() => null);
      if (seen?.pid !== process.pid || (lockTaken && seen.ino !== lockTaken.ino)) return;
      await rm(socket, { force: true });
      await rm(lockPath, { force: true });
    })());
  try {
    thread = await PgliteWorker.open(join(dir, "pglite"));
    lockTaken = await readLock(lockPath);
    if (lockTaken?.pid !== process.pid) {
      heldHere.delete(dir);
      await thread.stop();
      return null;
    }
    threads.set(dir, thread);
    await thread.serve(socket);
    thread.onUnexpectedExit((reason) => {
      log?.error({ database: dir, reason }, "records: the embedded database's thread stopped; this process lets it go, and its next statement opens it again or reaches the process that took it over");
      void letGo();
    });
    const connection = (served = connectTo(dir, dir));
    await connection.query("SELECT 1");
    log?.info({ database: dir }, "records: the embedded database is open here (in a thread of its own) and served to this machine's other Civic Line processes");
    const opened = thread;
    return {
      kind: "pglite",
      location: dir,
      query: (sql, params) => connection.query(sql, params),
      exec: (script) => connection.exec(script),
      transaction: (work) => connection.transaction(work),
      close: async () => {
        await connection.close().catch(() => {});
        await opened.stop();
        await letGo();
      },
    };
  } catch (error) {
    await served?.close().catch(() => {});
    await thread?.stop().catch(() => {});
    await letGo();
    throw error;
  }
}
