/**
 * Delivering new requests to departments' systems, against the real Redis, BullMQ and the
 * records (PostgreSQL and PGlite), with each department's system a local stand-in that answers
 * as it is told: one that fails and recovers, one that refuses, one that is down for a while,
 * and https ones (a certificate made for the test with openssl) for the departments' keys.
 * Retries wait milliseconds here instead of the line's seconds to minutes.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  BullDeliveryQueue,
  DELIVERY_JOB_OPTIONS,
  deliveryBackoffMs,
  deliveryJobId,
  deliveryStatus,
  KEEPS_FAILING_AFTER,
  startDeliveryWorker,
  type DeliveryResult,
} from "../../src/adapters/bullmq/delivery-queue.js";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import type { Department } from "../../src/domain/departments.js";
import { keyForEndpoint } from "../../src/domain/open311/delivery.js";
import type { ServiceRequest } from "../../src/domain/records.js";
import { createLogger } from "../../src/logger.js";
import { DATABASE_KINDS, testDatabase, type TestDatabase } from "../helpers/database.js";
import { REDIS_URL } from "../helpers/line.js";
import { recordingOf, serviceRequest } from "../helpers/records.js";

interface Received {
  path: string;
  contentType: string;
  idempotencyKey: string | undefined;
  form: URLSearchParams;
}

/** A certificate for 127.0.0.1, made for this run and trusted only by {@link fetchTrusting}. */
function testCertificate(): { key: string; cert: string } {
  const folder = mkdtempSync(join(tmpdir(), "civic-tls-"));
  try {
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
      "-keyout", join(folder, "key.pem"), "-out", join(folder, "cert.pem"),
    ], { stdio: "ignore" });
    return { key: readFileSync(join(folder, "key.pem"), "utf8"), cert: readFileSync(join(folder, "cert.pem"), "utf8") };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * The worker's fetch, trusting the test's certificate: https through node:https with it as the
 * only authority (Node's fetch takes no CA of its own), http through the global fetch.
 */
function fetchTrusting(ca: string): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    if (url.protocol !== "https:") return fetch(input, init);
    return new Promise<Response>((resolve, reject) => {
      const outgoing = httpsRequest(url, { method: init.method ?? "GET", headers: init.headers as Record<string, string>, ca, ...(init.signal ? { signal: init.signal } : {}) }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === "string") headers.set(name, value);
          resolve(new Response(Buffer.concat(chunks), { status: incoming.statusCode ?? 500, headers }));
        });
      });
      outgoing.on("error", reject);
      outgoing.end(typeof init.body === "string" ? init.body : undefined);
    });
  }) as typeof fetch;
}

/** A department's system: answers each post to a path with the next scripted answer (the last one repeats). */
class StandInDepartment {
  readonly received: Received[] = [];
  private readonly scripts = new Map<string, { status: number; body: string; type?: string }[]>();
  private server!: Server;
  url = "";

