/**
 * The console's Departments page on the real line (its app, Redis, the published documents) with the real
 * delivery queue and worker (BullMQ) posting to stand-in departments' systems on this machine: one
 * that accepts, one down (its deliveries wait to be retried), one that refuses (failed for good).
 * Shared by the HTTP specification and the browser's screenshot.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Worker } from "bullmq";
import { vi } from "vitest";
import { BullDeliveryQueue, deliveryStatus, startDeliveryWorker, type DepartmentDeliveryState } from "../../src/adapters/bullmq/delivery-queue.js";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import { createWorkerConnection } from "../../src/adapters/redis/connections.js";
import { RedisDocumentStore } from "../../src/adapters/redis/document-store.js";
import { DEPARTMENTS_DOCUMENT } from "../../src/domain/definitions.js";
import type { Department } from "../../src/domain/departments.js";
import type { ServiceRequest } from "../../src/domain/records.js";
import type { ConsoleDependencies } from "../../src/http/console/routes.js";
import { createLogger } from "../../src/logger.js";
import { consoleOf, serveConsole } from "./console.js";
import { testDatabase, type DatabaseKind, type TestDatabase } from "./database.js";
import { at, REDIS_URL, TestLine } from "./line.js";
import { instant, serviceRequest } from "./records.js";

/** A department's name with markup in it: the page must show it as text. */
export const MARKUP_NAME = `Parks & "Open" <Spaces>`;
/** What the department that is down answers: markup, which the page must show as text. */
export const DOWN_ANSWER = "<html><b>Down</b> for maintenance</html>";

/**
 * The departments as a supervisor might publish them once three departments' systems take
 * requests: endpoints with a query (shown without it), a service only the web form files
 * (animal-control), and `general` (the agent queue every flow falls back to) left out.
 */
export function departmentsDocument(systems: string): string {
  return `departments:
  - name: Electric Utility
    services: [power]
  - name: Water and Wastewater
    services: [water]
  - name: Transportation / Public Works
    services: [roads, roads-transit]
  - name: Utility Billing
    services: [utility-billing]
    endpoint: ${systems}/billing/requests.json?jurisdiction_id=lethbridge.ca
  - name: Waste and Recycling
    services: [waste-recycling]
    endpoint: ${systems}/waste/requests.json
  - name: Bylaw and Parking
    services: [bylaw-parking, animal-control]
    endpoint: ${systems}/bylaw/requests.json?format=json
  - name: '${MARKUP_NAME}'
    services: [callback]
`;
}

/** The departments' systems: billing accepts, bylaw is down, waste refuses what it is sent. */
async function startSystems(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      if (path === "/billing/requests.json") return void res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify([{ service_request_id: "UB-1" }]));
      if (path === "/bylaw/requests.json") return void res.writeHead(503, { "content-type": "text/html" }).end(DOWN_ANSWER);
      if (path === "/waste/requests.json") return void res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify([{ code: 400, description: "service_code waste-recycling is not one of ours" }]));
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A request made by phone this morning at 3 Ave S and 13 St, for `department`. */
const request = (reference: string, service: string, department: string): ServiceRequest =>
  serviceRequest({ reference, service, department, requestedAt: instant("2026-12-02T09:00"), place: "3 Ave S at 13 St", callbackNumber: "+14035550101" });

export interface DepartmentsConsole {
  line: TestLine;
  /** The line's own app: the console with the deliveries, and the API its editor checks drafts with. */
  base: string;
  /** The same console without them (their state is unknown). */
  withoutDeliveries: string;
  /** A console on a line that never published departments. */
  neverPublished: string;
  close(): Promise<void>;
}

/**
 * Starts it all: the line (supervisor `sam`, viewer `vera`) with the departments above published
 * as version 2 and the deliveries settled: billing delivered, bylaw waiting to be retried (an hour
 * away, so it stays waiting), waste failed for good.
 */
export async function startDepartmentsConsole(kind: DatabaseKind): Promise<DepartmentsConsole> {
  // The line's own app (the API beside the console, under the console's CSP) reads the deliveries once the queue below exists.
  let status: (() => Promise<Record<string, DepartmentDeliveryState>>) | undefined;
  const line = await TestLine.start({ console: { deliveries: async () => (status ? status() : {}) }, now: at("2026-12-02T10:00") });
  const stops: (() => Promise<unknown>)[] = [() => line.close()];
  const close = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    await line.addUser("sam", "supervisor");
    await line.addUser("vera", "viewer");
    const systems = await startSystems();
    stops.push(() => new Promise((resolve) => systems.server.close(resolve)));
    const db: TestDatabase = await testDatabase(kind);
    stops.push(() => db.close());
    const store = new PostgresRecordStore(db.database);

    const published = await line.publisher!.publish("departments", DEPARTMENTS_DOCUMENT, { source: departmentsDocument(systems.url), author: "sam", message: "Billing, waste and bylaw take requests in their own systems" });
    if (published.outcome !== "published") throw new Error(`the test's departments did not publish: ${JSON.stringify(published)}`);
    await vi.waitFor(() => {
      if (line.live!.current().versions.departments !== published.version) throw new Error("the line has not read the new departments yet");
    });

    const queueName = `department-delivery-${randomBytes(4).toString("hex")}`;
    const deliveries = new BullDeliveryQueue({ redis: line.redis, queueName , zone: () => "America/Edmonton" });
    const connection = createWorkerConnection(REDIS_URL);
    const log = createLogger({ level: "silent" });
    const worker: Worker = startDeliveryWorker({ connection, redis: line.redis, records: store, log, queueName, keyPrefix: line.prefix, backoffMs: () => 60 * 60_000 });
    stops.push(async () => {
      await worker.close();
      connection.disconnect();
      await deliveries.queue.obliterate({ force: true });
      await deliveries.close();
    });
    const departments = line.live!.current().departments.departments;
    const department = (name: string): Department => departments.find((entry) => entry.name === name)!;
    for (const [reference, service, name] of [
      ["D-1", "utility-billing", "Utility Billing"],
      ["D-2", "bylaw-parking", "Bylaw and Parking"],
      ["D-3", "waste-recycling", "Waste and Recycling"],
    ] as const) {
      await store.addRequest(request(reference, service, name));
      await deliveries.deliver(request(reference, service, name), department(name));
    }
    status = () => deliveryStatus(deliveries.queue, line.redis, line.prefix);
    await vi.waitFor(
      async () => {
        const state = await status!();
        const settled =
          state["Utility Billing"]?.lastDeliveredAt && state["Utility Billing"].waiting === 0 && state["Bylaw and Parking"]?.lastError && state["Bylaw and Parking"].waiting === 1 && state["Waste and Recycling"]?.failed === 1;
        if (!settled) throw new Error(`the deliveries have not settled: ${JSON.stringify(state)}`);
      },
      { timeout: 15_000, interval: 50 },
    );

    const listen = async (dependencies: ConsoleDependencies): Promise<string> => {
      const served = await serveConsole(dependencies);
      stops.push(served.close);
      return served.url;
    };
    const withoutDeliveries = await listen(consoleOf(line));
    // Nothing was ever published under this prefix; the keys are the line's to remove on close.
    const neverPublished = await listen(consoleOf(line, { documents: new RedisDocumentStore(line.redis, `${line.prefix}never-published:`) }));
    return { line, base: line.url, withoutDeliveries, neverPublished, close };
  } catch (error) {
    await close();
    throw error;
  }
}
