import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../../src/adapters/postgres/database.js";
import { migrate } from "../../../src/adapters/postgres/migrate.js";
import { openDatabase } from "../../../src/adapters/postgres/open-database.js";
import { runScript } from "../../helpers/cli.js";

describe("the embedded database (no DATABASE_URL)", () => {
  let dir: string;
  let holder: Database;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "civic-embedded-"));
    // A lock left by a process that died (no such pid) must not keep the line from starting.
    await writeFile(join(dir, "pglite.pid"), "2147483646");
    holder = await openDatabase({ kind: "pglite", dataDir: dir });
    await migrate(holder);
  }, 60_000);
  afterAll(async () => {
    await holder?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("is opened by the first process, over a lock a dead process left", () => {
    expect(holder.kind).toBe("pglite");
    expect(holder.location).toBe(dir);
  });

  it("is served to a second process on this machine while the first holds it", async () => {
    await holder.query("INSERT INTO incidents (reference, category, opened_at) VALUES ('700001', 'power', now())");
    const second = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      expect(second.location).toMatch(/served by the process that holds it/);
      const rows = await second.query<{ category: string }>("SELECT category FROM incidents WHERE reference = '700001'");
      expect(rows).toEqual([{ category: "power" }]);
    } finally {
      await second.close();
    }
  });

  it("is migrated by npm run db:migrate from another process while the line holds it", async () => {
    const result = await runScript("db-migrate.ts", ["--check"], { DATA_DIR: dir });
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/up to date/);
    expect(result.code).toBe(0);
  });
});
