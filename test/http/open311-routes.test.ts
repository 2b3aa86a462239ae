/**
 * GeoReport v2 under /open311/v2, as the City's other systems meet it: the router on a bare
 * express app, over the real records (PostgreSQL and PGlite), keys in the real Redis and the
 * real delivery queue. Answers are read as a client reads them: JSON, and XML with a real parser.
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import { XMLParser } from "fast-xml-parser";
import { Redis } from "ioredis";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BullDeliveryQueue, deliveryJobId } from "../../src/adapters/bullmq/delivery-queue.js";
import { PgDatabase } from "../../src/adapters/postgres/pg-database.js";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import { newOpen311Key, RedisOpen311KeyStore } from "../../src/adapters/redis/open311-key-store.js";
import { keepReferencesAbove, nextReference, referenceCounterKey } from "../../src/adapters/redis/reference-counter.js";
import type { Queryable } from "../../src/adapters/postgres/database.js";
import type { Departments } from "../../src/domain/departments.js";
import { ONLINE_URGENT_WARNING } from "../../src/domain/open311/services.js";
import type { ServiceRequest } from "../../src/domain/records.js";
import { open311Routes, REFERENCE_TRIES, type Open311Dependencies } from "../../src/http/open311-routes.js";
import { createLogger } from "../../src/logger.js";
import { DATABASE_KINDS, testDatabase, type TestDatabase } from "../helpers/database.js";
import { REDIS_URL } from "../helpers/line.js";
import { serviceRequest } from "../helpers/records.js";

const ZONE = "America/Edmonton";
const NOW = DateTime.fromISO("2026-12-05T10:00:00", { zone: ZONE });
const WATER = "Water and Wastewater";
const DEPARTMENTS: Departments = {
  departments: [
    { name: "Electric Utility", services: ["power"] },
    { name: WATER, services: ["water"], endpoint: "http://127.0.0.1:9/open311/v2/requests.json" },
    { name: "Transportation", services: ["roads"] },
    { name: "311 Customer Service", services: ["callback", "general"] },
  ],
};
const CODES = ["callback", "general", "power", "roads", "utility-billing", "water"];
const URGENT = ["power", "roads", "water"];
const CALLBACK_NUMBER = "+14035550187";
const RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE0123";

const xml = new XMLParser({ parseTagValue: false, isArray: (name) => ["request", "service", "error"].includes(name) });

/** Water in the street after hours, reported by phone with a contact's name and email, unless `fields` say otherwise. */
function seed(reference: string, fields: Partial<ServiceRequest>): ServiceRequest {
  return serviceRequest({
    reference,
    service: "water",
    department: WATER,
    channel: "after-hours",
    requestedAt: "2026-12-01T15:00:00.000Z",
    place: "5th Avenue and 13th Street South",
    description: "Water in the street",
    recordingUrl: RECORDING,
    callbackNumber: CALLBACK_NUMBER,
    contactName: "Pat Doe",
    contactEmail: "pat@example.org",
    callSid: `CA${reference}`,
    ...fields,
  });
}

/** What is in the records before any test: six requests of every kind, one too old for the default window. */
const SEEDS = [
  seed("900001", {}),
  seed("900002", { service: "power", department: "Electric Utility", status: "acknowledged", requestedAt: "2026-12-02T15:00:00.000Z", updatedAt: "2026-12-03T15:00:00.000Z" }),
  seed("900003", { service: "roads", department: "Transportation", status: "closed", statusDescription: "Debris cleared.", requestedAt: "2026-12-03T15:00:00.000Z", updatedAt: "2026-12-04T15:00:00.000Z", closedAt: "2026-12-04T15:00:00.000Z" }),
  seed("900004", { status: "closed", requestedAt: "2026-11-20T15:00:00.000Z", updatedAt: "2026-11-21T15:00:00.000Z", closedAt: "2026-11-21T15:00:00.000Z" }),
  seed("900005", {
    service: "callback",
    department: "311 Customer Service",
    channel: "phone",
    source: "voicemail",
    requestedAt: "2026-12-04T15:00:00.000Z",
    updatedAt: "2026-12-04T15:00:00.000Z",
    description: "Voicemail: please call me back at 403-555-0187 about my bill",
    place: null,
  }),
  seed("900006", { requestedAt: "2026-06-01T15:00:00.000Z", updatedAt: "2026-06-01T15:00:00.000Z" }),
];

interface Answer {
  status: number;
  type: string;
  text: string;
  body: any;
}

let redis: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(() => {
  redis.disconnect();
});

