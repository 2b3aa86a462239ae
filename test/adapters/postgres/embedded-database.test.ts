import { spawn, type ChildProcessByStdio } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../../src/adapters/postgres/migrate.js";
import { openDatabase, takeEmbeddedLock, type OpenedDatabase } from "../../../src/adapters/postgres/open-database.js";
import { runScript } from "../../helpers/cli.js";

const FIXTURE = "test/adapters/postgres/fixtures/embedded-process.ts";

/** Another process on this machine, running the fixture; it keeps what it took until `release`. */
interface OtherProcess {
  said: Record<string, unknown>;
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  exited: Promise<void>;
  release(): Promise<void>;
}

async function startProcess(command: "hold" | "lock", dir: string): Promise<OtherProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, command, dir], { stdio: ["pipe", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    void exited.then(() => reject(new Error(`the ${command} process exited: ${stderr}`)));
  });
  return {
    said: JSON.parse(line) as Record<string, unknown>,
    child,
    exited,
    release: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** Makes a file look written an hour ago: the lock of a line that has been running for a while. */
async function sinceAnHourAgo(path: string): Promise<void> {
  const hourAgo = new Date(Date.now() - 3_600_000);
  await utimes(path, hourAgo, hourAgo);
}

const others: OtherProcess[] = [];
afterEach(async () => {
  for (const other of others.splice(0)) {
    other.child.kill("SIGKILL");
    await other.exited;
  }
});

describe("the embedded database (no DATABASE_URL)", () => {
  let dir: string;
  let holder: OpenedDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "civic-embedded-"));
    // A lock left by a process that died (no such pid) must not keep the line from starting.
    await writeFile(join(dir, "pglite.pid"), "2147483646");
    holder = await openDatabase({ kind: "pglite", dataDir: dir });
  }, 60_000);
  afterAll(async () => {
    await holder?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("is opened by the first process, over a lock a dead process left", async () => {
    expect(holder.kind).toBe("pglite");
    expect(holder.access).toBe("embedded-holder");
    expect(holder.location).toBe(dir);
    expect((await readFile(join(dir, "pglite.pid"), "utf8")).trim()).toBe(String(process.pid));
  });

  describe("before a holder that has been running for a while has migrated it", () => {
    beforeAll(() => sinceAnHourAgo(join(dir, "pglite.pid")));

    it("npm run db:migrate from another process applies nothing: it says the line migrates at its start, and what is waiting", async () => {
      const result = await runScript("db-migrate.ts", [], { DATABASE_URL: "", DATA_DIR: dir });
      expect(result.stdout).toMatch(/applies migrations at its start; checking only/);
      expect(result.stdout).toMatch(/1 migration\(s\) to apply \(0001-records\.sql\): restart the line with this version \(it migrates at start\), or run npm run db:migrate while it is stopped/);
      expect(result.code).toBe(1);
      expect(await holder.query("SELECT to_regclass('schema_migrations') AS present")).toEqual([{ present: null }]);
    });

    it("a connected process's migrate only checks, and refuses the migrations waiting", async () => {
      const second = await openDatabase({ kind: "pglite", dataDir: dir });
      try {
        expect(second.access).toBe("embedded-client");
        await expect(migrate(second)).rejects.toThrow(/1 migration\(s\) to apply \(0001-records\.sql\)\. Start the line with this version \(it migrates at start\), or run npm run db:migrate while it is stopped/);
        expect(await holder.query("SELECT to_regclass('schema_migrations') AS present")).toEqual([{ present: null }]);
      } finally {
        await second.close();
      }
    });
  });

  describe("before a holder that has just started has migrated it (it migrates at its start)", () => {
    beforeAll(async () => {
      const now = new Date();
      await utimes(join(dir, "pglite.pid"), now, now);
    });

    it("a connected process's migrate waits for the holder's migrations, and applies none itself", async () => {
      const second = await openDatabase({ kind: "pglite", dataDir: dir });
      try {
        const checking = migrate(second);
        // Long enough for the connected process to find the migrations waiting before the holder applies them.
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect((await migrate(holder)).applied).toEqual(["0001-records.sql"]);
        expect(await checking).toEqual({ applied: [], version: 1, checkedOnly: true });
      } finally {
        await second.close();
      }
    });
  });

  describe("once the holder has migrated it", () => {
    beforeAll(() => migrate(holder));

    it("is served to a second process on this machine while the first holds it", async () => {
      await holder.query("INSERT INTO incidents (reference, category, opened_at) VALUES ('700001', 'power', now())");
      const second = await openDatabase({ kind: "pglite", dataDir: dir });
      try {
        expect(second.location).toMatch(/served by the process that holds it/);
        expect(await migrate(second)).toEqual({ applied: [], version: 1, checkedOnly: true });
        const rows = await second.query<{ category: string }>("SELECT category FROM incidents WHERE reference = '700001'");
        expect(rows).toEqual([{ category: "power" }]);
      } finally {
        await second.close();
      }
    });

    it("npm run db:migrate from another process says the line migrates it and that it is up to date", async () => {
      const result = await runScript("db-migrate.ts", [], { DATABASE_URL: "", DATA_DIR: dir });
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(/applies migrations at its start; checking only/);
      expect(result.stdout).toMatch(/schema 1 of 1, up to date/);
      expect(result.code).toBe(0);
    });

    it("npm run db:migrate -- --check from another process reports it up to date", async () => {
      const result = await runScript("db-migrate.ts", ["--check"], { DATABASE_URL: "", DATA_DIR: dir });
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(/schema 1 of 1, up to date/);
      expect(result.code).toBe(0);
    });
  });
});

