import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type AddressInfo, type Server } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heartbeatKey } from "../../src/adapters/redis/heartbeat.js";
import { migrate } from "../../src/adapters/postgres/migrate.js";
import { openDatabase } from "../../src/adapters/postgres/open-database.js";
import { testDatabase, type TestDatabase } from "../helpers/database.js";

// The entry points as operators start them, where they must refuse to run rather than run
// wrongly: a production line with no real pager or no fallback number, and a port already taken.
const base = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
base.pathname = "/10"; // a database of its own: the worker writes its heartbeat under the line's real key
const REDIS_URL = base.toString();

/** The variables these tests decide, removed from whatever the developer's shell sets. */
const DECIDED = ["NODE_ENV", "PORT", "PUBLIC_URL", "TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID", "TWILIO_FROM_NUMBER", "FALLBACK_NUMBER", "PAGER", "LOG_LEVEL"];
const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !DECIDED.includes(name)));

/** A production environment that starts: real token and URL, console pager on purpose, no fallback on purpose. */
const production = {
  NODE_ENV: "production",
  REDIS_URL,
  PUBLIC_URL: "https://line.example.org",
  TWILIO_AUTH_TOKEN: "refusing-to-start-token",
  PAGER: "console",
  FALLBACK_NUMBER: "none",
  LOG_LEVEL: "info",
};

// A records database of its own on the server (the embedded one takes seconds to create).
let records: TestDatabase;
beforeAll(async () => {
  records = await testDatabase("postgres", { migrated: false });
});
afterAll(() => records.close());

/** Runs an entry point until it exits by itself; rejects if it is still running after a generous wait. */
function runToExit(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    env: { ...inherited, DATABASE_URL: records.url!, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${entry} was still running after 20 s instead of exiting: ${output}`));
    }, 20_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("starting the line", { timeout: 30_000 }, () => {
  describe("in production without Twilio credentials, PAGER or FALLBACK_NUMBER", () => {
    let result: { code: number | null; output: string };
    beforeAll(async () => {
      const { PAGER: _pager, FALLBACK_NUMBER: _fallback, ...rest } = production;
      result = await runToExit("src/main.ts", rest);
    });

    it("exits with code 1", () => {
      expect(result.code).toBe(1);
    });

    it("names each missing variable, and how to run without a pager on purpose", () => {
      expect(result.output).toContain("TWILIO_ACCOUNT_SID is required to send pages unless NODE_ENV=development (or set PAGER=console on purpose");
      expect(result.output).toContain("TWILIO_FROM_NUMBER is required to send pages, with TWILIO_ACCOUNT_SID");
      expect(result.output).toContain('FALLBACK_NUMBER is required in production: the E.164 number callers reach when the line fails (or "none" on purpose)');
    });

    it("never says it is listening", () => {
      expect(result.output).not.toContain("web: listening");
    });
  });

  describe("when the port is already taken", () => {
    let squatter: Server;
    let port: number;
    beforeAll(async () => {
      squatter = createServer();
      await new Promise<void>((resolve) => squatter.listen(0, () => resolve()));
      port = (squatter.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
      const redis = new Redis(REDIS_URL);
      await redis.del(heartbeatKey());
      await redis.quit();
    });

    describe("the web role", () => {
      let result: { code: number | null; output: string };
      beforeAll(async () => {
        result = await runToExit("src/web.ts", { ...production, PORT: String(port) });
      });

      it("exits with code 1 instead of serving nothing", () => {
        expect(result.code).toBe(1);
      });

      it("says which port is taken and what to do, at fatal level", () => {
        const fatal = result.output.split("\n").find((line) => line.includes('"level":60'));
        expect(JSON.parse(fatal!).msg).toBe(`web: PORT ${port} is already in use: another process (another Civic Line?) listens there. Stop it, or set PORT to a free port.`);
      });

      it("never says it is listening", () => {
        expect(result.output).not.toContain("web: listening");
      });
    });

    describe("the main process (web and worker)", () => {
      let result: { code: number | null; output: string };
      beforeAll(async () => {
        result = await runToExit("src/main.ts", { ...production, PORT: String(port) });
      });

      it("stops the worker it had started, and exits with code 1", () => {
        expect(result.code).toBe(1);
        expect(result.output).toContain("worker: processing oncall-dispatch");
      });

      it("leaves no heartbeat behind, so /status does not count a worker that is gone", async () => {
        const redis = new Redis(REDIS_URL);
        expect(await redis.hlen(heartbeatKey())).toBe(0);
        await redis.quit();
      });
    });
  });

  describe("on a records database migrated by a newer version", () => {
    let result: { code: number | null; output: string };
    beforeAll(async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "civic-newer-schema-"));
      const database = await openDatabase({ kind: "pglite", dataDir });
      await migrate(database);
      await database.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'from-the-future', 'x')");
      await database.close();
      result = await runToExit("src/worker.ts", { ...production, DATABASE_URL: "", DATA_DIR: dataDir });
    }, 60_000);

    it("exits with code 1 rather than write to a schema it does not know", () => {
      expect(result.code).toBe(1);
      expect(result.output).not.toContain("worker: processing oncall-dispatch");
    });

    it("says which migration it does not know and what to do", () => {
      expect(result.output).toContain("0999-from-the-future.sql, which this version of Civic Line does not know");
    });
  });
});
