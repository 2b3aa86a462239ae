import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createWebConnection, waitUntilReady } from "../../src/adapters/redis/connections.js";
import type { PagerMode } from "../../src/config/env.js";
import { healthRoutes } from "../../src/http/health-routes.js";
import { assessLineStatus, type LineFigures, type LineStatus } from "../../src/operations/line-status.js";

const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";

const healthy: LineFigures = {
  redis: "ok",
  heartbeats: { youngestAgeMs: 1_000, workers: 1, pagers: ["twilio"] },
  dispatch: { oldestDueMs: 0, waiting: 0, delayed: 0, active: 0, failed: 0 },
  configuredPager: "twilio",
};

describe("the health routes", () => {
  let up: Redis;
  let down: Redis;
  let server: Server | undefined;

  beforeAll(async () => {
    up = createWebConnection(REDIS_URL);
    await waitUntilReady(up);
    down = createWebConnection("redis://127.0.0.1:1", { retryStrategy: () => null, lazyConnect: true });
    down.on("error", () => {});
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  afterAll(() => {
    up.disconnect();
    down.disconnect();
  });

  async function serve(deps: { redis: Redis | Redis[]; pager?: PagerMode; status?: () => Promise<LineStatus>; stopping?: () => boolean }): Promise<string> {
    const app = express().use(healthRoutes(deps));
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  describe("/readyz", () => {
    it("says plainly, with the console pager, that pages are not being sent, and stays ready", async () => {
      const response = await fetch(`${await serve({ redis: up, pager: "console" })}/readyz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ready", redis: "ok", pager: "console: pages are NOT being sent" });
    });

    it("answers 503 once the process is stopping, Redis answering or not, so that a load balancer sends new calls elsewhere", async () => {
      let stopping = false;
      const url = await serve({ redis: up, pager: "twilio", stopping: () => stopping });
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      stopping = true;
      const response = await fetch(`${url}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "stopping", pager: "twilio" });
    });

    it("names the Twilio pager when pages are sent", async () => {
      expect(await (await fetch(`${await serve({ redis: up, pager: "twilio" })}/readyz`)).json()).toEqual({ status: "ready", redis: "ok", pager: "twilio" });
    });

    it("is unavailable when Redis does not answer, and still names the pager", async () => {
      const response = await fetch(`${await serve({ redis: down, pager: "console" })}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "unavailable", redis: "not answering", pager: "console: pages are NOT being sent" });
    });

    it("is ready only when each of the role's connections answers (the webhooks' own and the queues')", async () => {
      expect((await fetch(`${await serve({ redis: [up, up] })}/readyz`)).status).toBe(200);
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      const response = await fetch(`${await serve({ redis: [up, down] })}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "unavailable", redis: "not answering" });
    });
  });

  describe("/status", () => {
    it("answers 200 with the status when all is well, never cached", async () => {
      const response = await fetch(`${await serve({ redis: up, status: async () => assessLineStatus(healthy) })}/status`);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await response.json()).toMatchObject({ status: "ok", web: "up", worker: { heartbeatAgeSeconds: 1 } });
    });

    it("answers 503 when the worker is missing, so a monitor raises the alarm", async () => {
      const missing = { ...healthy, heartbeats: { youngestAgeMs: undefined, workers: 0, pagers: [] } };
      const response = await fetch(`${await serve({ redis: up, status: async () => assessLineStatus(missing) })}/status`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: "trouble", worker: { heartbeatAgeSeconds: "missing" } });
    });

    it("is not served by a line that cannot read its status", async () => {
      expect((await fetch(`${await serve({ redis: up })}/status`)).status).toBe(404);
    });
  });
});
