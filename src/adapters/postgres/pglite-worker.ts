import { Worker } from "node:worker_threads";
import { DatabaseUnavailableError } from "./database.js";

/** The thread's module, beside this one: `.ts` under tsx (dev, tests), `.js` once built into dist/. */
const ENTRY = "pglite-worker-entry";

/**
 * The longest a thread may take to open the database. Creating a new one takes seconds, and
 * recovering one after a crash a little longer; a thread still opening after this is stuck.
 */
const OPENING_DEADLINE_MS = 60_000;

/** How long `stop` waits for the thread to close the database before it ends the thread anyway. */
const STOPPING_DEADLINE_MS = 10_000;
/** How long the thread may take to start serving its socket once the database is open. */
const SERVING_DEADLINE_MS = 10_000;

/** What the holding process asks of the thread. */
export type ToThread = { type: "serve"; socket: string } | { type: "stop" };

/** What the thread answers: each request's outcome, as `failed` with a reason people can act on. */
export type FromThread = { type: "opened" } | { type: "serving" } | { type: "stopped" } | { type: "failed"; reason: string };

/** What the thread is given when it starts. */
export interface ThreadData {
  dataDir: string;
}

/**
 * The embedded database (PGlite) in a thread of its own, serving it on a Unix socket, so that its
 * WebAssembly (a year's report takes about a second) never blocks the event loop of the process
 * that holds it: webhooks are answered while a report runs. The holding process reaches it
 * through the socket, as the machine's other processes do; the thread takes their statements in
 * turns (PgliteSession). It ends with its process, like a holder that exits.
 */
export class PgliteWorker {
  readonly #thread: Worker;
  readonly #ended: Promise<void>;
  #stopping = false;
  #exitReason: string | undefined;
  readonly #onExit: ((reason: string) => void)[] = [];

  private constructor(thread: Worker) {
    this.#thread = thread;
    let failure: unknown;
    thread.on("error", (error) => (failure = error));
    this.#ended = new Promise((ended) =>
      thread.once("exit", (code) => {
        this.#exitReason = failure !== undefined ? describe(failure) : `it exited with code ${code}`;
        if (!this.#stopping) for (const listener of this.#onExit.splice(0)) listener(this.#exitReason);
        ended();
      }),
    );
  }

  /**
   * Starts a thread and opens the database in `dataDir` there (creating it when new). Rejects with
   * a DatabaseUnavailableError saying why when it cannot be opened (a folder it cannot read, a
   * damaged database) or does not open within a minute; the thread is ended then.
   */
  static async open(dataDir: string): Promise<PgliteWorker> {
    const worker = new PgliteWorker(startThread({ dataDir }));
    try {
      await worker.#reply("opened", OPENING_DEADLINE_MS);
      return worker;
    } catch (error) {
      await worker.terminate();
      throw new DatabaseUnavailableError(`could not open the embedded database in ${dataDir}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Serves the database on a Unix socket at `path` (node-postgres connects with its folder as host). */
  async serve(path: string): Promise<void> {
    this.#send({ type: "serve", socket: path });
    try {
      await this.#reply("serving", SERVING_DEADLINE_MS);
    } catch (error) {
      throw new DatabaseUnavailableError(`could not serve the embedded database on ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Calls `listener` once if the thread ends other than by `stop` (an uncaught error, a crash),
   * with what ended it: its socket no longer answers.
   */
  onUnexpectedExit(listener: (reason: string) => void): void {
    if (this.#exitReason !== undefined && !this.#stopping) listener(this.#exitReason);
    else this.#onExit.push(listener);
  }

  /** Stops serving, closes the database and ends the thread; resolves at once if it has ended already. */
  async stop(): Promise<void> {
    if (this.#exitReason !== undefined) return;
    this.#stopping = true;
    this.#send({ type: "stop" });
    await this.#reply("stopped", STOPPING_DEADLINE_MS).catch(() => {});
    await this.terminate();
  }

  /** Ends the thread at once, as a crash would: its statements are cut off, nothing is closed. */
  async terminate(): Promise<void> {
    await this.#thread.terminate();
    await this.#ended;
  }

  #send(message: ToThread): void {
    this.#thread.postMessage(message);
  }

  /** The thread's answer to the last request: resolves on `expected`, rejects on `failed`, on its end, or past `deadlineMs`. */
  #reply(expected: FromThread["type"], deadlineMs?: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void) => {
        this.#thread.off("message", heard);
        clearTimeout(timer);
        outcome();
      };
      const heard = (message: FromThread) => {
        if (message.type === expected) settle(resolve);
        else if (message.type === "failed") settle(() => reject(new Error(message.reason)));
      };
      const timer = deadlineMs ? setTimeout(() => settle(() => reject(new Error(`it did not answer within ${deadlineMs / 1000} s`))), deadlineMs) : undefined;
      this.#thread.on("message", heard);
      void this.#ended.then(() => settle(() => reject(new Error(`its thread ended (${this.#exitReason})`))));
    });
  }
}

/**
 * Under tsx (`npm run dev`, the tests) this module is TypeScript, and a thread does not inherit
 * tsx's loader (Node 20 runs no `--import` in a worker): the thread registers it before importing
 * its module. Built, the thread runs the compiled module beside this one.
 */
function startThread(data: ThreadData): Worker {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return new Worker(new URL(`./${ENTRY}.js`, here), { workerData: data });
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL(`./${ENTRY}.ts`, here).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/** An error or a thrown value as a sentence's end; PGlite's file system throws objects that are not Errors. */
export function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === "object" && error !== null) {
    const { name, errno, message } = error as { name?: unknown; errno?: unknown; message?: unknown };
    if (typeof message === "string" && message) return message;
    if (typeof name === "string") return typeof errno === "number" ? `${name} (errno ${errno})` : name;
  }
  return String(error);
}
