/**
 * The process that holds the embedded database runs PGlite in a thread of its own, so a long
 * statement (a year's report takes about a second) does not stop its event loop: a webhook that
 * arrives meanwhile is answered. These tests show that, and what the holding process does when the
 * thread cannot open the database or stops later.
 */
import { once } from "node:events";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DatabaseUnavailableError } from "../../../src/adapters/postgres/database.js";
import { embeddedDatabaseThread, openDatabase, type OpenedDatabase } from "../../../src/adapters/postgres/open-database.js";
import { createLogger } from "../../../src/logger.js";

const exists = (path: string) => stat(path).then(() => true, () => false);

describe("the embedded database held by this process", () => {
  let dir: string;
  let holder: OpenedDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "civic-thread-"));
    holder = await openDatabase({ kind: "pglite", dataDir: dir });
  }, 60_000);
  afterAll(async () => {
    await holder?.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe("while one of its statements runs long (as a year's report does)", () => {
    let server: Server;
    let url: string;

    beforeAll(async () => {
      server = createServer((_request, response) => response.end("<Response/>"));
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/voice`;
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    it("the same process answers an HTTP request (a webhook does not wait for the report)", async () => {
      expect(holder.access).toBe("embedded-holder");
      let statementDone = false;
      const counting = holder.query<{ n: number }>("SELECT count(*) AS n FROM generate_series(1, 3000000)").finally(() => (statementDone = true));
      const answer = await fetch(url, { method: "POST" });
      const answeredWhileItRan = !statementDone;
      expect(await answer.text()).toBe("<Response/>");
      expect(answeredWhileItRan).toBe(true);
      expect(await counting).toEqual([{ n: 3_000_000 }]);
    });
  });

  describe("when its thread stops (a crash)", () => {
    it("the process logs it, and its next statement opens the database again, here, and finds what was written before", async () => {
      const logged: { level: number; msg: string }[] = [];
      const log = createLogger({ level: "warn", destination: { write: (line: string) => void logged.push(JSON.parse(line)) } });
      const crashing = await openDatabase({ kind: "pglite", dataDir: await mkdtemp(join(tmpdir(), "civic-thread-crash-")) }, log);
      const crashDir = crashing.location;
      try {
        await crashing.query("CREATE TABLE notes (text text)");
        await crashing.query("INSERT INTO notes VALUES ('before the crash')");

        await embeddedDatabaseThread(crashDir)!.terminate();

        expect(logged.map((entry) => entry.msg)).toContainEqual(expect.stringMatching(/embedded database's thread stopped/));
        await crashing.query("INSERT INTO notes VALUES ('after the crash')");
        expect(crashing.access).toBe("embedded-holder");
        expect((await readFile(join(crashDir, "pglite.pid"), "utf8")).trim()).toBe(String(process.pid));
        expect(await crashing.query("SELECT text FROM notes ORDER BY text DESC")).toEqual([{ text: "before the crash" }, { text: "after the crash" }]);
        expect(logged.map((entry) => entry.msg)).toContainEqual(expect.stringMatching(/thread that held the embedded database stopped; this process holds it now/));
      } finally {
        await crashing.close();
        await rm(crashDir, { recursive: true, force: true });
      }
    }, 60_000);

    it("a statement it cut off is tried once more on the database opened again, and answers", async () => {
      const crashing = await openDatabase({ kind: "pglite", dataDir: await mkdtemp(join(tmpdir(), "civic-thread-crash-")) });
      const crashDir = crashing.location;
      try {
        const counting = crashing.query<{ n: number }>("SELECT count(*) AS n FROM generate_series(1, 3000000)");
        await embeddedDatabaseThread(crashDir)!.terminate();
        expect(await counting).toEqual([{ n: 3_000_000 }]);
        expect(crashing.access).toBe("embedded-holder");
      } finally {
        await crashing.close();
        await rm(crashDir, { recursive: true, force: true });
      }
    }, 60_000);
  });
});

describe("the embedded database held by this process, when it is closed", () => {
  it("is no longer served: its thread has ended, its socket is removed and its lock let go", async () => {
    const dir = await mkdtemp(join(tmpdir(), "civic-thread-close-"));
    try {
      const holder = await openDatabase({ kind: "pglite", dataDir: dir });
      expect(holder.access).toBe("embedded-holder");
      expect(embeddedDatabaseThread(dir)).toBeDefined();
      await holder.close();
      expect(embeddedDatabaseThread(dir)).toBeUndefined();
      expect(await exists(join(dir, ".s.PGSQL.5432"))).toBe(false);
      expect(await exists(join(dir, "pglite.pid"))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("an embedded database that cannot be opened", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "civic-unopenable-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe("where its folder is a file", () => {
    it("is refused with the reason, and the lock is let go", async () => {
      await writeFile(join(dir, "pglite"), "not a database");
      const opening = openDatabase({ kind: "pglite", dataDir: dir });
      await expect(opening).rejects.toThrow(DatabaseUnavailableError);
      await expect(opening).rejects.toThrow(`could not open the embedded database in ${join(dir, "pglite")}: ${join(dir, "pglite")} is not a folder`);
      expect(await exists(join(dir, "pglite.pid"))).toBe(false);
      expect(await exists(join(dir, ".s.PGSQL.5432"))).toBe(false);
    }, 60_000);
  });

  describe("whose files are damaged", () => {
    it("is refused, saying the files may be damaged and what to do, and the lock is let go", async () => {
      const first = await openDatabase({ kind: "pglite", dataDir: dir });
      await first.query("CREATE TABLE notes (text text)");
      await first.close();
      await writeFile(join(dir, "pglite", "global", "pg_control"), "not PostgreSQL's control file");

      const opening = openDatabase({ kind: "pglite", dataDir: dir });
      await expect(opening).rejects.toThrow(DatabaseUnavailableError);
      await expect(opening).rejects.toThrow(/could not open the embedded database in .*: .*its files may be damaged .*restore the folder from a backup/);
      expect(await exists(join(dir, "pglite.pid"))).toBe(false);
    }, 60_000);
  });
});
