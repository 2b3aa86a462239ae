import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisOverrideStore } from "../../src/adapters/redis/override-store.js";
import { runScript } from "../helpers/cli.js";

// The CLI writes the line's own key (civic:override); a database of its own keeps it away from a dev server.
const base = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
base.pathname = "/13";
const REDIS_URL = base.toString();

function emergency(...args: string[]) {
  return runScript("hours.ts", ["emergency", ...args], { REDIS_URL });
}

describe("npm run hours -- emergency", { timeout: 60_000 }, () => {
  let redis: Redis;
  let overrides: RedisOverrideStore;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    overrides = new RedisOverrideStore(redis);
  });
  afterAll(async () => {
    await overrides.clear();
    await redis.quit();
  });

  it("sets a message and a closure that every instance reads from Redis", async () => {
    const result = await emergency("set", "--message", "Due to the storm, expect delays.", "--closed", "--until", "2099-01-01T08:00", "--by", "Dana");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/closed: every caller goes to the trouble line/);
    expect(await overrides.get()).toMatchObject({
      mode: "closed",
      message: "Due to the storm, expect delays.",
      until: "2099-01-01T08:00:00.000-07:00",
      setBy: "Dana",
    });
  });

  it("shows what is set", async () => {
    const result = await emergency("show");
    expect(result.stdout).toMatch(/message: "Due to the storm, expect delays\."/);
  });

  it("clears it", async () => {
    expect((await emergency("clear")).code).toBe(0);
    expect(await overrides.get()).toBeNull();
  });

  it("refuses a set that would do nothing, and changes nothing", async () => {
    const result = await emergency("set", "--by", "Dana");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/set needs --message, --closed or --open/);
    expect(await overrides.get()).toBeNull();
  });

  it("refuses --closed with --open", async () => {
    const result = await emergency("set", "--closed", "--open");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot both be set/);
  });

  it("refuses an end time already past", async () => {
    const result = await emergency("set", "--message", "x", "--until", "2001-01-01T00:00");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already past/);
  });

  it("suggests the action meant", async () => {
    const result = await emergency("sett");
    expect(result.stderr).toMatch(/unknown action "sett" \(did you mean "set"\?\)/);
  });
});
