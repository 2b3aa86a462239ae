/**
 * Whatever a web form or a department's system posts or asks, Open311 answers in the spec's
 * shape: what was asked for, or a clean 4xx naming the problem; never a 5xx, never a trace of the
 * code. Property-based (fast-check) against the real router over the real records (PostgreSQL),
 * keys in Redis and the real delivery queue.
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import fc from "fast-check";
import { XMLValidator } from "fast-xml-parser";
import { Redis } from "ioredis";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BullDeliveryQueue } from "../../src/adapters/bullmq/delivery-queue.js";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import { newOpen311Key, RedisOpen311KeyStore } from "../../src/adapters/redis/open311-key-store.js";
import { nextReference } from "../../src/adapters/redis/reference-counter.js";
import { open311Routes } from "../../src/http/open311-routes.js";
import { createLogger } from "../../src/logger.js";
import { testDatabase, type TestDatabase } from "../helpers/database.js";
import { REDIS_URL } from "../helpers/line.js";
import { serviceRequest } from "../helpers/records.js";

const RUNS = Number(process.env.FUZZ_RUNS) || 150;
const ZONE = "America/Edmonton";
const WATER = "Water and Wastewater";
const FIELDS = [
  "api_key", "service_code", "lat", "long", "address_string", "address_id", "description", "first_name", "last_name", "email", "phone",
  "media_url", "device_id", "account_id", "status", "updated_datetime", "jurisdiction_id", "__proto__", "constructor",
] as const;
const QUERY = ["service_code", "status", "start_date", "end_date", "updated_after", "updated_before", "page", "page_size", "service_request_id", "api_key", "jurisdiction_id"] as const;

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom("", " ", "water", "power", "callback", "roads", "open", "closed", "open,closed", "-1", "0", "1e9", "NaN", "49.69", "-112.84", "91", "2026-12-05", "2026-12-05T09:30:00-07:00", "2026-13-45", "%00", "\u0000", "<x>&", "a@b.c", "403-555-0187"),
  fc.integer().map(String),
  fc.double().map(String),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.string({ minLength: 3_000, maxLength: 70_000 }),
);

/** A form as a client may send it: any of the spec's fields and others, values repeated as arrays sometimes. */
const form = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 10 })), fc.oneof(text, fc.array(text, { maxLength: 3 })), { maxKeys: 12 });
/** A form that is a request some of the time: a known service and a place, with anything else beside. */
const filing = fc.oneof(
  form,
  fc.tuple(form, fc.constantFrom("roads", "water", "general", "callback")).map(([fields, code]) => ({ ...fields, service_code: code, address_string: "910 4 Ave S", phone: "403-555-0187" })),
);
const query = fc.dictionary(fc.oneof(fc.constantFrom(...QUERY), fc.string({ maxLength: 10 })), fc.oneof(text, fc.array(text, { maxLength: 3 })), { maxKeys: 8 });

