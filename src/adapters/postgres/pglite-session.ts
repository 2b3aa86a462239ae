import { rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from "@electric-sql/pglite-socket";

/** The statements of the thread that opened PGlite take turns as party 0; socket connections are numbered from 1 by pglite-socket. */
const HOLDER = 0;

/** The most connections served at once: every role of every process on the machine, and the command line. */
const MAX_CONNECTIONS = 32;

/** Frontend messages after which a party is back to PostgreSQL's ReadyForQuery (Sync, Query, FunctionCall, CopyDone, CopyFail). */
const CYCLE_ENDS = new Set(["S", "Q", "F", "c", "f"].map((letter) => letter.charCodeAt(0)));
/** ReadyForQuery: `Z`, length 5, then the transaction status (`I` idle, `T` in a transaction, `E` in a failed one). */
const READY_FOR_QUERY = [0x5a, 0, 0, 0, 5];
const IDLE = "I".charCodeAt(0);

interface Waiter {
  party: number;
  grant: () => void;
  refuse: (error: Error) => void;
}

/**
 * PGlite's one PostgreSQL session, handed to one party at a time: the statements of the thread
 * that opened it (`run`), or one socket connection. The line's holding process opens it in a
 * thread of its own (PgliteWorker) and sends its statements through the socket too; `run` serves
 * a PgliteDatabase used in place (tests' in-memory databases, the report benchmark). A party
 * keeps the session from its first message until it is back to ReadyForQuery outside a
 * transaction, so another party's statement never runs inside its transaction (and is never rolled
 * back with it) nor between its Parse and its Bind (where it would take the place of its unnamed
 * statement). pglite-socket's own queue pins a connection only inside a transaction and does not
 * see the opening thread's statements at all (electric-sql/pglite#1046, open at
 * pglite-socket 0.2.17); this replaces it. Its handler's queue interface is internal to that pinned
 * version: test/adapters/postgres/embedded-sharing.test.ts fails if an upgrade changes it.
 */
export class PgliteSession {
  #owner: number | null = null;
  readonly #waiting: Waiter[] = [];
  /** Each connection's messages, one after another (pglite-socket may hand over two at once). */
  readonly #tails = new Map<number, Promise<unknown>>();

  constructor(private readonly pglite: PGlite) {}

  /** Runs one of the holding process's own statements, or a whole transaction, with the session to itself. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.#take(HOLDER, false);
    try {
      return await work();
    } finally {
      this.#give(HOLDER);
    }
  }

  /**
   * Serves the database on a Unix socket to this machine's other processes; node-postgres connects
   * with the socket's folder as its host. pglite-socket reads the protocol's messages; this session
   * decides whose turn it is.
   */
  async serve(path: string): Promise<{ stop(): Promise<void> }> {
    const queue = this.#socketQueue();
    const handlers = new Set<PGLiteSocketHandler>();
    const server: Server = createServer((socket: Socket) => {
      if (handlers.size >= MAX_CONNECTIONS) {
        socket.end(tooManyConnections());
        return;
      }
      // The handler only calls enqueue, clearQueueForHandler and clearTransactionIfNeeded on its queue.
      const handler = new PGLiteSocketHandler({ queryQueue: queue as unknown as PGLiteSocketHandlerOptions["queryQueue"], closeOnDetach: true });
      handlers.add(handler);
      const forget = () => handlers.delete(handler);
      handler.addEventListener("close", forget);
      handler.addEventListener("error", forget);
      handler.attach(socket).catch(() => {
        forget();
        socket.destroy();
      });
    });
    await this.pglite.waitReady;
    // A socket file left by a process that died would refuse the new server.
    await rm(path, { force: true });
    await new Promise<void>((listening, failed) => {
      server.once("error", failed);
      server.listen(path, () => {
        server.off("error", failed);
        listening();
      });
    });
    return {
      stop: async () => {
        const closed = new Promise<void>((done) => server.close(() => done()));
        await Promise.all([...handlers].map((handler) => handler.detach(true).catch(() => {})));
        handlers.clear();
        await closed;
      },
    };
  }

  #take(party: number, continuing: boolean): Promise<void> {
    if (continuing && this.#owner === party) return Promise.resolve();
    if (this.#owner === null && this.#waiting.length === 0) {
      this.#owner = party;
      return Promise.resolve();
    }
    return new Promise((grant, refuse) => this.#waiting.push({ party, grant, refuse }));
  }

  #give(party: number): void {
    if (this.#owner !== party) return;
    this.#owner = null;
    const next = this.#waiting.shift();
    if (next) {
      this.#owner = next.party;
      next.grant();
    }
  }

  /** Leaves the session clean after a connection that held it went away or failed: no half-sent statement, no open transaction. */
  async #abandon(party: number): Promise<void> {
    if (this.#owner !== party) return;
    try {
      await this.pglite.runExclusive(() => this.pglite.execProtocolRawStream(new Uint8Array([0x53, 0, 0, 0, 4]), { onRawData: () => {} }));
      if (this.pglite.isInTransaction()) await this.pglite.exec("ROLLBACK");
    } catch {
      // A session that cannot even roll back has nothing left to protect.
    } finally {
      this.#give(party);
    }
  }

  /** The queue pglite-socket's handlers hand their messages to. */
  #socketQueue() {
    const session = this;
    return {
      enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
        const previous = session.#tails.get(handlerId);
        // The first message pglite-socket hands over for a connection is its startup packet (it answers SSL and cancel requests itself).
        const startup = previous === undefined;
        const turn = (previous ?? Promise.resolve()).catch(() => {}).then(() => session.#runMessage(handlerId, message, startup, onData));
        session.#tails.set(handlerId, turn);
        return turn;
      },
      clearQueueForHandler(handlerId: number): void {
        for (let index = session.#waiting.length - 1; index >= 0; index--) {
          const waiter = session.#waiting[index]!;
          if (waiter.party !== handlerId) continue;
          session.#waiting.splice(index, 1);
          waiter.refuse(new Error("the connection closed"));
        }
      },
      async clearTransactionIfNeeded(handlerId: number): Promise<void> {
        session.#tails.delete(handlerId);
        await session.#abandon(handlerId);
      },
    };
  }

  async #runMessage(party: number, message: Uint8Array, startup: boolean, onData: (data: Uint8Array) => void): Promise<number> {
    await this.#take(party, true);
    let sent = 0;
    const tail: number[] = [];
    try {
      await this.pglite.runExclusive(() =>
        this.pglite.execProtocolRawStream(message, {
          onRawData: (data) => {
            sent += data.length;
            for (const byte of data.subarray(Math.max(0, data.length - 6))) tail.push(byte);
            tail.splice(0, Math.max(0, tail.length - 6));
            onData(data);
          },
        }),
      );
    } catch (error) {
      await this.#abandon(party);
      throw error;
    }
    if ((startup || CYCLE_ENDS.has(message[0]!)) && readyAndIdle(tail) && !this.pglite.isInTransaction()) this.#give(party);
    return sent;
  }
}

/** The answer ended with ReadyForQuery saying the session is idle (not inside a transaction). */
function readyAndIdle(tail: number[]): boolean {
  return tail.length === 6 && READY_FOR_QUERY.every((byte, index) => tail[index] === byte) && tail[5] === IDLE;
}

/** PostgreSQL's FATAL 53300 ErrorResponse, so node-postgres says why instead of failing to parse. */
function tooManyConnections(): Buffer {
  const fields = Buffer.from(`SFATAL\0C53300\0Mtoo many connections to the embedded records database\0\0`);
  const header = Buffer.alloc(5);
  header.write("E", 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}
