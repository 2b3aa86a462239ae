/**
 * PGlite is one PostgreSQL session, shared by the process that holds it and the processes connected
 * to its socket (node-postgres here, as the line's other roles and commands connect). These tests
 * show that the session is taken in turns: nobody's statement lands in another's transaction, or
 * between the messages of another's statement. Each reproduces a way the shared session went wrong
 * before (pglite-socket's queue and the holder's own statements did not take turns).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../../src/adapters/postgres/database.js";
import { migrate } from "../../../src/adapters/postgres/migrate.js";
import { openDatabase } from "../../../src/adapters/postgres/open-database.js";

/** A connection to the holder's socket, as another process on the machine makes one. */
async function connectTo(dir: string): Promise<pg.Client> {
  const client = new pg.Client({ host: dir, user: "postgres", database: "postgres" });
  await client.connect();
  return client;
}

describe("the embedded database shared between processes", () => {
  let dir: string;
  let holder: Database;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "civic-sharing-"));
    holder = await openDatabase({ kind: "pglite", dataDir: dir });
    await migrate(holder);
  }, 60_000);
  afterAll(async () => {
    await holder?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const references = async (prefix: string) =>
    (await holder.query<{ reference: string }>("SELECT reference FROM incidents WHERE reference LIKE $1 ORDER BY reference", [`${prefix}%`])).map((row) => row.reference);

  describe("while a connected process is inside a transaction", () => {
    it("the holding process's own write is not rolled back with it", async () => {
      const client = await connectTo(dir);
      try {
        await client.query("BEGIN");
        await client.query("INSERT INTO incidents (reference, category, opened_at) VALUES ('810001', 'power', now())");
        const holderWrite = holder.query("INSERT INTO incidents (reference, category, opened_at) VALUES ('810002', 'water', now())");
        // Let the holder's statement reach the database before the client's ROLLBACK is sent.
        await new Promise((resolve) => setTimeout(resolve, 50));
        await client.query("ROLLBACK");
        await holderWrite;
        expect(await references("8100")).toEqual(["810002"]);
      } finally {
        await client.end();
      }
    });
  });

  describe("when a connected process goes away inside its transaction", () => {
    it("its writes are rolled back, and the holding process's next write goes through", async () => {
      const client = await connectTo(dir);
      await client.query("BEGIN");
      await client.query("INSERT INTO incidents (reference, category, opened_at) VALUES ('830001', 'power', now())");
      const holderWrite = holder.query("INSERT INTO incidents (reference, category, opened_at) VALUES ('830002', 'water', now())");
      await client.end();
      await holderWrite;
      expect(await references("8300")).toEqual(["830002"]);
    });
  });

  describe("while the holding process is inside a transaction", () => {
    it("a connected process's write is not rolled back with it", async () => {
      const client = await connectTo(dir);
      try {
        let clientWrite: Promise<unknown> | undefined;
        await expect(
          holder.transaction(async (tx) => {
            await tx.query("INSERT INTO incidents (reference, category, opened_at) VALUES ('820001', 'power', now())");
            clientWrite = client.query("INSERT INTO incidents (reference, category, opened_at) VALUES ('820002', 'water', now())");
            await new Promise((resolve) => setTimeout(resolve, 50));
            throw new Error("changed my mind");
          }),
        ).rejects.toThrow("changed my mind");
        await clientWrite;
        expect(await references("8200")).toEqual(["820002"]);
      } finally {
        await client.end();
      }
    });
  });

  describe("a statement too long for one read, while others query", () => {
    // A statement that arrives in several reads is several messages apart: another party's
    // statement run in between would take its place (PostgreSQL's unnamed statement is per session).
    const long = "x".repeat(1_000_000);
    /** The rows, or the start of the error (which quotes the whole statement's value). */
    const rowsOrError = <Row extends pg.QueryResultRow>(asking: Promise<pg.QueryResult<Row>>) => asking.then((result) => result.rows, (error: unknown) => String(error).slice(0, 120));

    it("gets its own rows when another connected process queries meanwhile", async () => {
      const [a, b] = [await connectTo(dir), await connectTo(dir)];
      try {
        let done = false;
        const others = (async () => {
          let asked = 0;
          for (; !done; asked++) expect((await b.query<{ m: number }>("SELECT $1::int + 1 AS m", [asked])).rows).toEqual([{ m: asked + 1 }]);
          return asked;
        })();
        const rows = await rowsOrError(a.query<{ n: number }>("SELECT length($1::text) AS n", [long])).finally(() => (done = true));
        expect(rows).toEqual([{ n: long.length }]);
        await others;
      } finally {
        await a.end();
        await b.end();
      }
    });

    it("gets its own rows when the holding process queries meanwhile", async () => {
      const a = await connectTo(dir);
      try {
        let done = false;
        const others = (async () => {
          for (let asked = 0; !done; asked++) {
            expect(await holder.query<{ m: number }>("SELECT $1::int + 1 AS m", [asked])).toEqual([{ m: asked + 1 }]);
            // PGlite answers within microtasks: give the socket's reads their turn, as a process's own events would.
            await new Promise((resolve) => setImmediate(resolve));
          }
        })();
        const rows = await rowsOrError(a.query<{ n: number }>("SELECT length($1::text) AS n", [long])).finally(() => (done = true));
        expect(rows).toEqual([{ n: long.length }]);
        await others;
      } finally {
        await a.end();
      }
    });
  });
});
