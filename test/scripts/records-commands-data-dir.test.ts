/**
 * Where `npm run requests` and `npm run report` look for the records, run as the process a
 * supervisor runs from the line's folder: the `DATA_DIR` the line was started with (in `.env`, or
 * in the environment) leads them to the line's records; a folder that holds no records database is
 * said, with where it was looked for and how to point at the line's, and is never made into a new,
 * empty one (which would answer "No requests" about a database nobody writes to). Only
 * `npm run db:migrate` makes one.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/adapters/postgres/migrate.js";
import { openDatabase, type OpenedDatabase } from "../../src/adapters/postgres/open-database.js";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import type { ServiceRequest } from "../../src/domain/records.js";
import { runScriptIn, type CliResult } from "../helpers/cli.js";
import { voicemailRequest } from "../helpers/records.js";

const FLOWS_DIR = join(resolve("."), "flows");

/** A voicemail left three hours ago, for +14035550188. */
const callback = (reference: string): ServiceRequest => voicemailRequest({ reference, requestedAt: DateTime.now().minus({ hours: 3 }).toUTC().toISO()!, callbackNumber: "+14035550188" });

let parent: string;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), "civic-data-dir-"));
});
afterAll(() => rm(parent, { recursive: true, force: true }));

describe("a line whose records are kept under a DATA_DIR of its own", { timeout: 60_000 }, () => {
  let records: string;
  let line: OpenedDatabase;

  beforeAll(async () => {
    // The line runs, holding its embedded database under /srv/civic as it were.
    records = join(parent, "srv", "civic");
    line = await openDatabase({ kind: "pglite", dataDir: records });
    await migrate(line);
    await new PostgresRecordStore(line).addRequest(callback("5301"));
  }, 60_000);
  afterAll(() => line?.close());

  describe("set in the .env file the line read", () => {
    let checkout: string;
    beforeAll(async () => {
      checkout = join(parent, "with-dot-env");
      await mkdir(checkout);
      await writeFile(join(checkout, ".env"), `DATA_DIR=${records}\nFLOWS_DIR=${FLOWS_DIR}\n`);
    });

    it("npm run requests -- list finds the line's requests", async () => {
      const result = await runScriptIn(checkout, "requests.ts", ["list"]);
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(result.stdout).toMatch(/^5301 /m);
      expect(result.stdout).toContain("+14035550188");
    });

    it("npm run report counts them", async () => {
      const today = DateTime.now().setZone("America/Edmonton").toISODate()!;
      const result = await runScriptIn(checkout, "report.ts", ["--from", today, "--to", today, "--format", "json"]);
      expect(result.stderr).toBe("");
      expect(JSON.parse(result.stdout)).toMatchObject({ callbacks: { open: 1 } });
    });
  });

  it("set in the environment, as the line was started, npm run requests -- list finds them too", async () => {
    const result = await runScriptIn(parent, "requests.ts", ["list"], { DATA_DIR: records, FLOWS_DIR });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^5301 /m);
  });
});

describe("where DATA_DIR holds no records database", { timeout: 60_000 }, () => {
  describe("the default .data, DATA_DIR being set nowhere (the line was started with its own)", () => {
    let checkout: string;
    let list: CliResult;
    let report: CliResult;
    beforeAll(async () => {
      checkout = join(parent, "forgot");
      await mkdir(checkout);
      [list, report] = await Promise.all([
        runScriptIn(checkout, "requests.ts", ["list", "--status", "open"], { FLOWS_DIR }),
        runScriptIn(checkout, "report.ts", ["--from", "2026-12-01", "--to", "2026-12-07"], { FLOWS_DIR }),
      ]);
    }, 60_000);

    it("npm run requests does not answer that there are no requests, and fails", () => {
      expect(list.stdout).not.toMatch(/No requests/);
      expect(list.code).toBe(1);
    });

    it("says where it looked, and that DATA_DIR was set nowhere", () => {
      expect(list.stderr).toContain(`requests: there is no records database in ${join(checkout, ".data")}`);
      expect(list.stderr).toContain(`DATA_DIR is set neither in the environment nor in ${join(checkout, ".env")}`);
    });

    it("says how to point at the line's records: DATA_DIR before the same command, or DATABASE_URL", () => {
      expect(list.stderr).toContain("DATA_DIR=/srv/civic npm run requests -- list --status open");
      expect(list.stderr).toContain("DATABASE_URL");
      expect(list.stderr).toContain("npm run db:migrate");
    });

    it("npm run report refuses the same way, rather than count a City with no calls", () => {
      expect(report.code).toBe(1);
      expect(report.stdout).toBe("");
      expect(report.stderr).toContain(`report: there is no records database in ${join(checkout, ".data")}`);
      expect(report.stderr).toContain("DATA_DIR=/srv/civic npm run report -- --from 2026-12-01 --to 2026-12-07");
    });

    it("creates nothing", () => {
      expect(existsSync(join(checkout, ".data"))).toBe(false);
    });
  });

  describe("a folder that is there but empty, named in .env", () => {
    let checkout: string;
    let empty: string;
    let result: CliResult;
    beforeAll(async () => {
      checkout = join(parent, "empty-folder");
      empty = join(parent, "empty-records");
      await mkdir(checkout);
      await mkdir(empty);
      await writeFile(join(checkout, ".env"), `DATA_DIR=${empty}\n`);
      result = await runScriptIn(checkout, "requests.ts", ["list"], { FLOWS_DIR });
    }, 60_000);

    it("is refused, saying the folder came from .env", () => {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`there is no records database in ${empty} (DATA_DIR=${empty}, from ${join(checkout, ".env")})`);
    });

    it("is left empty", async () => {
      expect(await readdir(empty)).toEqual([]);
    });

    it("becomes a records database with npm run db:migrate, which the commands then read", async () => {
      const migrated = await runScriptIn(checkout, "db-migrate.ts", []);
      expect(migrated.code).toBe(0);
      const listed = await runScriptIn(checkout, "requests.ts", ["list"], { FLOWS_DIR });
      expect(listed).toMatchObject({ code: 0, stderr: "" });
      expect(listed.stdout).toMatch(/^No requests\.$/m);
    });
  });
});
