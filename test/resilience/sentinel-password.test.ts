import { spawn } from "node:child_process";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectRedis, describeRedis, RedisCredentialsError } from "../../src/adapters/redis/connections.js";
import { RedisOverrideStore } from "../../src/adapters/redis/override-store.js";
import { loadConfig, type Config } from "../../src/config/env.js";
import { createLogger } from "../../src/logger.js";
import { startWeb, startWorker } from "../../src/services.js";
import { runScript } from "../helpers/cli.js";
import { AUTH_TOKEN, PUBLIC_URL } from "../helpers/line.js";
import { ProductionLine, reportWatermain } from "../helpers/production-line.js";
import { startSentinelGroup, type SentinelGroup } from "../helpers/redis-server.js";

// Sentinels that ask every client for a password (their requirepass), watching a primary and a
// replica that ask for another: the line gives the sentinels REDIS_SENTINEL_PASSWORD and the
// primary they name the password in REDIS_URL, and never logs either. Without the sentinels'
// password, or with a wrong one, it refuses to start and says which variable to set.

const NAME = "civic";
const SENTINEL_PASSWORD = "sentinel-secret-4f1c9a";
const PRIMARY_PASSWORD = "primary-secret-8d2e7b";
/** With Sentinel only the URL's password and database count; nothing listens at its host and port. */
const URL_WITH_PASSWORD = `redis://:${PRIMARY_PASSWORD}@127.0.0.1:1/0`;

let group: SentinelGroup;

beforeAll(async () => {
  group = await startSentinelGroup(NAME, { primary: PRIMARY_PASSWORD, sentinels: SENTINEL_PASSWORD });
}, 30_000);

afterAll(async () => {
  await group?.remove();
});

/** The variables that reach these sentinels, with `password` for them (none when undefined). */
function sentinelEnv(password: string | undefined, url = URL_WITH_PASSWORD): Record<string, string> {
  return { REDIS_URL: url, REDIS_SENTINELS: group.sentinelsVariable, REDIS_SENTINEL_NAME: NAME, ...(password === undefined ? {} : { REDIS_SENTINEL_PASSWORD: password }) };
}

/** A production configuration that needs nothing but Redis to start (no Twilio, no fallback number, on purpose). */
function configWith(env: Record<string, string>): Config {
  return loadConfig({ NODE_ENV: "production", PORT: "0", PUBLIC_URL, TWILIO_AUTH_TOKEN: AUTH_TOKEN, PAGER: "console", FALLBACK_NUMBER: "none", FLOWS_DIR: "flows", ...env });
}

/** Why `start` refused to start the role. */
async function refusal(start: () => Promise<unknown>): Promise<Error> {
  const error = await start().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error, "the role started").toBeInstanceOf(RedisCredentialsError);
  return error as Error;
}

describe("sentinels that ask for a password, given REDIS_SENTINEL_PASSWORD", { timeout: 60_000 }, () => {
  let line: ProductionLine;
  let admin: Redis;
  /** Everything the line logged, at every level. */
  const logged: string[] = [];

  beforeAll(async () => {
    const log = createLogger({ level: "trace", destination: { write: (entry: string) => void logged.push(entry) } });
    line = await ProductionLine.start(sentinelEnv(SENTINEL_PASSWORD), { log });
    admin = connectRedis(line.config.redis, { maxRetriesPerRequest: null });
    admin.on("error", () => {});
    // Every caller reaches the trouble line, whatever the time of day the test runs at.
    await new RedisOverrideStore(admin).set({ mode: "closed" });
  }, 30_000);

  afterAll(async () => {
    admin?.disconnect();
    await line?.stop();
  }, 30_000);

  it("serves calls and pages the crew on the primary the sentinels name, with REDIS_URL's password", async () => {
    const reference = await reportWatermain(line.caller("+14035550151"), "Whoop-Up Drive and Scenic Drive");
    await line.paged(reference);
    expect(await group.primary.command("EXISTS", "civic:override")).toBe(1);
  });

  it("gives the failover detector the password too: it listens to every sentinel", async () => {
    for (const sentinel of group.sentinels) {
      await vi.waitFor(async () => expect(String(await sentinel.command("CLIENT", "LIST"))).toMatch(/ sub=1 /), { timeout: 5_000, interval: 50 });
    }
  });

  it("follows a failover: asks the sentinels again with their password, and the new primary with its own", async () => {
    await group.primary.kill();
    await vi.waitFor(async () => expect(await group.current()).toBe(group.replica), { timeout: 20_000, interval: 100 });
    await vi.waitFor(async () => expect((await line.client.get("/readyz")).status).toBe(200), { timeout: 15_000, interval: 100 });
    const reference = await reportWatermain(line.caller("+14035550152"), "Mayor Magrath Drive and 5th Avenue South");
    await line.paged(reference);
  });

  it("never logs either password, nor shows them where it says where Redis is", () => {
    expect(logged.length).toBeGreaterThan(0);
    const everything = logged.join("\n");
    expect(everything).not.toContain(SENTINEL_PASSWORD);
    expect(everything).not.toContain(PRIMARY_PASSWORD);
    expect(describeRedis(line.config.redis)).toBe(`primary "${NAME}" through the sentinels ${group.sentinelsVariable}`);
  });
});

