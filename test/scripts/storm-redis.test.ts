/**
 * `npm run storm -- --url ...` reads the incidents the calls opened from the Redis this shell
 * reaches. Pointed at another Redis than the line's, it finds none: it must say which Redis it
 * read (password hidden, database named), so the operator sees the mistake.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScript, type CliResult } from "../helpers/cli.js";
import { freePort, RedisServer } from "../helpers/redis-server.js";

const PASSWORD = "storm-test-secret";

describe("npm run storm against a running line, finding no incidents", { timeout: 30_000 }, () => {
  let redis: RedisServer;
  let result: CliResult;

  beforeAll(async () => {
    // A Redis of its own (nobody else's incidents in it), with a password to keep out of the output.
    redis = await RedisServer.start({ appendOnly: false, password: PASSWORD });
    // Nothing answers there: every call fails at once, and no report is filed.
    const line = `http://127.0.0.1:${await freePort()}`;
    // CIVIC_PRIVATE_REDIS unset: this run reads a Redis that answers, whatever npm test started.
    result = await runScript("storm.ts", ["--url", line, "--calls", "1"], { REDIS_URL: `${redis.url}/3`, REDIS_SENTINELS: "", CIVIC_PRIVATE_REDIS: "" });
  });

  afterAll(async () => {
    await redis.remove();
  });

  it("says which Redis it read, and which database, without its password", () => {
    expect(result.stdout).toContain(`found no incidents in Redis at redis://:****@127.0.0.1:${redis.port}/3, database 3`);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  it("blames the errors, not Redis, when every call failed", () => {
    expect(result.stdout).toMatch(/error \(1 call\): /);
    expect(result.stdout).not.toContain("set REDIS_URL (or REDIS_SENTINELS) in this shell");
  });

  it("exits 1: the calls failed", () => {
    expect(result.code).toBe(1);
  });
});

describe("npm run storm against a running line, when this shell's Redis did not answer", { timeout: 30_000 }, () => {
  it("places no call and says to point REDIS_URL at the line's Redis, rather than read a private one", async () => {
    // What `npm run storm` is told by with-redis when nothing answered at REDIS_URL and it started a private Redis.
    const result = await runScript("storm.ts", ["--url", `http://127.0.0.1:${await freePort()}`, "--calls", "1"], { CIVIC_PRIVATE_REDIS: "1", REDIS_SENTINELS: "" });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/nothing answered at REDIS_URL .*a private one was started for this run\. No call was placed: set REDIS_URL/);
    expect(result.stdout).not.toMatch(/^storm: /m);
  });
});
