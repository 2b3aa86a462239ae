/**
 * The whole way from a caller to a department's system: an urgent report and a voicemail made
 * through the signed webhooks are written by the records worker and posted, in GeoReport v2
 * form, to the endpoint of the department that handles their service (a local stand-in).
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BullDeliveryQueue, startDeliveryWorker } from "../../src/adapters/bullmq/delivery-queue.js";
import { loadFlowSet } from "../../src/adapters/files/flow-source.js";
import { createLogger } from "../../src/logger.js";
import { at, REDIS_URL, TestLine } from "../helpers/line.js";
import { RecordingPager } from "../helpers/recording-pager.js";

/** A department's system that takes every request and answers with its own id. */
class Department {
  readonly posts: URLSearchParams[] = [];
  private server!: Server;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        this.posts.push(new URLSearchParams(body));
        res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify([{ service_request_id: `W-${this.posts.length}` }]));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/open311/v2/requests.json`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe("a request reaching its department's system", () => {
  const water = new Department();
  const customerService = new Department();
  const redis = new Redis(REDIS_URL);
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  let deliveries: BullDeliveryQueue;
  let worker: Worker;
  let line: TestLine;

  beforeAll(async () => {
    await water.start();
    await customerService.start();
    const flows = await loadFlowSet("flows");
    const departments = {
      departments: flows.departments.departments.map((department) =>
        department.name === "Water and Wastewater" ? { ...department, endpoint: water.url } : department.services.includes("callback") ? { ...department, endpoint: customerService.url } : department,
      ),
    };
    deliveries = new BullDeliveryQueue({ redis, queueName: `delivery-${randomBytes(4).toString("hex")}` , zone: () => "America/Edmonton" });
    line = await TestLine.start({
      flows: { ...flows, departments },
      records: { kind: "postgres", delivery: deliveries },
      // The dispatch worker takes the report, pages the crew and hands the report to the records.
      pager: new RecordingPager(),
      now: at("2026-12-05T02:00"),
    });
    worker = startDeliveryWorker({ connection, redis, records: line.store!, log: createLogger({ level: "silent" }), queueName: deliveries.queue.name, keyPrefix: line.prefix });
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await deliveries?.queue.obliterate({ force: true });
    await deliveries?.queue.close();
    await line?.close();
    await water.stop();
    await customerService.stop();
    redis.disconnect();
    connection.disconnect();
  });

  it("posts an urgent water report, once, with its reference, and notes the department's id on it", async () => {
    const caller = line.caller("+14035550188");
    await caller.dial();
    await caller.press("2"); // after hours: water
    await caller.say("Whoop-Up Drive and Scenic Drive");
    await caller.press("1");
    await caller.press("1");
    await caller.hangUp("90");
    await line.recordsWritten();
    const [request] = await line.store!.requests({ service: "water" });
    await vi.waitFor(() => expect(water.posts).toHaveLength(1), { timeout: 15_000 });
    expect(water.posts[0]!.get("service_code")).toBe("water");
    expect(water.posts[0]!.get("description")).toContain(request!.reference);
    expect(water.posts[0]!.get("address_string")).toBe("Whoop-Up Drive and Scenic Drive");
    await vi.waitFor(async () => expect((await line.store!.request(request!.reference))!.notes.map((note) => note.text).join(" ")).toContain("W-1"), { timeout: 15_000 });
    expect(customerService.posts).toHaveLength(0);
  });

  it("posts a voicemail to the department that handles callbacks, without the recording", async () => {
    line.now = at("2026-12-02T10:00");
    const caller = line.caller("+14035550199");
    await caller.dial();
    await caller.press("1");
    await caller.leaveQueue("leave", "301");
    await caller.record("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE55", "14");
    await caller.hangUp("340");
    await line.recordsWritten();
    await vi.waitFor(() => expect(customerService.posts).toHaveLength(1), { timeout: 15_000 });
    const post = customerService.posts[0]!;
    expect(post.get("service_code")).toBe("callback");
    expect(post.get("phone")).toBe("+14035550199");
    expect([...post.values()].join(" ")).not.toContain("RE55");
  });
});
