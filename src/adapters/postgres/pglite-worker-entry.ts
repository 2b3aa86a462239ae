/**
 * The thread that runs the embedded database for the process holding it (see PgliteWorker): opens
 * PGlite on the folder it is given, serves it on the socket it is asked to, and closes it when
 * asked to stop. Every statement, the holding process's own included, reaches it through the socket.
 */
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { parentPort, workerData } from "node:worker_threads";
import { PgliteDatabase } from "./pglite-database.js";
import { describe, type FromThread, type ThreadData, type ToThread } from "./pglite-worker.js";

if (!parentPort) throw new Error("pglite-worker-entry runs in a worker thread started by PgliteWorker");
const port = parentPort;
const { dataDir } = workerData as ThreadData;
const answer = (message: FromThread) => port.postMessage(message);

let database: PgliteDatabase | undefined;
let server: { stop(): Promise<void> } | undefined;

port.on("message", (message: ToThread) => {
  if (message.type === "serve") void serve(message.socket);
  else void stop();
});

try {
  await checkFolder(dataDir);
  database = await PgliteDatabase.open(dataDir);
  answer({ type: "opened" });
} catch (error) {
  answer({ type: "failed", reason: `${describe(error)}${hint(error)}` });
}

async function serve(socket: string): Promise<void> {
  try {
    if (!database) throw new Error("the database is not open");
    server = await database.serve(socket);
    answer({ type: "serving" });
  } catch (error) {
    answer({ type: "failed", reason: describe(error) });
  }
}

async function stop(): Promise<void> {
  await server?.stop().catch(() => {});
  await database?.close().catch(() => {});
  answer({ type: "stopped" });
}

/** PGlite's own file system errors carry Emscripten's numbers; Node's say which file and why. */
async function checkFolder(dir: string): Promise<void> {
  const found = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (!found) return;
  if (!found.isDirectory()) throw new Error(`${dir} is not a folder`);
  await access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
}

/** What to do about a folder that is there and readable but does not open: its files are damaged. */
function hint(error: unknown): string {
  const message = describe(error);
  if (/^(EACCES|EPERM|ENOTDIR|EROFS)\b|is not a folder/.test(message)) return "";
  return " (its files may be damaged or from another PostgreSQL: restore the folder from a backup, or move it aside to start an empty one)";
}
