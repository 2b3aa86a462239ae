/**
 * Accounts as every web instance and `npm run users` read them, against the real Redis: added
 * once per name, found by the hash of an API token, and removed with their tokens at once.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisAccountStore } from "../../src/adapters/redis/account-store.js";
import type { PasswordHash } from "../../src/domain/ports.js";
import { REDIS_URL } from "../helpers/line.js";

const prefix = `test-${randomBytes(4).toString("hex")}:`;
let redis: Redis;
let store: RedisAccountStore;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  store = new RedisAccountStore(redis, prefix);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const password = (hash: string): PasswordHash => ({ algorithm: "scrypt", cost: 1024, blockSize: 8, parallelization: 1, salt: "c2FsdA==", hash });
const account = (username: string, role: "viewer" | "supervisor" | "admin" = "supervisor") => ({
  username,
  role,
  password: password("aGFzaA=="),
  createdAt: "2026-12-02T17:00:00.000Z",
});

describe("an account nobody added", () => {
  it("is not there", async () => {
    expect(await store.get("nobody")).toBeNull();
  });

  it("takes no password, role or token", async () => {
    expect(await store.setPassword("nobody", password("eA=="))).toBe(false);
    expect(await store.setRole("nobody", "admin")).toBe(false);
    expect(await store.addToken("nobody", { hash: "ab".repeat(32), createdAt: "2026-12-02T17:00:00.000Z" })).toBe(false);
    expect(await store.findByTokenHash("ab".repeat(32))).toBeNull();
  });

  it("cannot be removed", async () => {
    expect(await store.remove("nobody")).toBe(false);
  });
});

describe("an account added", () => {
  beforeAll(async () => {
    await store.add(account("dana"));
  });

  it("is read back as added, with no tokens", async () => {
    expect(await store.get("dana")).toEqual({ ...account("dana"), tokens: [] });
  });

  it("is listed", async () => {
    expect((await store.list()).map((listed) => listed.username)).toContain("dana");
  });

  it("cannot be added again, and keeps what it had", async () => {
    expect(await store.add({ ...account("dana", "admin"), password: password("b3RoZXI=") })).toBe(false);
    expect(await store.get("dana")).toMatchObject({ role: "supervisor", password: password("aGFzaA==") });
  });

  it("takes a new password hash", async () => {
    await store.add(account("erin"));
    expect(await store.setPassword("erin", password("bmV3"))).toBe(true);
    expect((await store.get("erin"))?.password).toEqual(password("bmV3"));
  });

  it("takes another role", async () => {
    await store.add(account("fay", "viewer"));
    expect(await store.setRole("fay", "admin")).toBe(true);
    expect((await store.get("fay"))?.role).toBe("admin");
  });
});

describe("an API token", () => {
  const hash = "1f".repeat(32);
  beforeAll(async () => {
    await store.add(account("gus"));
    await store.addToken("gus", { hash, createdAt: "2026-12-02T18:00:00.000Z" });
  });

  it("is kept with its account, as a hash and when it was made", async () => {
    expect((await store.get("gus"))?.tokens).toEqual([{ hash, createdAt: "2026-12-02T18:00:00.000Z" }]);
  });

  it("finds its holder by its hash", async () => {
    expect((await store.findByTokenHash(hash))?.username).toBe("gus");
  });

  it("finds nobody by another hash", async () => {
    expect(await store.findByTokenHash("2e".repeat(32))).toBeNull();
  });
});

describe("removing an account", () => {
  const hash = "3d".repeat(32);
  beforeAll(async () => {
    await store.add(account("hal"));
    await store.addToken("hal", { hash, createdAt: "2026-12-02T18:00:00.000Z" });
    await store.remove("hal");
  });

  it("forgets it", async () => {
    expect(await store.get("hal")).toBeNull();
    expect((await store.list()).map((listed) => listed.username)).not.toContain("hal");
  });

  it("takes its tokens with it", async () => {
    expect(await store.findByTokenHash(hash)).toBeNull();
  });

  it("lets the name be used again, with none of the old tokens", async () => {
    expect(await store.add(account("hal"))).toBe(true);
    expect((await store.get("hal"))?.tokens).toEqual([]);
  });
});

describe("the same name added twenty times at once", () => {
  it("is added once", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => store.add(account("ivy"))));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

// These look at the raw keys, on purpose: a value written by hand or by an older version must
// sign nobody in rather than be trusted.
describe("an account whose stored fields no longer parse", () => {
  it("is not read as an account", async () => {
    await store.add(account("jo"));
    await redis.hset(`${prefix}account:jo`, "role", "root");
    expect(await store.get("jo")).toBeNull();
  });

  it("is not read when its password hash is not JSON", async () => {
    await store.add(account("kit"));
    await redis.hset(`${prefix}account:kit`, "password", "plain text");
    expect(await store.get("kit")).toBeNull();
  });
});