describe("sentinels that ask for a password the line does not give", { timeout: 30_000 }, () => {
  const silent = createLogger({ level: "silent" });

  it("refuses to start the worker, naming REDIS_SENTINEL_PASSWORD", async () => {
    const error = await refusal(() => startWorker(configWith(sentinelEnv(undefined)), silent));
    expect(error.message).toBe(`Redis: the sentinels (${group.sentinelsVariable}) require a password: set REDIS_SENTINEL_PASSWORD to theirs (their requirepass)`);
  });

  it("refuses to start the web role, naming REDIS_SENTINEL_PASSWORD", async () => {
    const error = await refusal(() => startWeb(configWith(sentinelEnv(undefined)), silent));
    expect(error.message).toMatch(/require a password: set REDIS_SENTINEL_PASSWORD/);
  });

  it("stops the line at start with that one line, as operators start it", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: { PATH: process.env.PATH, NODE_ENV: "production", PUBLIC_URL, TWILIO_AUTH_TOKEN: AUTH_TOKEN, PAGER: "console", FALLBACK_NUMBER: "none", LOG_LEVEL: "info", ...sentinelEnv(undefined) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    const fatal = output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((entry) => entry.level === 60);
    expect(fatal.map((entry) => entry.msg)).toEqual([`Redis: the sentinels (${group.sentinelsVariable}) require a password: set REDIS_SENTINEL_PASSWORD to theirs (their requirepass)`]);
    expect(output).not.toContain(PRIMARY_PASSWORD);
  });

  it("says so in the command-line tools", async () => {
    const run = await runScript("oncall.ts", ["incidents"], sentinelEnv(undefined));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`the sentinels (${group.sentinelsVariable}) require a password: set REDIS_SENTINEL_PASSWORD`);
  });
});

describe("sentinels that refuse the password the line gives", { timeout: 30_000 }, () => {
  const silent = createLogger({ level: "silent" });
  const WRONG = "not-the-sentinels-password";

  it("refuses to start, naming REDIS_SENTINEL_PASSWORD and never its value", async () => {
    const error = await refusal(() => startWorker(configWith(sentinelEnv(WRONG)), silent));
    expect(error.message).toBe(`Redis: the sentinels (${group.sentinelsVariable}) refused REDIS_SENTINEL_PASSWORD: set it to theirs (their requirepass)`);
    expect(error.message).not.toContain(WRONG);
  });

  it("logs the refusal at error level, once, without the password", async () => {
    const logged: { level: number; msg: string; redis?: string }[] = [];
    const log = createLogger({ level: "info", destination: { write: (entry: string) => void logged.push(JSON.parse(entry)) } });
    await refusal(() => startWorker(configWith(sentinelEnv(WRONG)), log));
    const aboutRedis = logged.filter((entry) => "redis" in entry);
    expect(aboutRedis.map((entry) => [entry.level, entry.msg])).toEqual([[50, `cannot use Redis: the sentinels (${group.sentinelsVariable}) refused REDIS_SENTINEL_PASSWORD: set it to theirs (their requirepass)`]]);
    expect(JSON.stringify(logged)).not.toContain(WRONG);
  });
});

describe("the sentinels' password right, the primary's in REDIS_URL wrong", { timeout: 30_000 }, () => {
  it("refuses to start, naming the password in REDIS_URL", async () => {
    const wrongUrl = "redis://:not-the-primarys-password@127.0.0.1:1/0";
    const error = await refusal(() => startWorker(configWith(sentinelEnv(SENTINEL_PASSWORD, wrongUrl)), createLogger({ level: "silent" })));
    expect(error.message).toBe(`Redis: the primary "${NAME}" the sentinels named refused the password in REDIS_URL: set it to the primary's (its requirepass)`);
    expect(error.message).not.toContain("not-the-primarys-password");
  });
});
