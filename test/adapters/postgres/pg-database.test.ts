import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgDatabase } from "../../../src/adapters/postgres/pg-database.js";
import { testDatabase, type TestDatabase } from "../../helpers/database.js";

describe("a server database through node-postgres", () => {
  let db: TestDatabase;
  let admin: pg.Client;
  beforeAll(async () => {
    db = await testDatabase("postgres", { migrated: false });
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await db?.close();
  });

  describe("when the connection of a transaction is cut between its statements", () => {
    // One connection, so the next statement would get the broken one back if the pool kept it.
    let database: PgDatabase;
    let failure: unknown;
    beforeAll(async () => {
      database = new PgDatabase({ url: db.url!, max: 1 });
      failure = await database
        .transaction(async (tx) => {
          const [{ pid }] = (await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")) as [{ pid: number }];
          await admin.query("SELECT pg_terminate_backend($1)", [pid]);
          await tx.query("SELECT 1");
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
    });
    afterAll(() => database.close());

    it("the transaction fails, and the process goes on (the lost connection is not an unhandled error)", () => {
      expect(String(failure)).toMatch(/terminating connection|Connection terminated|not queryable/);
    });

    it("the next statement gets a connection that works", async () => {
      expect(await database.query("SELECT 2 AS two")).toEqual([{ two: 2 }]);
    });
  });
});
