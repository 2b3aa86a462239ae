import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConsolePager, outboxKey, readOutbox, type ConsolePagerOptions } from "../../src/adapters/console-pager.js";
import { PagerError } from "../../src/domain/oncall/pager.js";

// Real Redis; every key this file writes is under its own prefix, removed after.
const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const PREFIX = `test:console-pager:${randomBytes(4).toString("hex")}:`;
const CREW = "+14035550123";
const TWIML_URL = "https://line.example.org/twilio/oncall/page?incident=42";

/** A pino logger whose lines are kept in memory, parsed. */
function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

describe("ConsolePager", () => {
  let redis: Redis;
  let log: ReturnType<typeof memoryLogger>;
  const pagerWith = (options: Partial<ConsolePagerOptions> = {}) =>
    new ConsolePager({ redis, logger: log.logger, keyPrefix: PREFIX, ...options });

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  beforeEach(async () => {
    log = memoryLogger();
    await redis.del(outboxKey(PREFIX));
  });

  describe("sending an SMS", () => {
    it("resolves with an id shaped like a Twilio message sid", async () => {
      expect(await pagerWith().sendSms(CREW, "Water main break")).toMatch(/^SM[0-9a-f]{32}$/);
    });

    it("keeps it in the outbox with its number, text and time", async () => {
      const at = new Date("2026-12-05T09:00:00.000Z");
      const id = await pagerWith({ now: () => at }).sendSms(CREW, "Water main break");
      expect(await readOutbox(redis, PREFIX, 10)).toEqual([
        { id, kind: "sms", to: CREW, body: "Water main break", at: "2026-12-05T09:00:00.000Z" },
      ]);
    });

    it("logs it with the number as the top-level `to` field, which the process logger masks, and not its text", async () => {
      const id = await pagerWith().sendSms(CREW, "Water main break. Caller 403-555-0123.");
      expect(log.lines).toHaveLength(1);
      expect(log.lines[0]).toMatchObject({ pager: "console", id, kind: "sms", to: CREW, length: 38 });
      expect(JSON.stringify(log.lines[0])).not.toContain("403-555-0123");
    });
  });

  describe("placing a call", () => {
    it("resolves with an id shaped like a Twilio call sid and keeps the TwiML URL", async () => {
      const id = await pagerWith().placeCall(CREW, TWIML_URL);
      expect(id).toMatch(/^CA[0-9a-f]{32}$/);
      const [entry] = await readOutbox(redis, PREFIX, 10);
      expect(entry).toMatchObject({ id, kind: "call", to: CREW, url: TWIML_URL });
      expect(entry).not.toHaveProperty("body");
    });
  });

  describe("the outbox", () => {
    it("lists pages newest first", async () => {
      const pager = pagerWith();
      await pager.sendSms(CREW, "first");
      await pager.placeCall(CREW, TWIML_URL);
      await pager.sendSms(CREW, "third");
      const entries = await readOutbox(redis, PREFIX, 10);
      expect(entries.map((entry) => entry.body ?? entry.url)).toEqual(["third", TWIML_URL, "first"]);
    });

    it("keeps the newest 500 pages by default", async () => {
      const pager = pagerWith();
      for (let i = 1; i <= 505; i++) await pager.sendSms(CREW, `page ${i}`);
      expect(await redis.llen(outboxKey(PREFIX))).toBe(500);
      const entries = await readOutbox(redis, PREFIX, 1_000);
      expect(entries[0]?.body).toBe("page 505");
      expect(entries.at(-1)?.body).toBe("page 6");
    });

    it("keeps as many pages as it is told to", async () => {
      const pager = pagerWith({ outboxSize: 3 });
      for (const body of ["a", "b", "c", "d", "e"]) await pager.sendSms(CREW, body);
      expect((await readOutbox(redis, PREFIX, 10)).map((entry) => entry.body)).toEqual(["e", "d", "c"]);
    });

    it("readOutbox returns at most `count` pages", async () => {
      const pager = pagerWith();
      for (const body of ["a", "b", "c"]) await pager.sendSms(CREW, body);
      expect((await readOutbox(redis, PREFIX, 2)).map((entry) => entry.body)).toEqual(["c", "b"]);
      expect(await readOutbox(redis, PREFIX, 0)).toEqual([]);
    });

    it("readOutbox skips entries that are not outbox JSON", async () => {
      const id = await pagerWith().sendSms(CREW, "real");
      await redis.lpush(outboxKey(PREFIX), "not json", JSON.stringify({ id: "x", kind: "fax" }));
      expect((await readOutbox(redis, PREFIX, 10)).map((entry) => entry.id)).toEqual([id]);
    });

    it("is empty under a prefix nothing was written to", async () => {
      expect(await readOutbox(redis, `${PREFIX}nothing:`, 10)).toEqual([]);
    });
  });

  describe("when Redis is down", () => {
    it("fails with a temporary PagerError", async () => {
      // Nothing listens on port 1: every command fails at once.
      const dead = new Redis("redis://127.0.0.1:1", { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
      dead.on("error", () => {});
      try {
        const error = await new ConsolePager({ redis: dead, logger: log.logger, keyPrefix: PREFIX }).sendSms(CREW, "page").catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PagerError);
        expect(error).toMatchObject({ failure: "temporary", detail: { to: CREW } });
        expect(log.lines).toEqual([]);
      } finally {
        dead.disconnect();
      }
    });
  });
});
