import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type AddressInfo, type Server } from "node:net";
import { Redis } from "ioredis";
import twilio from "twilio";
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

/** A DATA_DIR whose embedded records database a newer version migrated (migration 0999, unknown here). */
async function newerSchemaDataDir(prefix: string): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const database = await openDatabase({ kind: "pglite", dataDir });
  await migrate(database);
  await database.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'from-the-future', 'x')");
  await database.close();
  return dataDir;
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
      expect(result.output).toContain("TWILIO_ACCOUNT_SID is required to send pages (or set PAGER=console on purpose");
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
      const dataDir = await newerSchemaDataDir("civic-newer-schema-");
      result = await runToExit("src/worker.ts", { ...production, DATABASE_URL: "", DATA_DIR: dataDir });
    }, 60_000);

    it("exits with code 1 rather than write to a schema it does not know", () => {
      expect(result.code).toBe(1);
      expect(result.output).not.toContain("worker: processing oncall-dispatch");
    });

    it("says which migration it does not know and what to do", () => {
      expect(result.output).toContain("0999-from-the-future.sql, which this version of Civic Line does not know");
    });

    describe("the web role, which never writes there itself", () => {
      let web: ChildProcess;
      let port = 0;
      let output = "";
      beforeAll(async () => {
        const dataDir = await newerSchemaDataDir("civic-newer-schema-web-");
        web = spawn(process.execPath, ["--import", "tsx", "src/web.ts"], {
          // Requests readable without a key, so a read reaches the records (or their absence).
          env: { ...inherited, ...production, PORT: "0", DATABASE_URL: "", DATA_DIR: dataDir, OPEN311_PUBLIC_READ: "true" },
          stdio: ["ignore", "pipe", "pipe"],
        });
        web.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
        port = await new Promise<number>((resolve, reject) => {
          web.stdout!.on("data", (chunk: Buffer) => {
            output += chunk.toString();
            const found = /"msg":"web: listening"/.test(output) && /"port":(\d+)/.exec(output);
            if (found) resolve(Number(found[1]));
          });
          web.once("exit", (code) => reject(new Error(`the web role exited with ${code}: ${output}`)));
        });
      }, 60_000);
      afterAll(async () => {
        if (web.exitCode === null) web.kill("SIGKILL");
        const redis = new Redis(REDIS_URL);
        const keys = await redis.keys("civic:call:*");
        if (keys.length > 0) await redis.del(...keys);
        await redis.quit();
      });

      it("starts anyway and answers a resident's call: calls never wait on the records", async () => {
        const url = `${production.PUBLIC_URL}/twilio/voice`;
        const params = { CallSid: `CA${"7".repeat(32)}`, From: "+14035550123", To: "+14035550311", CallStatus: "ringing" };
        const response = await fetch(`http://127.0.0.1:${port}/twilio/voice`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilio.getExpectedTwilioSignature(production.TWILIO_AUTH_TOKEN, url, params) },
          body: new URLSearchParams(params),
        });
        expect(response.status).toBe(200);
        expect(await response.text()).toMatch(/<Response>.*<(Say|Gather)/s);
      });

      it("says at error level what it left out and what to do", () => {
        const errors = output.split("\n").filter((line) => line.includes('"level":50'));
        expect(errors.join("\n")).toContain("starting without the records database");
        expect(errors.join("\n")).toContain("0999-from-the-future.sql");
      });

      it("answers Open311's requests with 503 in the spec's error shape, so the web form tries again later", async () => {
        const response = await fetch(`http://127.0.0.1:${port}/open311/v2/requests.json`);
        expect(response.status).toBe(503);
        expect(response.headers.get("retry-after")).toBe("300");
        expect(await response.json()).toEqual([{ code: 503, description: expect.stringContaining("phone 311") }]);
      });

      it("still serves discovery and the services, which need no records", async () => {
        const services = await fetch(`http://127.0.0.1:${port}/open311/v2/services.json`);
        expect(services.status).toBe(200);
        expect(((await services.json()) as { service_code: string }[]).map((service) => service.service_code)).toContain("water");
        expect((await fetch(`http://127.0.0.1:${port}/open311/v2/discovery.json`)).status).toBe(200);
      });
    });
  });
});