  /** Listens on a port of its own: over https with `tls`, else http. */
  async start(tls?: { key: string; cert: string }): Promise<this> {
    const answer = (req: IncomingMessage, res: ServerResponse) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        const path = req.url ?? "/";
        const idempotencyKey = req.headers["idempotency-key"];
        this.received.push({ path, contentType: req.headers["content-type"] ?? "", idempotencyKey: typeof idempotencyKey === "string" ? idempotencyKey : undefined, form: new URLSearchParams(body) });
        const script = this.scripts.get(path) ?? [];
        const answer = (script.length > 1 ? script.shift() : script[0]) ?? { status: 404, body: "" };
        res.writeHead(answer.status, { "content-type": answer.type ?? "application/json" }).end(answer.body);
      });
    };
    this.server = tls ? createHttpsServer(tls, answer) : createServer(answer);
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `${tls ? "https" : "http"}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  answer(path: string, ...answers: { status: number; body: string; type?: string }[]): string {
    this.scripts.set(path, answers);
    return `${this.url}${path}`;
  }

  postsTo(path: string): Received[] {
    return this.received.filter((entry) => entry.path === path);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const unavailable = { status: 503, body: "<html>Service Unavailable</html>", type: "text/html" };
const created = (id: string) => ({ status: 201, body: JSON.stringify([{ service_request_id: id, service_notice: "Crew assigned", account_id: null }]) });

/** Water coming up through a road, reported by phone after hours, for `department`. */
const waterRequest = (reference: string, department: string): ServiceRequest =>
  serviceRequest({
    reference,
    service: "water",
    department,
    channel: "after-hours",
    requestedAt: "2026-12-05T09:00:00.000Z",
    place: "5th Avenue and 13th Street South",
    description: "Water coming up through the road",
    recordingUrl: recordingOf("1"),
    callbackNumber: "+14035550187",
    callSid: `CA${reference}`,
  });

describe("a delivery's retries", () => {
  it("go on for at least two days before giving up, even with every wait cut short by jitter", () => {
    let shortest = 0;
    for (let attempt = 1; attempt < DELIVERY_JOB_OPTIONS.attempts; attempt++) shortest += deliveryBackoffMs(attempt, () => 0);
    expect(shortest).toBeGreaterThanOrEqual(2 * 24 * 60 * 60_000);
  });

  it("wait at most a quarter of an hour, so a department back up gets its requests soon", () => {
    for (let attempt = 1; attempt <= 300; attempt++) expect(deliveryBackoffMs(attempt, () => 1)).toBeLessThanOrEqual(15 * 60_000);
  });

  it("start after about ten seconds, doubling", () => {
    expect([1, 2, 3].map((attempt) => deliveryBackoffMs(attempt, () => 1))).toEqual([10_000, 20_000, 40_000]);
  });
});

describe.each(DATABASE_KINDS)("delivering requests to departments, with the records on %s", { timeout: 30_000 }, (kind) => {
  const prefix = `test-delivery-${randomBytes(4).toString("hex")}:`;
  const queueName = `delivery-${randomBytes(4).toString("hex")}`;
  let db: TestDatabase;
  let records: PostgresRecordStore;
  let redis: Redis;
  let connection: Redis;
  let deliveries: BullDeliveryQueue;
  let worker: Worker;
  let department: StandInDepartment;
  /** A department's own system, over https, with a key configured for it. */
  let works: StandInDepartment;
  /** Another https server, which a department's endpoint could be pointed at. */
  let elsewhere: StandInDepartment;
  /** A department's system over plain http, with a key configured for it all the same. */
  let plainHttp: StandInDepartment;
  const logs: { level: number; msg: string; department?: string; err?: string }[] = [];
  const results: [string, DeliveryResult][] = [];
  let serial = 0;

  /** A request kept in the records, for a department of its own that posts to `path`. */
  async function newRequest(name: string, endpoint?: string): Promise<{ request: ServiceRequest; department: Department }> {
    const request = waterRequest(String(200_000 + ++serial), name);
    await records.addRequest(request);
    return { request, department: { name, services: ["water"], ...(endpoint ? { endpoint } : {}) } };
  }

  const notes = async (reference: string) => (await records.request(reference))!.notes;

  beforeAll(async () => {
    db = await testDatabase(kind);
    records = new PostgresRecordStore(db.database);
    redis = new Redis(REDIS_URL);
    connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    department = await new StandInDepartment().start();
    const tls = testCertificate();
    works = await new StandInDepartment().start(tls);
    elsewhere = await new StandInDepartment().start(tls);
    plainHttp = await new StandInDepartment().start();
    // As OPEN311_DEPARTMENT_KEYS has them: by origin. The http one is never sent.
    const keys = { [works.url]: "works-secret-key", [plainHttp.url]: "plain-http-secret-key" };
    deliveries = new BullDeliveryQueue({ redis, queueName , zone: () => "America/Edmonton" });
    worker = startDeliveryWorker({
      connection,
      redis,
      records,
      queueName,
      keyPrefix: prefix,
      backoffMs: () => 20,
      fetch: fetchTrusting(tls.cert),
      endpointKey: (url) => keyForEndpoint(keys, url),
      onResult: (name, result) => results.push([name, result]),
      log: createLogger({ level: "info", destination: { write: (line: string) => void logs.push(JSON.parse(line)) } }),
    });
  }, 60_000);
  afterAll(async () => {
    await worker.close();
    await deliveries.queue.obliterate({ force: true });
    await deliveries.close();
    const stale = await redis.keys(`${prefix}*`);
    if (stale.length > 0) await redis.del(...stale);
    redis.disconnect();
    connection.disconnect();
    await department.stop();
    await works.stop();
    await elsewhere.stop();
    await plainHttp.stop();
    await db.close();
  });

  describe("to a department whose system fails, then recovers", () => {
    let reference: string;
    beforeAll(async () => {
      const endpoint = department.answer(`/${kind}/water/requests.json`, unavailable, unavailable, created("W-77"));
      const { request, department: water } = await newRequest("Water Works", endpoint);
      reference = request.reference;
      await deliveries.deliver(request, water);
      await deliveries.deliver(request, water);
      await vi.waitFor(async () => expect((await notes(reference)).map((note) => note.kind)).toContain("delivered"), { timeout: 15_000, interval: 50 });
    });

    it("is queued once however often it is asked", () => {
      expect(department.postsTo(`/${kind}/water/requests.json`)).toHaveLength(3);
    });

    it("is delivered once: the department accepted one post", async () => {
      // The note is written before BullMQ marks the job completed and tells the worker's listeners.
      await vi.waitFor(async () => expect(await (await deliveries.queue.getJob(deliveryJobId(reference, "Water Works")))!.getState()).toBe("completed"));
      await vi.waitFor(() => expect(results.filter(([name, result]) => name === "Water Works" && result === "delivered")).toHaveLength(1));
    });

    it("leaves a note on the request with the department's id", async () => {
      expect((await notes(reference)).filter((note) => note.kind === "delivered")).toEqual([
        expect.objectContaining({ author: "line", text: "Delivered to Water Works as their request W-77 after 3 attempts. They say: Crew assigned" }),
      ]);
    });

    it("carried the same Idempotency-Key on every post, so the department's system can keep it once", () => {
      const keys = department.postsTo(`/${kind}/water/requests.json`).map((post) => post.idempotencyKey);
      expect(keys).toEqual([`${reference}-water-works`, `${reference}-water-works`, `${reference}-water-works`]);
    });

    it("posted GeoReport v2 fields, form-encoded, never the recording", () => {
      const post = department.postsTo(`/${kind}/water/requests.json`)[0]!;
      expect(post.contentType).toBe("application/x-www-form-urlencoded");
      expect(Object.fromEntries(post.form)).toMatchObject({
        service_code: "water",
        address_string: "5th Avenue and 13th Street South",
        phone: "+14035550187",
      });
      expect(post.form.get("description")).toContain(`City 311 reference ${reference}`);
      expect(post.form.toString()).not.toContain("Recordings");
    });

    it("says, for the console, when the department last had one delivered and its last error", async () => {
      await vi.waitFor(async () => expect((await deliveryStatus(deliveries.queue, redis, prefix))["Water Works"]).toMatchObject({ waiting: 0, failed: 0 }));
      const state = (await deliveryStatus(deliveries.queue, redis, prefix))["Water Works"]!;
      expect(state.lastDeliveredAt).not.toBeNull();
      expect(state.lastError?.message).toBe("Water Works answered HTTP 503: <html>Service Unavailable</html>");
    });

    it("logged the failed tries as warnings, with no phone number", () => {
      const warnings = logs.filter((entry) => entry.department === "Water Works" && entry.level === 40);
      expect(warnings).toHaveLength(2);
      expect(JSON.stringify(logs)).not.toContain("5550187");
    });
  });

  describe("a department's key", () => {
    describe("to the https endpoint whose origin it is configured for", () => {
      const path = `/${kind}/works/requests.json`;
      let reference: string;
      beforeAll(async () => {
        const { request, department: water } = await newRequest("Public Works", works.answer(path, created("PW-9")));
        reference = request.reference;
        await deliveries.deliver(request, water);
        await vi.waitFor(async () => expect((await notes(reference)).map((note) => note.kind)).toContain("delivered"), { timeout: 15_000, interval: 50 });
      });

      it("is sent as api_key, over TLS", () => {
        const [post] = works.postsTo(path);
        expect(post!.form.get("api_key")).toBe("works-secret-key");
        expect(post!.idempotencyKey).toBe(`${reference}-public-works`);
      });

      it("is never logged", () => {
        expect(JSON.stringify(logs)).not.toContain("works-secret-key");
      });
    });

    describe("when the department's endpoint is pointed at another server (departments.yaml edited)", () => {
      const path = `/${kind}/pointed-elsewhere/requests.json`;
      beforeAll(async () => {
        const { request, department: moved } = await newRequest("Moved Works", elsewhere.answer(path, created("X-1")));
        await deliveries.deliver(request, moved);
        await vi.waitFor(async () => expect((await notes(request.reference)).map((note) => note.kind)).toContain("delivered"), { timeout: 15_000, interval: 50 });
      });

      it("is not sent: that server gets the request without any key", () => {
        const [post] = elsewhere.postsTo(path);
        expect(post!.form.has("api_key")).toBe(false);
        expect(post!.form.toString()).not.toContain("secret-key");
      });
    });

    describe("configured for an http endpoint", () => {
      const path = `/${kind}/plain-http/requests.json`;
      let reference: string;
      beforeAll(async () => {
        const { request, department: plain } = await newRequest("Plain Works", plainHttp.answer(path, created("H-1")));
        reference = request.reference;
        await deliveries.deliver(request, plain);
        await vi.waitFor(async () => expect((await notes(reference)).map((note) => note.kind)).toContain("delivered"), { timeout: 15_000, interval: 50 });
      });

      it("is not sent: it would cross the network in the clear", () => {
        const [post] = plainHttp.postsTo(path);
        expect(post!.form.has("api_key")).toBe(false);
      });

      it("is logged as an error naming the department and what to do, never the key", () => {
        const error = logs.find((entry) => entry.department === "Plain Works" && entry.level === 50);
        expect(error?.msg).toMatch(/the key is sent only over https.*make the endpoint https/);
        expect(JSON.stringify(logs)).not.toContain("plain-http-secret-key");
      });
    });
  });

  describe("to a department whose system refuses the request", () => {
    let reference: string;
    const path = `/${kind}/roads/requests.json`;
    beforeAll(async () => {
      const endpoint = department.answer(path, { status: 400, body: JSON.stringify([{ code: 400, description: "service_code water is not ours" }]) });
      const { request, department: roads } = await newRequest("Roads Office", endpoint);
      reference = request.reference;
      await deliveries.deliver(request, roads);
      await vi.waitFor(async () => expect((await notes(reference)).map((note) => note.kind)).toContain("delivery-failed"), { timeout: 15_000, interval: 50 });
    });

    it("is posted once and not retried: it would be refused again", async () => {
      await vi.waitFor(async () => expect(await (await deliveries.queue.getJob(deliveryJobId(reference, "Roads Office")))!.getState()).toBe("failed"));
      expect(department.postsTo(path)).toHaveLength(1);
    });

    it("leaves a note saying why, and to hand it over another way", async () => {
      expect((await notes(reference)).find((note) => note.kind === "delivery-failed")).toMatchObject({
        author: "line",
        text: "Not delivered to Roads Office: Roads Office refused it: HTTP 400: service_code water is not ours. Hand it over another way.",
      });
    });

    it("is logged at error level", async () => {
      await vi.waitFor(() => expect(logs.find((entry) => entry.department === "Roads Office" && entry.level === 50)).toBeDefined());
      expect(logs.find((entry) => entry.department === "Roads Office" && entry.level === 50)!.msg).toMatch(/could not be delivered to its department, for good/);
    });

    it("shows as failed for the console", async () => {
      await vi.waitFor(async () => expect((await deliveryStatus(deliveries.queue, redis, prefix))["Roads Office"]).toMatchObject({ waiting: 0, failed: 1, lastDeliveredAt: null }));
    });
  });

  describe("to a department whose system is down for a while", () => {
    const path = `/${kind}/power/requests.json`;
    let reference: string;
    beforeAll(async () => {
      const endpoint = department.answer(path, unavailable);
      const { request, department: power } = await newRequest("Power Desk", endpoint);
      reference = request.reference;
      await deliveries.deliver(request, power);
      await vi.waitFor(() => expect(department.postsTo(path).length).toBeGreaterThan(KEEPS_FAILING_AFTER + 1), { timeout: 15_000, interval: 50 });
    });

    it("logs an error that it keeps failing", () => {
      expect(logs.find((entry) => entry.department === "Power Desk" && entry.level === 50)?.msg).toMatch(/keeps failing/);
    });

    it("keeps the request waiting, not dropped", async () => {
      expect((await deliveryStatus(deliveries.queue, redis, prefix))["Power Desk"]).toMatchObject({ waiting: 1, failed: 0 });
    });

    it("delivers it when the system is back", async () => {
      department.answer(path, created("P-1"));
      await vi.waitFor(async () => expect((await notes(reference)).map((note) => note.kind)).toContain("delivered"), { timeout: 15_000, interval: 50 });
      await vi.waitFor(async () => expect((await deliveryStatus(deliveries.queue, redis, prefix))["Power Desk"]).toMatchObject({ waiting: 0, failed: 0 }));
    });
  });

  describe("to a department that has no endpoint", () => {
    it("queues nothing", async () => {
      const { request, department: desk } = await newRequest("Front Desk");
      await deliveries.deliver(request, desk);
      expect(await deliveries.queue.getJob(deliveryJobId(request.reference, "Front Desk"))).toBeUndefined();
    });
  });
});
