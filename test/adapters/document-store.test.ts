/**
 * The published documents (flows, hours, rosters, departments) as every instance reads them, against the real
 * Redis: versions numbered in order, a history that is never rewritten, and a publish that is
 * refused, atomically, when someone else published first.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisDocumentStore } from "../../src/adapters/redis/document-store.js";
import { REDIS_URL } from "../helpers/line.js";

const prefix = `test-${randomBytes(4).toString("hex")}:`;
let redis: Redis;
let store: RedisDocumentStore;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  store = new RedisDocumentStore(redis, prefix);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const change = (source: string, extra: { baseVersion?: number; author?: string; message?: string } = {}) => ({
  source,
  author: extra.author ?? "dana",
  message: extra.message ?? "a change",
  at: "2026-12-02T10:00:00.000-07:00",
  ...(extra.baseVersion === undefined ? {} : { baseVersion: extra.baseVersion }),
});

describe("a document nobody has published", () => {
  it("has no live version and no history", async () => {
    expect(await store.live("flow", "never")).toBeNull();
    expect(await store.history("flow", "never")).toEqual([]);
  });
});

describe("publishing a flow twice", () => {
  let first: Awaited<ReturnType<RedisDocumentStore["publish"]>>;
  let second: Awaited<ReturnType<RedisDocumentStore["publish"]>>;
  beforeAll(async () => {
    first = await store.publish("flow", "main", change("start: greeting\n", { author: "files", message: "from flows/" }));
    second = await store.publish("flow", "main", change("start: hello\n", { message: "new greeting" }));
  });

  it("numbers the versions 1 and 2", () => {
    expect([first, second]).toEqual([
      { outcome: "published", version: 1 },
      { outcome: "published", version: 2 },
    ]);
  });

  it("serves the second as live, source and all, exactly as written", async () => {
    expect(await store.live("flow", "main")).toEqual({
      kind: "flow",
      name: "main",
      version: 2,
      source: "start: hello\n",
      author: "dana",
      at: "2026-12-02T10:00:00.000-07:00",
      message: "new greeting",
    });
  });

  it("keeps the first, to read or roll back to", async () => {
    expect((await store.version("flow", "main", 1))?.source).toBe("start: greeting\n");
  });

  it("lists the history newest first, without the sources", async () => {
    expect((await store.history("flow", "main")).map(({ version, author, message }) => ({ version, author, message }))).toEqual([
      { version: 2, author: "dana", message: "new greeting" },
      { version: 1, author: "files", message: "from flows/" },
    ]);
    expect(await store.history("flow", "main")).not.toContainEqual(expect.objectContaining({ source: expect.anything() }));
  });

  it("lists the flow among the flows, with its live version", async () => {
    expect(await store.list("flow")).toContainEqual(expect.objectContaining({ name: "main", version: 2, author: "dana" }));
  });

  it("keeps flows apart from the hours and rosters", async () => {
    expect(await store.live("hours", "main")).toBeNull();
  });
});

describe("publishing on top of a version that is no longer live", () => {
  it("is refused, saying which version is live, and changes nothing", async () => {
    await store.publish("hours", "hours", change("zone: America/Edmonton\n"));
    await store.publish("hours", "hours", change("zone: America/Edmonton # v2\n"));
    expect(await store.publish("hours", "hours", change("stale edit\n", { baseVersion: 1 }))).toEqual({ outcome: "conflict", live: 2 });
    expect((await store.live("hours", "hours"))?.source).toBe("zone: America/Edmonton # v2\n");
  });

  it("is taken when the base version is the live one", async () => {
    expect(await store.publish("hours", "hours", change("zone: America/Edmonton # v3\n", { baseVersion: 2 }))).toEqual({ outcome: "published", version: 3 });
  });
});

describe("the departments", () => {
  it("are one document of their own, numbered, kept and listed as the others are", async () => {
    expect(await store.publish("departments", "departments", change("departments: []\n", { author: "files" }))).toEqual({ outcome: "published", version: 1 });
    expect(await store.publish("departments", "departments", change("departments:\n  - { name: Water, services: [water] }\n", { baseVersion: 1 }))).toEqual({
      outcome: "published",
      version: 2,
    });
    expect(await store.live("departments", "departments")).toMatchObject({ kind: "departments", name: "departments", version: 2, author: "dana" });
    expect((await store.version("departments", "departments", 1))?.source).toBe("departments: []\n");
    expect((await store.history("departments", "departments")).map((entry) => entry.version)).toEqual([2, 1]);
    expect(await store.list("departments")).toEqual([expect.objectContaining({ name: "departments", version: 2 })]);
  });

  it("are kept apart from a flow that happens to have the same name", async () => {
    expect(await store.live("flow", "departments")).toBeNull();
  });
});

describe("twenty publishes at once", () => {
  it("give twenty distinct versions, none lost", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => store.publish("oncall", "oncall", change(`# edit ${index}\n`))));
    const versions = results.map((result) => (result.outcome === "published" ? result.version : 0)).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(await store.history("oncall", "oncall")).toHaveLength(20);
  });
});

describe("a publish", () => {
  it("is announced on the documents channel, for every instance to load it at once", async () => {
    const listener = redis.duplicate();
    try {
      await listener.subscribe(store.channel);
      const heard = new Promise<string>((resolve) => listener.once("message", (_channel, message: string) => resolve(message)));
      const result = await store.publish("flow", "announced", change("start: x\n"));
      expect(await heard).toBe(`flow:announced:${result.outcome === "published" ? result.version : "?"}`);
    } finally {
      listener.disconnect();
    }
  });
});
