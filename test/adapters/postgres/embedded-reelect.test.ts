/**
 * When the embedded database cannot be opened again at once after its holder went away (here: its
 * folder is in the way for a moment), the statement that found out is refused with the reason, and
 * a later statement, once the database can be opened, reaches it: the process is not left with a
 * closed connection until it is restarted.
 */
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DatabaseUnavailableError } from "../../../src/adapters/postgres/database.js";
import { embeddedDatabaseThread, openDatabase } from "../../../src/adapters/postgres/open-database.js";

describe("the embedded database, when it cannot be opened again at the first try after its holder stopped", () => {
  it("refuses that statement with the reason, and a later one reaches it once it can be opened", async () => {
    const dir = await mkdtemp(join(tmpdir(), "civic-reelect-"));
    const database = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      await database.query("CREATE TABLE notes (text text)");
      await database.query("INSERT INTO notes VALUES ('kept')");

      // The thread stops, and for a while the database's folder cannot be opened.
      await embeddedDatabaseThread(dir)!.terminate();
      await rename(join(dir, "pglite"), join(dir, "pglite-aside"));
      await writeFile(join(dir, "pglite"), "in the way");
      const refused = await database.query("SELECT text FROM notes").catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DatabaseUnavailableError);
      expect(String(refused)).toMatch(/not a folder/);

      // Put back: the next statement opens it again and finds what was written.
      await rm(join(dir, "pglite"));
      await rename(join(dir, "pglite-aside"), join(dir, "pglite"));
      expect(await database.query("SELECT text FROM notes")).toEqual([{ text: "kept" }]);
      expect(database.access).toBe("embedded-holder");
    } finally {
      await database.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