describe.each(DATABASE_KINDS)("Open311 GeoReport v2 on %s", { timeout: 30_000 }, (kind) => {
  const prefix = `test-open311-${randomBytes(4).toString("hex")}:`;
  const queueName = `delivery-${randomBytes(4).toString("hex")}`;
  let db: TestDatabase;
  let records: PostgresRecordStore;
  let keys: RedisOpen311KeyStore;
  let deliveries: BullDeliveryQueue;
  const servers: Server[] = [];
  /** Every answer any test read, to check that none ever held a callback number or a recording. */
  const answers: string[] = [];
  let keyed: string;
  let publicRead: string;
  const key: Record<"form" | "water" | "power" | "revoked", string> = { form: "", water: "", power: "", revoked: "" };

  async function start(overrides: Partial<Open311Dependencies> = {}): Promise<string> {
    const app = express();
    app.use(
      "/open311/v2",
      open311Routes({
        records,
        keys,
        deliveries,
        departments: () => DEPARTMENTS,
        serviceCodes: () => CODES,
        urgentServices: () => URGENT,
        nextReference: () => nextReference(redis, prefix),
        clock: () => NOW,
        publicRead: false,
        publicUrl: "https://line.example.org/",
        log: createLogger({ level: "silent" }),
        ...overrides,
      }),
    );
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/open311/v2`;
  }

  async function addKey(name: string, department: string | null): Promise<string> {
    const made = newOpen311Key();
    await keys.add({ name, hash: made.hash, department, createdAt: "2026-12-01T00:00:00.000Z" });
    return made.key;
  }

  async function request(method: string, url: string, body?: { form?: Record<string, string>; json?: unknown; raw?: string; type?: string }): Promise<Answer> {
    const init: RequestInit = { method };
    if (body?.form) init.body = new URLSearchParams(body.form).toString();
    if (body?.json !== undefined) init.body = JSON.stringify(body.json);
    if (body?.raw !== undefined) init.body = body.raw;
    if (init.body !== undefined) init.headers = { "content-type": body?.type ?? (body?.form ? "application/x-www-form-urlencoded" : "application/json") };
    const response = await fetch(url, init);
    const text = await response.text();
    answers.push(text);
    const type = response.headers.get("content-type") ?? "";
    return { status: response.status, type, text, body: type.includes("xml") ? xml.parse(text) : type.includes("json") ? JSON.parse(text) : text };
  }
  const get = (url: string) => request("GET", url);
  const ids = (answer: Answer): string[] => answer.body.map((entry: { service_request_id: string }) => entry.service_request_id);

  beforeAll(async () => {
    db = await testDatabase(kind);
    records = new PostgresRecordStore(db.database);
    keys = new RedisOpen311KeyStore(redis, prefix);
    deliveries = new BullDeliveryQueue({ redis, queueName , zone: () => "America/Edmonton" });
    for (const request of SEEDS) await records.addRequest(request);
    key.form = await addKey("web-form", null);
    key.water = await addKey("water-works", WATER);
    key.power = await addKey("electric", "Electric Utility");
    key.revoked = await addKey("old-form", null);
    await keys.revoke("old-form");
    keyed = await start();
    publicRead = await start({ publicRead: true });
  }, 60_000);
  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    await deliveries.queue.obliterate({ force: true });
    await deliveries.close();
    const stale = await redis.keys(`${prefix}*`);
    if (stale.length > 0) await redis.del(...stale);
    await db.close();
  });

  describe("discovery.json", () => {
    it("names the endpoint under PUBLIC_URL, the spec and both formats, with no key asked", async () => {
      const answer = await get(`${keyed}/discovery.json`);
      expect(answer.status).toBe(200);
      expect(answer.body.endpoints).toEqual([
        { specification: "http://wiki.open311.org/GeoReport_v2", url: "https://line.example.org/open311/v2", changeset: answer.body.changeset, type: "production", formats: ["application/json", "text/xml"] },
      ]);
    });
  });

  describe("the services", () => {
    it("are listed in JSON without a key, each in its department's group", async () => {
      const answer = await get(`${keyed}/services.json`);
      expect(answer.status).toBe(200);
      expect(answer.body.map((service: { service_code: string }) => service.service_code)).toEqual(CODES);
      expect(answer.body.find((service: { service_code: string }) => service.service_code === "water")).toMatchObject({ group: WATER, metadata: false, type: "realtime" });
    });

    it("are listed in XML as <services><service>", async () => {
      const answer = await get(`${keyed}/services.xml`);
      expect(answer.type).toMatch(/^text\/xml/);
      expect(answer.body.services.service.map((service: { service_code: string }) => service.service_code)).toEqual(CODES);
    });

    describe("an urgent category (power, water, roads)", () => {
      it("is described as kept and passed on, paging nobody: phone 311 now, or 911", async () => {
        const services = (await get(`${keyed}/services.json`)).body as { service_code: string; description: string }[];
        for (const code of URGENT) {
          const { description } = services.find((service) => service.service_code === code)!;
          expect(description).toContain(ONLINE_URGENT_WARNING);
          expect(description).not.toMatch(/is paged/);
        }
        expect(services.find((service) => service.service_code === "water")!.description).toContain("Reported online, it is kept and sent to Water and Wastewater.");
      });

      it("says so in XML too", async () => {
        const answer = await get(`${keyed}/services.xml`);
        const power = answer.body.services.service.find((service: { service_code: string }) => service.service_code === "power");
        expect(power.description).toContain("does NOT page the on-call crew");
      });
    });

    it("are named as the line's definitions name them, and read as words without them", async () => {
      const named = await start({ serviceNames: () => (code) => (code === "utility-billing" ? "Utility Billing" : code) });
      const withNames = (await get(`${named}/services.json`)).body as { service_code: string; service_name: string; description: string }[];
      expect(withNames.find((service) => service.service_code === "utility-billing")).toMatchObject({
        service_name: "Utility Billing",
        description: "Questions and requests for Utility Billing, answered by the City's 311 agents.",
      });
      const inWords = (await get(`${keyed}/services.json`)).body as { service_code: string; service_name: string }[];
      expect(inWords.find((service) => service.service_code === "utility-billing")?.service_name).toBe("Utility billing");
    });

    it("each has a definition, with no attributes to fill in", async () => {
      expect((await get(`${keyed}/services/power.json`)).body).toEqual({ service_code: "power", attributes: [] });
    });

    it("answer 404 in the spec's shape for a code the line does not have", async () => {
      const answer = await get(`${keyed}/services/snow.json`);
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual([{ code: 404, description: 'there is no service "snow": services.json lists them' }]);
    });
  });

  describe("reading requests with OPEN311_PUBLIC_READ false", () => {
    it("without an api_key, is refused with 403 in the spec's shape", async () => {
      const answer = await get(`${keyed}/requests.json`);
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual([{ code: 403, description: "api_key is required: ask the City's 311 centre for one" }]);
    });

    it("with a key that is not one, is refused", async () => {
      expect((await get(`${keyed}/requests.json?api_key=civic311_${"x".repeat(43)}`)).status).toBe(403);
      expect((await get(`${keyed}/requests.json?api_key=nonsense`)).status).toBe(403);
    });

    it("with a revoked key, is refused", async () => {
      expect((await get(`${keyed}/requests.json?api_key=${key.revoked}`)).body).toEqual([{ code: 403, description: "api_key is not valid (revoked, or mistyped)" }]);
    });

    it("in XML without a key, is refused as <errors><error>", async () => {
      const answer = await get(`${keyed}/requests.xml`);
      expect(answer.status).toBe(403);
      expect(answer.body.errors.error).toEqual([{ code: "403", description: "api_key is required: ask the City's 311 centre for one" }]);
    });

    it("a single request without a key is refused too", async () => {
      expect((await get(`${keyed}/requests/900001.json`)).status).toBe(403);
    });

    it("with any valid key, answers", async () => {
      expect((await get(`${keyed}/requests.json?api_key=${key.form}`)).status).toBe(200);
      expect((await get(`${keyed}/requests.json?api_key=${key.water}`)).status).toBe(200);
    });
  });

  describe("reading requests with OPEN311_PUBLIC_READ true", () => {
    it("answers without a key, leaving out the calls back: they are about a resident, not a place", async () => {
      const answer = await get(`${publicRead}/requests.json`);
      expect(answer.status).toBe(200);
      expect(ids(answer)).toEqual(["900003", "900002", "900001", "900004"]);
    });

    it("never shows a call back to a reader without a key, asked by its id or by its service", async () => {
      expect((await get(`${publicRead}/requests/900005.json`)).status).toBe(404);
      expect(ids(await get(`${publicRead}/requests.json?service_request_id=900005,900001`))).toEqual(["900001"]);
      expect(ids(await get(`${publicRead}/requests.json?service_code=callback`))).toEqual([]);
    });

    it("shows the calls back to a reader with a key", async () => {
      expect(ids(await get(`${publicRead}/requests.json?api_key=${key.form}`))).toEqual(["900005", "900003", "900002", "900001", "900004"]);
      expect((await get(`${publicRead}/requests/900005.json?api_key=${key.form}`)).status).toBe(200);
    });

    it("still refuses a key that is not one", async () => {
      expect((await get(`${publicRead}/requests.json?api_key=not-a-key`)).status).toBe(403);
    });
  });

  describe("the requests list", () => {
    const list = (query: string) => get(`${keyed}/requests.json?api_key=${key.form}${query ? `&${query}` : ""}`);

    it("by default has the last 90 days, newest first", async () => {
      expect(ids(await list(""))).toEqual(["900005", "900003", "900002", "900001", "900004"]);
    });

    it("gives each request in the spec's fields, times in the City's zone", async () => {
      const answer = await list("service_request_id=900003");
      expect(answer.body).toEqual([
        {
          service_request_id: "900003",
          status: "closed",
          status_notes: "Debris cleared.",
          service_name: "Road hazard",
          service_code: "roads",
          description: "Water in the street",
          agency_responsible: "Transportation",
          service_notice: "Handled by Transportation.",
          requested_datetime: "2026-12-03T08:00:00-07:00",
          updated_datetime: "2026-12-04T08:00:00-07:00",
          expected_datetime: null,
          address: "5th Avenue and 13th Street South",
          address_id: null,
          zipcode: null,
          lat: null,
          long: null,
          media_url: null,
        },
      ]);
    });

    it("shows an acknowledged request as open", async () => {
      expect((await list("service_request_id=900002")).body[0]).toMatchObject({ status: "open", status_notes: "Acknowledged: someone is working on it." });
    });

    describe("filtered", () => {
      it("by status open: open and acknowledged requests", async () => {
        expect(ids(await list("status=open"))).toEqual(["900005", "900002", "900001"]);
      });

      it("by status closed", async () => {
        expect(ids(await list("status=closed"))).toEqual(["900003", "900004"]);
      });

      it("by service_code, one or several", async () => {
        expect(ids(await list("service_code=water"))).toEqual(["900001", "900004"]);
        expect(ids(await list("service_code=water,roads"))).toEqual(["900003", "900001", "900004"]);
      });

      it("by service_code and status together", async () => {
        expect(ids(await list("service_code=water,power&status=open"))).toEqual(["900002", "900001"]);
      });

      it("with several statuses and codes, in one query to the records", async () => {
        const statements: string[] = [];
        const counting: Queryable = {
          query: (sql, params) => {
            statements.push(sql);
            return db.database.query(sql, params);
          },
          exec: (script) => db.database.exec(script),
        };
        const counted = await start({ records: new PostgresRecordStore(counting) });
        const answer = await get(`${counted}/requests.json?api_key=${key.form}&service_code=water,power,roads&status=open&page=1&page_size=2`);
        expect(ids(answer)).toEqual(["900002", "900001"]);
        expect(statements.filter((sql) => /FROM service_requests/.test(sql))).toHaveLength(1);
      });

      it("by start_date and end_date, end_date's whole day included", async () => {
        expect(ids(await list("start_date=2026-12-02&end_date=2026-12-03"))).toEqual(["900003", "900002"]);
      });

      it("by a start_date older than the default window", async () => {
        expect(ids(await list("start_date=2026-01-01"))).toContain("900006");
      });

      it("by updated_after and updated_before", async () => {
        expect(ids(await list("updated_after=2026-12-03T00:00:00-07:00&updated_before=2026-12-04T12:00:00-07:00"))).toEqual(["900005", "900003", "900002"]);
      });

      it("by service_request_id, several at once", async () => {
        expect(ids(await list("service_request_id=900001,900004,999999"))).toEqual(["900001", "900004"]);
      });
    });

    describe("in pages", () => {
      it("gives page_size requests a page, in order, until there are none", async () => {
        const pages = [];
        for (let page = 1; page <= 4; page++) pages.push(ids(await list(`page_size=2&page=${page}`)));
        expect(pages).toEqual([["900005", "900003"], ["900002", "900001"], ["900004"], []]);
      });

      it("refuses a page past the 10,000th request, saying to narrow by dates", async () => {
        const answer = await list("page=11&page_size=1000");
        expect(answer.status).toBe(400);
        expect(answer.body[0].description).toMatch(/^page: page 11 of 1000 goes past the first 10,000 requests .*narrow it with start_date and end_date/);
      });

      it("pages the same way when several statuses or codes are asked for", async () => {
        const whole = ids(await list("service_code=water,roads,power,callback"));
        const pages = [];
        for (let page = 1; page <= 3; page++) pages.push(...ids(await list(`service_code=water,roads,power,callback&page_size=2&page=${page}`)));
        expect(pages).toEqual(whole);
        expect(whole).toEqual(["900005", "900003", "900002", "900001", "900004"]);
      });
    });

    describe("asked badly", () => {
      it("answers 400 for a date that is not one, naming it", async () => {
        const answer = await list("start_date=last-week");
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual([{ code: 400, description: 'start_date: "last-week" is not a date; write it in ISO 8601, e.g. 2026-12-01 or 2026-12-01T08:00:00-07:00' }]);
      });

      it("answers 400 for each bad filter at once", async () => {
        const answer = await list("end_date=2026-02-30&updated_after=nope&status=pending&page_size=5000");
        expect(answer.status).toBe(400);
        expect(answer.body.map((error: { description: string }) => error.description.split(":")[0])).toEqual(["status[0]", "end_date", "updated_after", "page_size"]);
      });

      it("answers 400 in XML for requests.xml", async () => {
        const answer = await get(`${keyed}/requests.xml?api_key=${key.form}&page=0`);
        expect(answer.status).toBe(400);
        expect(answer.body.errors.error[0].code).toBe("400");
      });
    });

    it("is served in XML as <service_requests><request>", async () => {
      const answer = await get(`${keyed}/requests.xml?api_key=${key.form}&status=closed`);
      expect(answer.status).toBe(200);
      expect(answer.body.service_requests.request.map((request: { service_request_id: string }) => request.service_request_id)).toEqual(["900003", "900004"]);
      expect(answer.body.service_requests.request[0]).toMatchObject({ status: "closed", agency_responsible: "Transportation", zipcode: "" });
    });
  });

  describe("one request", () => {
    it("is a list of one, in JSON", async () => {
      const answer = await get(`${keyed}/requests/900001.json?api_key=${key.form}`);
      expect(answer.status).toBe(200);
      expect(ids(answer)).toEqual(["900001"]);
    });

    it("is a list of one, in XML", async () => {
      const answer = await get(`${keyed}/requests/900001.xml?api_key=${key.form}`);
      expect(answer.body.service_requests.request[0].service_request_id).toBe("900001");
    });

    it("answers 404 for a reference the line never gave", async () => {
      const answer = await get(`${keyed}/requests/123456.json?api_key=${key.form}`);
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual([{ code: 404, description: 'there is no service request "123456"' }]);
    });

    it("answers 404 for something that cannot be a reference", async () => {
      expect((await get(`${keyed}/requests/${encodeURIComponent("1;DROP TABLE")}.json?api_key=${key.form}`)).status).toBe(404);
    });
  });

  describe("a voicemail's request", () => {
    it("is listed without the callback number, even where the caller said it", async () => {
      const answer = await get(`${keyed}/requests/900005.json?api_key=${key.form}`);
      expect(answer.body[0].description).toBe("Voicemail: please call me back at [withheld] about my bill");
    });
  });

  describe("the web form posting a request", () => {
    const post = (body: Parameters<typeof request>[2], path = "requests.json") => request("POST", `${keyed}/${path}`, body);
    const form = (fields: Record<string, string>) => ({ form: { api_key: key.form, ...fields } });

    describe("form-encoded, as GeoReport clients post", () => {
      let answer: Answer;
      let filed: ServiceRequest;
      beforeAll(async () => {
        answer = await post(form({ service_code: "water", address_string: "420 6 St S", description: "Hydrant leaking", first_name: "Pat", last_name: "Doe", phone: "403-555-0199", email: "pat@example.org" }));
        filed = (await records.request(answer.body[0]?.service_request_id))!.request;
      });

      it("answers 201 with the new request's id and notice, as the spec shapes it", () => {
        expect(answer.status).toBe(201);
        expect(answer.body).toEqual([{ service_request_id: filed.reference, service_notice: `Your report is kept and sent to ${WATER}. ${ONLINE_URGENT_WARNING}`, account_id: null }]);
      });

      it("files it into the records as an online request from the key's holder", () => {
        expect(filed).toMatchObject({ service: "water", department: WATER, channel: "online", source: "open311:web-form", status: "open", place: "420 6 St S", callbackNumber: "+14035550199" });
        expect(filed.requestedAt).toBe(NOW.toUTC().toISO());
      });

      it("gives it a reference from the line's one counter", async () => {
        const next = await nextReference(redis, prefix);
        expect(Number(next)).toBe(Number(filed.reference) + 1);
        expect(Number(filed.reference)).toBeGreaterThan(100_000);
      });

      it("queues its delivery to the department's endpoint, once", async () => {
        const job = await deliveries.queue.getJob(deliveryJobId(filed.reference, WATER));
        expect(job?.data).toMatchObject({ reference: filed.reference, department: WATER, url: "http://127.0.0.1:9/open311/v2/requests.json" });
      });

      it("lists it with the others, without its phone number", async () => {
        const listed = await get(`${keyed}/requests/${filed.reference}.json?api_key=${key.form}`);
        expect(listed.body[0]).toMatchObject({ service_code: "water", description: "Hydrant leaking", address: "420 6 St S", status: "open" });
        expect(listed.text).not.toContain("0199");
      });
    });

    describe("for an urgent category", () => {
      it("is kept, and the notice says it pages nobody: phone 311 for what is happening now, 911 for a life in danger", async () => {
        const answer = await post(form({ service_code: "power", address_string: "Mayor Magrath Drive", description: "Wires down and sparking" }));
        expect(answer.status).toBe(201);
        expect(answer.body[0].service_notice).toBe(`Your report is kept for Electric Utility. ${ONLINE_URGENT_WARNING}`);
        expect(answer.body[0].service_notice).toMatch(/does NOT page the on-call crew.*phone 311.*phone 911/);
        expect((await records.request(answer.body[0].service_request_id))!.request).toMatchObject({ service: "power", channel: "online", status: "open" });
      });

      it("says the same in XML", async () => {
        const answer = await post(form({ service_code: "roads", address_string: "Whoop-Up Drive" }), "requests.xml");
        expect(answer.body.service_requests.request[0].service_notice).toContain("does NOT page the on-call crew");
      });
    });

    it("for a service that is not urgent, the notice says who has it and nothing about crews", async () => {
      const answer = await post(form({ service_code: "general", address_string: "910 4 Ave S", description: "When is the pool open?" }));
      expect(answer.body[0].service_notice).toBe("Your request is kept for 311 Customer Service.");
    });

    describe("when the reference the counter gives is held already (Redis lost its counter)", () => {
      const counter = `${prefix}restarted:`;
      const holder = (reference: string) => seed(reference, { requestedAt: "2026-12-04T20:00:00.000Z", updatedAt: "2026-12-04T20:00:00.000Z", description: "Held by an earlier caller" });
      let answer: Answer;
      let raised = 0;
      let reuse: string;
      beforeAll(async () => {
        // The counter, restored from an old copy, gives 150001 next, which the records already have.
        for (const reference of ["150001", "150002"]) await records.addRequest(holder(reference));
        await redis.set(referenceCounterKey(counter), 50_000);
        reuse = await start({
          nextReference: () => nextReference(redis, counter),
          raiseReferences: async () => {
            raised++;
            await keepReferencesAbove(redis, await records.highestReference(), counter);
          },
        });
        answer = await request("POST", `${reuse}/requests.json`, form({ service_code: "general", address_string: "910 4 Ave S", description: "Filed after a restart" }));
      });
      afterAll(async () => {
        await redis.del(referenceCounterKey(counter));
      });

      it("answers 201 with a reference no other request holds", async () => {
        expect(answer.status).toBe(201);
        const reference = answer.body[0].service_request_id as string;
        expect(["150001", "150002"]).not.toContain(reference);
        expect((await records.request(reference))!.request).toMatchObject({ description: "Filed after a restart", source: "open311:web-form" });
      });

      it("raises the counter above the highest reference the records keep, once", async () => {
        expect(raised).toBe(1);
        expect(Number(answer.body[0].service_request_id)).toBe((await records.highestReference()));
      });

      it("leaves the request that held the reference as it was", async () => {
        expect((await records.request("150001"))!.request.description).toBe("Held by an earlier caller");
      });
    });

    describe("when the records wrote it but their answer was lost (the embedded database's holder went away mid-statement)", () => {
      let answer: Answer;
      let raised = 0;
      beforeAll(async () => {
        // The store's retry on a new holder finds the first try's row: its insert adds nothing.
        const retriedOnNewHolder = Object.create(records) as PostgresRecordStore;
        retriedOnNewHolder.addRequest = async (request) => {
          await records.addRequest(request);
          return records.addRequest(request);
        };
        const cutOff = await start({ records: retriedOnNewHolder, raiseReferences: async () => void raised++ });
        answer = await request("POST", `${cutOff}/requests.json`, form({
            service_code: "roads",
            address_string: "Whoop-Up Drive at the bridge",
            lat: "49.6935",
            long: "-112.8418",
            description: "Pothole after the cut-off",
            first_name: "Pat",
            email: "pat@example.org",
            phone: "403-555-0187",
          }));
      });

      it("answers 201 with the reference it was kept under", async () => {
        expect(answer.status).toBe(201);
        expect((await records.request(answer.body[0].service_request_id))!.request).toMatchObject({ description: "Pothole after the cut-off", source: "open311:web-form" });
      });

      it("keeps it once, under one reference, and leaves the counter alone", async () => {
        const filed = (await records.requests({ limit: 1000 })).filter((kept) => kept.description === "Pothole after the cut-off");
        expect(filed.map((kept) => kept.reference)).toEqual([answer.body[0].service_request_id]);
        expect(raised).toBe(0);
      });
    });

    describe("when no free reference can be had", () => {
      it(`answers 503 after ${REFERENCE_TRIES} tries, never with a reference it did not keep, and keeps nothing`, async () => {
        let given = 0;
        const stuck = await start({
          nextReference: async () => {
            given++;
            return "900001";
          },
        });
        const before = (await records.requests({ limit: 1000 })).length;
        const answer = await request("POST", `${stuck}/requests.json`, form({ service_code: "general", address_string: "910 4 Ave S" }));
        expect(answer.status).toBe(503);
        expect(answer.body).toEqual([{ code: 503, description: "the request could not be given a reference just now, and nothing was kept: try again in a minute" }]);
        expect(given).toBe(REFERENCE_TRIES);
        expect((await records.requests({ limit: 1000 })).length).toBe(before);
        expect((await records.request("900001"))!.request.source).toBe("ivr");
      });
    });

    it("as JSON too", async () => {
      const answer = await post({ json: { api_key: key.form, service_code: "roads", lat: 49.6935, long: -112.8418, description: "Sinkhole" } });
      expect(answer.status).toBe(201);
      expect((await records.request(answer.body[0].service_request_id))!.request).toMatchObject({ service: "roads", lat: 49.6935, long: -112.8418, department: "Transportation" });
    });

    it("for a department without an endpoint, queues no delivery", async () => {
      const answer = await post(form({ service_code: "power", address_string: "Mayor Magrath Drive" }));
      expect(await deliveries.queue.getJob(deliveryJobId(answer.body[0].service_request_id, "Electric Utility"))).toBeUndefined();
    });

    it("to requests.xml, answers in XML", async () => {
      const answer = await post(form({ service_code: "roads", address_string: "Whoop-Up Drive" }), "requests.xml");
      expect(answer.status).toBe(201);
      expect(answer.body.service_requests.request[0].service_request_id).toMatch(/^\d{6}$/);
    });

    describe("refused", () => {
      it("without an api_key: 403, and nothing filed", async () => {
        const before = (await records.requests({ limit: 1000 })).length;
        const answer = await post({ form: { service_code: "water", address_string: "x" } });
        expect(answer.status).toBe(403);
        expect(answer.body).toEqual([{ code: 403, description: "api_key is required: ask the City's 311 centre for one" }]);
        expect((await records.requests({ limit: 1000 })).length).toBe(before);
      });

      it("with a revoked api_key: 403", async () => {
        expect((await post({ form: { api_key: key.revoked, service_code: "water", address_string: "x" } })).status).toBe(403);
      });

      it("without a place or a known service: 400, every problem said", async () => {
        const answer = await post(form({ service_code: "snow" }));
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual([{ code: 400, description: "address_string: where is it? Give address_string, or lat and long" }]);
        const unknown = await post(form({ service_code: "snow", address_string: "x" }));
        expect(unknown.body).toEqual([{ code: 400, description: 'service_code: "snow" is not a service of this line; services.json lists them' }]);
      });

      it("with JSON that does not parse: 400", async () => {
        const answer = await post({ raw: '{"api_key": ', type: "application/json" });
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual([{ code: 400, description: "the body is not valid JSON" }]);
      });

      it("with a body past the limit: 413, unread", async () => {
        const answer = await post(form({ service_code: "water", address_string: "x", description: "a".repeat(70_000) }));
        expect(answer.status).toBe(413);
        expect(answer.body[0].code).toBe(413);
      });
    });
  });

  describe("a department posting updates", () => {
    const update = (id: string, fields: Record<string, string>) => request("POST", `${keyed}/requests/${id}/updates`, { form: fields });

    it("closes its own request, with its words as the status notes", async () => {
      const answer = await update("900001", { api_key: key.water, status: "closed", description: "Valve replaced.", updated_datetime: "2026-12-05T09:30:00-07:00" });
      expect(answer.status).toBe(200);
      expect(answer.body[0]).toMatchObject({ service_request_id: "900001", status: "closed", status_notes: "Valve replaced.", updated_datetime: "2026-12-05T09:30:00-07:00" });
      const kept = (await records.request("900001"))!;
      expect(kept.request).toMatchObject({ status: "closed", closedAt: "2026-12-05T16:30:00.000Z" });
      expect(kept.notes).toContainEqual({ at: "2026-12-05T16:30:00.000Z", author: WATER, kind: "closed", text: "Valve replaced." });
    });

    it("sent twice, is kept once", async () => {
      const fields = { api_key: key.water, description: "Crew on site", updated_datetime: "2026-12-05T09:45:00-07:00" };
      await update("900004", fields);
      await update("900004", fields);
      expect((await records.request("900004"))!.notes.filter((note) => note.text === "Crew on site")).toHaveLength(1);
    });

    describe("with a description and no status", () => {
      let answer: Answer;
      beforeAll(async () => {
        answer = await update("900006", { api_key: key.water, description: "Crew on site", updated_datetime: "2026-12-05T09:40:00-07:00" });
      });

      it("answers with its words as the status notes, and its time as the last update", () => {
        expect(answer.status).toBe(200);
        expect(answer.body[0]).toMatchObject({ service_request_id: "900006", status: "open", status_notes: "Crew on site", updated_datetime: "2026-12-05T09:40:00-07:00" });
      });

      it("shows the same in requests.json", async () => {
        expect((await get(`${keyed}/requests/900006.json?api_key=${key.form}`)).body[0]).toMatchObject({ status: "open", status_notes: "Crew on site", updated_datetime: "2026-12-05T09:40:00-07:00" });
      });

      it("keeps its words as a note by the department", async () => {
        expect((await records.request("900006"))!.notes).toContainEqual(expect.objectContaining({ at: "2026-12-05T16:40:00.000Z", author: WATER, text: "Crew on site" }));
      });
    });

    it("with status open and a description, on an open request, does the same", async () => {
      const answer = await update("900006", { api_key: key.water, status: "open", description: "Parts ordered", updated_datetime: "2026-12-05T09:50:00-07:00" });
      expect(answer.body[0]).toMatchObject({ status: "open", status_notes: "Parts ordered", updated_datetime: "2026-12-05T09:50:00-07:00" });
      expect((await records.request("900006"))!.notes).toContainEqual(expect.objectContaining({ author: WATER, text: "Parts ordered" }));
    });

    it("with status open and nothing to say, only notes that it is still open", async () => {
      const answer = await update("900006", { api_key: key.water, status: "open", updated_datetime: "2026-12-05T09:55:00-07:00" });
      expect(answer.body[0]).toMatchObject({ status_notes: "Parts ordered", updated_datetime: "2026-12-05T09:50:00-07:00" });
      expect((await records.request("900006"))!.notes).toContainEqual({ at: "2026-12-05T16:55:00.000Z", author: WATER, kind: "update", text: "Still open." });
    });

    describe("with a time in the future", () => {
      let answer: Answer;
      beforeAll(async () => {
        answer = await update("900006", { api_key: key.water, status: "closed", description: "Fixed tomorrow?", updated_datetime: "2026-12-05T11:00:00-07:00" });
      });

      it("is refused, 400 in the spec's shape, saying why", () => {
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual([
          {
            code: 400,
            description:
              "updated_datetime: is in the future: more than 5 minutes ahead of the line's clock (2026-12-05T10:00:00-07:00); send the time the change was made, and check the sending system's clock and zone",
          },
        ]);
      });

      it("changes nothing", async () => {
        const kept = (await records.request("900006"))!;
        expect(kept.request).toMatchObject({ status: "open", statusDescription: "Parts ordered" });
        expect(kept.notes.map((note) => note.text)).not.toContain("Fixed tomorrow?");
      });
    });

    describe("reopening its closed request", () => {
      let answer: Answer;
      beforeAll(async () => {
        answer = await update("900004", { api_key: key.water, status: "open", description: "Leaking again" });
      });

      it("answers open, with its words as the status notes", () => {
        expect(answer.body[0]).toMatchObject({ status: "open", status_notes: "Leaking again", updated_datetime: "2026-12-05T10:00:00-07:00" });
      });

      it("keeps it open, no longer closed, with a note of who reopened it and why", async () => {
        const kept = (await records.request("900004"))!;
        expect(kept.request).toMatchObject({ status: "open", closedAt: null, statusDescription: "Leaking again" });
        expect(kept.notes.at(-1)).toEqual({ at: "2026-12-05T17:00:00.000Z", author: WATER, kind: "open", text: "Leaking again" });
      });

      it("without a description, says who reopened it", async () => {
        await update("900004", { api_key: key.water, status: "closed", description: "Fixed for good.", updated_datetime: "2026-12-05T09:58:00-07:00" });
        const again = await update("900004", { api_key: key.water, status: "open", updated_datetime: "2026-12-05T09:59:00-07:00" });
        expect(again.body[0]).toMatchObject({ status: "open", status_notes: `Reopened by ${WATER}.` });
      });
    });

    it("is refused for another department's request: 403", async () => {
      const answer = await update("900002", { api_key: key.water, status: "closed" });
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual([{ code: 403, description: `request 900002 is not ${WATER}'s: a department's key updates only its own requests` }]);
      expect((await records.request("900002"))!.request.status).toBe("acknowledged");
    });

    it("is refused with a key that is not a department's: 403", async () => {
      expect((await update("900002", { api_key: key.form, status: "closed" })).body).toEqual([
        { code: 403, description: "this api_key is not a department's: only a department's key posts updates" },
      ]);
    });

    it("is refused without a key: 403", async () => {
      expect((await update("900002", { status: "closed" })).status).toBe(403);
    });

    it("answers 404 for an unknown request", async () => {
      expect((await update("123456", { api_key: key.power, status: "closed" })).status).toBe(404);
    });

    it("answers 400 for an update that says nothing", async () => {
      const answer = await update("900002", { api_key: key.power });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual([{ code: 400, description: "status: an update needs a status (open or closed), a description, or both" }]);
    });
  });

  describe("when the line started without its records database", () => {
    let without: string;
    let counted: number;
    const unavailable = { code: 503, description: "Service requests are unavailable for now: the line cannot reach its records database. Try again later, or phone 311." };
    beforeAll(async () => {
      without = await start({ records: undefined });
      counted = Number(await redis.get(referenceCounterKey(prefix)));
    });

    it("still serves discovery and the services, which need no records", async () => {
      expect((await get(`${without}/discovery.json`)).status).toBe(200);
      expect((await get(`${without}/services.json`)).body).toEqual((await get(`${keyed}/services.json`)).body);
      expect((await get(`${without}/services/water.json`)).status).toBe(200);
    });

    it("answers a read with 503 and Retry-After, in JSON and in XML", async () => {
      const asJson = await fetch(`${without}/requests.json?api_key=${key.form}`);
      expect(asJson.status).toBe(503);
      expect(asJson.headers.get("retry-after")).toBe("300");
      expect(await asJson.json()).toEqual([unavailable]);
      const asXml = await get(`${without}/requests/900001.xml?api_key=${key.form}`);
      expect(asXml.status).toBe(503);
      expect(asXml.body.errors.error[0]).toEqual({ code: "503", description: unavailable.description });
    });

    it("answers the web form's post with 503, taking no reference", async () => {
      const answer = await request("POST", `${without}/requests.json`, { form: { api_key: key.form, service_code: "roads", address_string: "910 4 Ave S" } });
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual([unavailable]);
      expect(Number(await redis.get(referenceCounterKey(prefix)))).toBe(counted);
    });

    it("answers a department's update with 503", async () => {
      const answer = await request("POST", `${without}/requests/900001/updates.json`, { form: { api_key: key.water, status: "closed" } });
      expect(answer.status).toBe(503);
    });

    it("checks the key first: a bad one is still told so", async () => {
      expect((await get(`${without}/requests.json?api_key=not-a-key`)).status).toBe(403);
    });
  });

  describe("when the records database stops answering after the line started", () => {
    let down: string;
    let gone: PgDatabase;
    beforeAll(async () => {
      // A server that is not there: every statement is refused at once.
      gone = new PgDatabase({ url: "postgres://postgres@127.0.0.1:1/civic" });
      down = await start({ records: new PostgresRecordStore(gone) });
    });
    afterAll(async () => {
      await gone.close();
    });

    it("answers a read with 503 and Retry-After, never a 500, in JSON and in XML", async () => {
      const asJson = await fetch(`${down}/requests.json?api_key=${key.form}`);
      expect(asJson.status).toBe(503);
      expect(asJson.headers.get("retry-after")).toBe("300");
      expect(((await asJson.json()) as unknown[])[0]).toMatchObject({ code: 503, description: expect.stringContaining("Try again later") });
      const asXml = await get(`${down}/requests/900001.xml?api_key=${key.form}`);
      expect(asXml.status).toBe(503);
    });

    it("answers the web form's post with 503, so it tries again", async () => {
      const answer = await request("POST", `${down}/requests.json`, { form: { api_key: key.form, service_code: "roads", address_string: "910 4 Ave S" } });
      expect(answer.status).toBe(503);
    });
  });

  describe("a post with characters no one can read (a NUL, a bell)", () => {
    it("is kept without them, not refused by the database", async () => {
      const answer = await request("POST", `${keyed}/requests.json`, { form: { api_key: key.form, service_code: "roads", address_string: "910 4 Ave S\u0000", description: "Pot\u0000hole\u0007 here\nby the curb" } });
      expect(answer.status).toBe(201);
      expect((await records.request(answer.body[0].service_request_id))!.request).toMatchObject({ place: "910 4 Ave S", description: "Pothole here\nby the curb" });
    });

    it("in a department's update too", async () => {
      const answer = await request("POST", `${keyed}/requests/900001/updates.json`, { form: { api_key: key.water, description: "Crew\u0000 sent" } });
      expect(answer.status).toBe(200);
      expect((await records.request("900001"))!.request.statusDescription).toBe("Crew sent");
    });
  });

  describe("a post with a link (media_url)", () => {
    it("keeps the link once, as a note, even when the note's statement is tried again on a new holder", async () => {
      const retried = Object.create(records) as PostgresRecordStore;
      retried.addNote = async (reference, note, key) => {
        await records.addNote(reference, note, key);
        return records.addNote(reference, note, key);
      };
      const twice = await start({ records: retried });
      const answer = await request("POST", `${twice}/requests.json`, { form: { api_key: key.form, service_code: "roads", address_string: "910 4 Ave S", media_url: "https://example.org/pothole.jpg" } });
      expect(answer.status).toBe(201);
      const { notes } = (await records.request(answer.body[0].service_request_id))!;
      expect(notes.filter((note) => note.kind === "media").map((note) => note.text)).toEqual(["https://example.org/pothole.jpg"]);
    });
  });

  describe("a post whose link (media_url) cannot be kept once the request is", () => {
    it("still answers 201 with the kept request: answering \"try again\" would file it twice", async () => {
      const noNotes = Object.create(records) as PostgresRecordStore;
      noNotes.addNote = async () => {
        throw new Error("the database went away between the request and its note");
      };
      const flaky = await start({ records: noNotes });
      const answer = await request("POST", `${flaky}/requests.json`, { form: { api_key: key.form, service_code: "roads", address_string: "910 4 Ave S", description: "With a photo", media_url: "https://example.org/photo.jpg" } });
      expect(answer.status).toBe(201);
      expect((await records.request(answer.body[0].service_request_id))!.request.description).toBe("With a photo");
    });
  });

  it("answers 404 in the spec's shape for a path it does not serve", async () => {
    const answer = await get(`${keyed}/requests`);
    expect(answer.status).toBe(404);
    expect(answer.body[0]).toMatchObject({ code: 404 });
  });

  describe("in every answer given above", () => {
    it("there was never a callback number or a recording", () => {
      expect(answers.length).toBeGreaterThan(40);
      for (const text of answers) {
        expect(text).not.toMatch(/555.?0187/);
        expect(text).not.toContain("Recordings");
        expect(text).not.toContain("pat@example.org");
      }
    });
  });
});
