import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import type { DatabaseConfig } from "../../config/env.js";
import type { Logger } from "../../logger.js";
import { DatabaseUnavailableError, type Database } from "./database.js";
import { PgDatabase } from "./pg-database.js";
import { PgliteDatabase } from "./pglite-database.js";

/** The socket file the process holding the embedded database serves it on, in its folder. */
const SOCKET_FILE = ".s.PGSQL.5432";
const LOCK_FILE = "pglite.pid";

/** How long a process waits for another one that is opening the embedded database (the first open creates it: seconds). */
const OPENING_WAIT_MS = 30_000;

/**
 * Opens the records database the configuration names. With `DATABASE_URL`, a pool to that server.
 * Without it, the embedded database under `DATA_DIR`: the first process to open it holds it and
 * serves it to the others on this machine over a Unix socket in that folder (PGlite serves one
 * process), so `npm start`, a second role and the command line all reach the same records.
 */
export async function openDatabase(config: DatabaseConfig, log?: Logger): Promise<Database> {
  if (config.kind === "postgres") return new PgDatabase({ url: config.url });
  return openEmbedded(resolve(config.dataDir), log);
}

async function openEmbedded(dir: string, log?: Logger): Promise<Database> {
  await mkdir(dir, { recursive: true });
  const deadline = Date.now() + OPENING_WAIT_MS;
  for (;;) {
    const served = await connectToHolder(dir);
    if (served) return served;
    const lock = await takeLock(dir);
    if (lock === "taken") return serveEmbedded(dir, log);
    if (Date.now() > deadline) {
      throw new DatabaseUnavailableError(
        `the embedded database in ${dir} is held by process ${lock.pid}, which does not serve it (${SOCKET_FILE} does not answer). Stop that process, or remove ${join(dir, LOCK_FILE)} if it is not a Civic Line.`,
      );
    }
    // Another process is opening it (the first open takes seconds): ask it again in a moment.
    await new Promise((done) => setTimeout(done, 250));
  }
}

/** The embedded database through the socket of the process that holds it, or null when nobody serves it. */
async function connectToHolder(dir: string): Promise<Database | null> {
  const database = new PgDatabase({
    config: { host: dir, user: "postgres", database: "postgres" },
    kind: "pglite",
    location: `${dir} (served by the process that holds it)`,
    // The embedded server runs one statement at a time whatever the pool; one connection is honest.
    max: 1,
  });
  try {
    await database.query("SELECT 1");
    return database;
  } catch {
    await database.close().catch(() => {});
    return null;
  }
}

/** Takes the folder's lock for this process, or says which live process holds it. */
async function takeLock(dir: string): Promise<"taken" | { pid: number }> {
  const path = join(dir, LOCK_FILE);
  for (let tries = 0; tries < 3; tries++) {
    try {
      const file = await open(path, "wx");
      await file.writeFile(String(process.pid));
      await file.close();
      return "taken";
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) return { pid };
      // Left by a process that died: take it over.
      await rm(path, { force: true });
    }
  }
  throw new DatabaseUnavailableError(`could not take the lock ${path}: another process keeps taking it`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Opens the embedded database in this process and serves it on the folder's socket. */
async function serveEmbedded(dir: string, log?: Logger): Promise<Database> {
  const socket = join(dir, SOCKET_FILE);
  let database: PgliteDatabase | undefined;
  try {
    database = await PgliteDatabase.open(join(dir, "pglite"));
    // A socket file left by a process that died would refuse the new server.
    await rm(socket, { force: true });
    const server = new PGLiteSocketServer({ db: database.pglite, path: socket, maxConnections: 8 });
    await server.start();
    log?.info({ database: dir }, "records: the embedded database is open here and served to this machine's other Civic Line processes");
    const opened = database;
    return {
      kind: "pglite",
      location: dir,
      query: (sql, params) => opened.query(sql, params),
      exec: (script) => opened.exec(script),
      transaction: (work) => opened.transaction(work),
      close: async () => {
        await server.stop().catch(() => {});
        await opened.close();
        await rm(socket, { force: true });
        await rm(join(dir, LOCK_FILE), { force: true });
      },
    };
  } catch (error) {
    await database?.close().catch(() => {});
    await rm(join(dir, LOCK_FILE), { force: true });
    throw error;
  }
}
