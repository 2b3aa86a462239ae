/**
 * The audit log in the real Redis: who changed what and when, newest first, found by person and
 * by document, and capped so that it never grows without end.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisAuditLog } from "../../src/adapters/redis/audit-log.js";
import type { AuditEntry } from "../../src/domain/ports.js";
import { REDIS_URL } from "../helpers/line.js";

const prefixes: string[] = [];
const redis = new Redis(REDIS_URL);

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

/** A log of its own for each situation, so that what one writes is not in another's pages. */
function freshLog(options: { capacity?: number; maxDiffLength?: number } = {}): { log: RedisAuditLog; prefix: string } {
  const prefix = `test-${randomBytes(4).toString("hex")}:`;
  prefixes.push(prefix);
  return { log: new RedisAuditLog(redis, { prefix, ...options }), prefix };
}

const at = "2026-12-02T17:00:00.000Z";

describe("an entry recorded", () => {
  it("is given an id and returned as kept", async () => {
    const { log } = freshLog();
    const entry = await log.record({ at, user: "dana", action: "publish", document: "flow:main", version: 3, message: "new greeting", diff: "-a\n+b\n" });
    expect(entry).toEqual({ id: "1", at, user: "dana", action: "publish", document: "flow:main", version: 3, message: "new greeting", diff: "-a\n+b\n" });
    expect(await log.entries()).toEqual([entry]);
  });

  it("keeps no field that was not given", async () => {
    const { log } = freshLog();
    await log.record({ at, user: "erin", action: "sign-in-refused", detail: "from 203.0.113.5: wrong password" });
    expect(Object.keys((await log.entries())[0]!).sort()).toEqual(["action", "at", "detail", "id", "user"]);
  });
});

describe("a log of several changes", () => {
  const { log } = freshLog();
  beforeAll(async () => {
    await log.record({ at, user: "dana", action: "publish", document: "flow:main", version: 2 });
    await log.record({ at, user: "erin", action: "publish", document: "hours", version: 5 });
    await log.record({ at, user: "dana", action: "emergency", document: "emergency", detail: "closed" });
    await log.record({ at, user: "erin", action: "rollback", document: "flow:main", version: 3 });
    await log.record({ at, user: "dana", action: "publish", document: "hours", version: 6 });
  });

  const ids = (entries: AuditEntry[]) => entries.map((entry) => entry.id);

  it("reads newest first", async () => {
    expect(ids(await log.entries())).toEqual(["5", "4", "3", "2", "1"]);
  });

  it("is filtered by person", async () => {
    expect(ids(await log.entries({ user: "dana" }))).toEqual(["5", "3", "1"]);
  });

  it("is filtered by document", async () => {
    expect(ids(await log.entries({ document: "flow:main" }))).toEqual(["4", "1"]);
  });

  it("is filtered by person and document together", async () => {
    expect(ids(await log.entries({ user: "dana", document: "hours" }))).toEqual(["5"]);
  });

  it("finds nothing for someone who changed nothing", async () => {
    expect(await log.entries({ user: "nobody" })).toEqual([]);
  });

  it("reads a page at a time: a limit, then what is older than the last entry seen", async () => {
    const first = await log.entries({ limit: 2 });
    expect(ids(first)).toEqual(["5", "4"]);
    expect(ids(await log.entries({ limit: 2, before: first[1]!.id }))).toEqual(["3", "2"]);
    expect(ids(await log.entries({ limit: 2, before: "2" }))).toEqual(["1"]);
  });

  it("pages through a filter too", async () => {
    expect(ids(await log.entries({ user: "dana", limit: 1, before: "5" }))).toEqual(["3"]);
  });
});

describe("a log past its cap", () => {
  const { log, prefix } = freshLog({ capacity: 5 });
  beforeAll(async () => {
    for (let index = 1; index <= 8; index++) {
      await log.record({ at, user: index % 2 === 0 ? "dana" : "erin", action: "publish", document: `flow:f${index % 3}`, version: index });
    }
  });

  it("keeps only the newest entries", async () => {
    expect((await log.entries()).map((entry) => entry.version)).toEqual([8, 7, 6, 5, 4]);
  });

  it("drops the old ones from the per-person and per-document views too", async () => {
    expect((await log.entries({ user: "erin" })).map((entry) => entry.version)).toEqual([7, 5]);
    expect((await log.entries({ document: "flow:f1" })).map((entry) => entry.version)).toEqual([7, 4]);
  });

  // A raw look, on purpose: dropped entries must not linger where no page shows them.
  it("holds nothing of the dropped entries in Redis", async () => {
    expect(await redis.hlen(`${prefix}audit:entries`)).toBe(5);
  });
});

describe("a very long diff", () => {
  it("is cut, saying so", async () => {
    const { log } = freshLog({ maxDiffLength: 20 });
    const entry = await log.record({ at, user: "dana", action: "publish", document: "flow:main", diff: "+".repeat(50) });
    expect(entry.diff).toBe(`${"+".repeat(20)}\n[diff cut at 20 characters]\n`);
  });
});

describe("fifty entries recorded at once", () => {
  it("get fifty different ids, none lost", async () => {
    const { log } = freshLog();
    const entries = await Promise.all(Array.from({ length: 50 }, (_, index) => log.record({ at, user: `u${index}`, action: "publish" })));
    expect(new Set(entries.map((entry) => entry.id)).size).toBe(50);
    expect(await log.entries({ limit: 1000 })).toHaveLength(50);
  });
});