describe("a process connected to the embedded database, when the holder goes", () => {
  let dir: string;
  let client: OpenedDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "civic-takeover-"));
  });
  afterEach(async () => {
    await client?.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function connectedToAHolder(mark: string): Promise<OtherProcess> {
    const holding = await startProcess("hold", dir);
    others.push(holding);
    expect(holding.said.access).toBe("embedded-holder");
    client = await openDatabase({ kind: "pglite", dataDir: dir });
    expect(client.access).toBe("embedded-client");
    await client.query("CREATE TABLE IF NOT EXISTS notes (text text)");
    await client.query("INSERT INTO notes VALUES ($1)", [mark]);
    return holding;
  }

  describe("killed (its socket file left behind)", () => {
    it("takes the database over at its next statement, which succeeds", async () => {
      const holding = await connectedToAHolder("before the kill");
      holding.child.kill("SIGKILL");
      await holding.exited;
      await client.query("INSERT INTO notes VALUES ('after')");
      expect(client.access).toBe("embedded-holder");
      expect((await readFile(join(dir, "pglite.pid"), "utf8")).trim()).toBe(String(process.pid));
      expect(await client.query("SELECT text FROM notes WHERE text = 'after'")).toEqual([{ text: "after" }]);
    }, 60_000);
  });

  describe("stopped (its socket file removed)", () => {
    it("takes the database over at its next statement, which succeeds", async () => {
      const holding = await connectedToAHolder("before the stop");
      holding.child.kill("SIGTERM");
      await holding.exited;
      expect(await client.query("SELECT text FROM notes WHERE text = 'before the stop'")).toEqual([{ text: "before the stop" }]);
      expect(client.access).toBe("embedded-holder");
    }, 60_000);
  });
});

describe("the embedded database's lock", () => {
  let dir: string;
  const lock = () => join(dir, "pglite.pid");

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "civic-lock-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe("held by a live process", () => {
    it("is left to it", async () => {
      await writeFile(lock(), String(process.ppid));
      expect(await takeEmbeddedLock(dir)).toEqual({ pid: process.ppid });
      expect(await readFile(lock(), "utf8")).toBe(String(process.ppid));
    });
  });

  describe("without a pid yet (being written by a process starting)", () => {
    it("is left to that process", async () => {
      await writeFile(lock(), "");
      expect(await takeEmbeddedLock(dir)).toEqual({ pid: null });
      expect(await readFile(lock(), "utf8")).toBe("");
    });
  });

  describe("without a pid, and older than a few seconds", () => {
    it("is stale: this process takes it", async () => {
      await writeFile(lock(), "");
      const minuteAgo = new Date(Date.now() - 60_000);
      await utimes(lock(), minuteAgo, minuteAgo);
      expect(await takeEmbeddedLock(dir)).toBe("taken");
      expect(await readFile(lock(), "utf8")).toBe(`${process.pid}\n`);
    });
  });

  describe("left by a process that died, when several processes start at once", () => {
    it("goes to exactly one of them, with its pid in it whole", async () => {
      await writeFile(lock(), "2147483646");
      const racers = await Promise.all(Array.from({ length: 4 }, () => startProcess("lock", dir)));
      others.push(...racers);
      const winners = racers.filter((racer) => racer.said.lock === "taken");
      expect(winners).toHaveLength(1);
      const winner = winners[0]!.said.pid;
      expect(racers.filter((racer) => racer !== winners[0]).map((racer) => racer.said.lock)).toEqual([{ pid: winner }, { pid: winner }, { pid: winner }]);
      expect(await readFile(lock(), "utf8")).toBe(`${winner}\n`);
    }, 60_000);
  });
});