function encoded(fields: Record<string, string | string[]>): URLSearchParams {
  const body = new URLSearchParams();
  // A lone surrogate cannot be sent as UTF-8: a client's encoder makes it U+FFFD, as here.
  for (const [key, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(key, one);
  return body;
}

describe("Open311, fuzzed", { timeout: 120_000 }, () => {
  const redis = new Redis(REDIS_URL);
  const prefix = `test-fuzz311-${randomBytes(4).toString("hex")}:`;
  let db: TestDatabase;
  let deliveries: BullDeliveryQueue;
  let server: Server;
  let base: string;
  const keys: { form: string; water: string } = { form: "", water: "" };

  beforeAll(async () => {
    db = await testDatabase("postgres");
    const records = new PostgresRecordStore(db.database);
    await records.addRequest(serviceRequest({ reference: "900001", service: "water", department: WATER, requestedAt: "2026-12-01T15:00:00.000Z" }));
    const store = new RedisOpen311KeyStore(redis, prefix);
    for (const [name, department] of [["form", null], ["water", WATER]] as const) {
      const made = newOpen311Key();
      await store.add({ name, hash: made.hash, department, createdAt: "2026-12-01T00:00:00.000Z" });
      keys[name] = made.key;
    }
    deliveries = new BullDeliveryQueue({ redis, queueName: `delivery-fuzz-${randomBytes(4).toString("hex")}`, zone: () => ZONE });
    const app = express();
    app.use(
      "/open311/v2",
      open311Routes({
        records,
        keys: store,
        deliveries,
        departments: () => ({ departments: [{ name: WATER, services: ["water"] }, { name: "311 Customer Service", services: ["callback", "general"] }] }),
        serviceCodes: () => ["callback", "general", "power", "roads", "water"],
        urgentServices: () => ["power", "roads", "water"],
        nextReference: () => nextReference(redis, prefix),
        clock: () => DateTime.fromISO("2026-12-05T10:00:00", { zone: ZONE }),
        publicRead: false,
        publicUrl: "https://line.example.org/",
        log: createLogger({ level: "silent" }),
      }),
    );
    server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/open311/v2`;
  }, 60_000);
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await deliveries?.queue.obliterate({ force: true });
    await deliveries?.close();
    const stale = await redis.keys(`${prefix}*`);
    if (stale.length > 0) await redis.del(...stale);
    redis.disconnect();
    await db?.close();
  });

  /** The spec's shape or a clean refusal: never a 5xx, never a trace of the code. */
  async function expectClean(response: Response, what: string): Promise<number> {
    const body = await response.text();
    expect(response.status, `${what}: ${body.slice(0, 200)}`).toBeLessThan(500);
    expect(body, what).not.toMatch(/\n\s+at [\w.<>]+ \(|TypeError|ReferenceError|node_modules/);
    const type = response.headers.get("content-type") ?? "";
    // Lists and errors are arrays in the spec; one service's definition is an object.
    if (type.includes("json")) expect(typeof JSON.parse(body), what).toBe("object");
    if (type.includes("xml")) expect(XMLValidator.validate(body), what).toBe(true);
    return response.status;
  }

  it("answers any post of a request, as a form or JSON, in either format, with a key or not", async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(filing, fc.constantFrom("json", "xml"), fc.constantFrom("form", "json", "form"), fc.constantFrom("form", "form", "none", "bad"), async (fields, format, as, key) => {
        const withKey = key === "none" ? fields : { ...fields, api_key: key === "form" ? keys.form : "not-a-key" };
        const init: RequestInit =
          as === "json"
            ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(withKey) }
            : { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: encoded(withKey) };
        seen.add(await expectClean(await fetch(`${base}/requests.${format}`, init), `POST requests.${format} ${JSON.stringify(withKey).slice(0, 300)}`));
      }),
      { numRuns: RUNS },
    );
    // The fuzz filed some requests and was refused others: it reached past the key and the parsing.
    expect([...seen]).toEqual(expect.arrayContaining([201, 400, 403]));
  });

  it("answers any question about requests", async () => {
    await fc.assert(
      fc.asyncProperty(query, fc.constantFrom("requests.json", "requests.xml", "requests/900001.json", "requests/900001.xml", "services.json", "services/water.json"), async (asked, path) => {
        const url = `${base}/${path}?${encoded({ api_key: keys.form, ...asked })}`;
        await expectClean(await fetch(url), `GET ${url.slice(0, 300)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it("answers any update a department posts", async () => {
    await fc.assert(
      fc.asyncProperty(form, fc.constantFrom("900001", "123", "", "..", "900001%00"), async (fields, id) => {
        const body = encoded({ ...fields, api_key: keys.water });
        await expectClean(
          await fetch(`${base}/requests/${id}/updates.json`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body }),
          `POST updates ${id} ${JSON.stringify(fields).slice(0, 300)}`,
        );
      }),
      { numRuns: RUNS },
    );
  });
});
