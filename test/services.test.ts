import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { DateTime } from "luxon";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTwilioStandIn, type TwilioStandIn } from "../scripts/lib/twilio-stand-in.js";
import { createRedisAccountService } from "../src/accounts/redis-account-service.js";
import { createSendQueue, SEND_PRIORITY, SEND_QUEUES, startSendWorkers } from "../src/adapters/bullmq/send-queues.js";
import { createWorkerConnection } from "../src/adapters/redis/connections.js";
import { TwilioPager } from "../src/adapters/twilio/twilio-pager.js";
import { loadConfig, type Config } from "../src/config/env.js";
import { parseRoster, whoIsOnCall } from "../src/domain/oncall/roster/index.js";
import { createLogger } from "../src/logger.js";
import { PortUnavailableError, startWeb, type Running } from "../src/services.js";

// The web role as `npm run start:web` starts it, in this process. It only reads Redis while
// starting; database 11 keeps it apart from every other file all the same.
const base = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
base.pathname = "/11";
const REDIS_URL = base.toString();
const log = createLogger({ level: "silent" });

describe("the web role", { timeout: 20_000 }, () => {
  let web: (Running & { server: import("node:http").Server }) | undefined;
  let squatter: Server | undefined;

  afterEach(async () => {
    await web?.stop();
    web = undefined;
    await new Promise<void>((resolve) => (squatter ? squatter.close(() => resolve()) : resolve()));
    squatter = undefined;
  });

  const development = (env: Record<string, string> = {}): Config => loadConfig({ NODE_ENV: "development", PORT: "0", REDIS_URL, ...env });

  /** Something else listening on a port, as another process would. */
  async function occupy(host?: string): Promise<number> {
    squatter = createServer();
    await new Promise<void>((resolve) => squatter!.listen(0, host, () => resolve()));
    return (squatter.address() as AddressInfo).port;
  }

  describe("with the public development token", () => {
    it("listens on 127.0.0.1 only", async () => {
      web = await startWeb(development(), log);
      expect((web.server.address() as AddressInfo).address).toBe("127.0.0.1");
    });
  });

  describe("with a real auth token", () => {
    it("listens on every interface", async () => {
      web = await startWeb(development({ TWILIO_AUTH_TOKEN: "a-real-token" }), log);
      expect(["::", "0.0.0.0"]).toContain((web.server.address() as AddressInfo).address);
    });
  });

  describe("when its port is already taken", () => {
    it("refuses to start, naming the port and what to do", async () => {
      const port = await occupy("127.0.0.1");
      const starting = startWeb(development({ PORT: String(port) }), log);
      await expect(starting).rejects.toThrow(PortUnavailableError);
      await expect(starting).rejects.toThrow(`web: PORT ${port} is already in use: another process (another Civic Line?) listens there. Stop it, or set PORT to a free port.`);
    });
  });
});

describe("the web role publishing a roster change", { timeout: 30_000 }, () => {
  const ACCOUNT_SID = `AC${"6".repeat(32)}`;
  const TOKEN = "a-real-token-for-roster-texts";
  const ZONE = "America/Edmonton";
  let twilio: TwilioStandIn;
  let redis: Redis;
  let web: (Running & { server: import("node:http").Server }) | undefined;

  /** This file's Redis database holds only what its lines made: the line's own key names. */
  const forget = async () => {
    const keys = [...(await redis.keys("civic:*")), ...(await redis.keys("bull:*"))];
    if (keys.length > 0) await redis.del(...keys);
  };

  beforeAll(async () => {
    twilio = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: TOKEN });
    redis = createWorkerConnection(REDIS_URL);
    await forget();
  });
  afterAll(async () => {
    await web?.stop();
    await forget();
    redis.disconnect();
    await twilio.close();
  });

  it("queues the texts to the crew on twilio-sms, after every page, for the worker to send under Twilio's limits", async () => {
    web = await startWeb(
      loadConfig({
        NODE_ENV: "development",
        PORT: "0",
        REDIS_URL,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_FROM_NUMBER: "+14035550311",
        TWILIO_API_URL: twilio.url,
      }),
      log,
    );
    const base = `http://127.0.0.1:${(web.server.address() as AddressInfo).port}`;
    const { accounts } = createRedisAccountService(redis, { passwordHashing: { cost: 2 ** 10, blockSize: 8, parallelization: 1 } });
    await accounts.add({ username: "sam-supervisor", role: "supervisor", password: "correct horse battery staple", by: "test" });
    const token = await accounts.newToken({ username: "sam-supervisor", by: "test" });

    // Three days from now, the power primary's day is covered by the member neither primary nor
    // backup then: they (and whoever else's time moved) hear of it.
    const oncall = await readFile("flows/oncall.yaml", "utf8");
    const day = DateTime.now().setZone(ZONE).plus({ days: 3 }).startOf("day");
    const roster = parseRoster(oncall, "oncall.yaml");
    const { primary, backup } = whoIsOnCall(roster, "power", day.set({ hour: 12 }));
    const cover = roster.categories.power!.members.find((member) => member.id !== primary!.id && member.id !== backup?.id)!;
    const changed = oncall.replace(
      "overrides: []",
      `overrides:\n      - { from: ${day.toISODate()}, to: ${day.plus({ days: 1 }).toISODate()}, primary: ${cover.id}, reason: covering }`,
    );
    const answer = await fetch(`${base}/api/oncall`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ source: changed, message: "a week covered" }),
    });
    expect(answer.status, await answer.clone().text()).toBe(200);

    // Nothing went to Twilio from the web role: the texts wait on the send queue, last in line.
    const queue = createSendQueue(redis, "sms");
    const waiting = await queue.getJobs(["prioritized", "wait"]);
    expect(twilio.requests).toEqual([]);
    expect(queue.name).toBe(SEND_QUEUES.sms);
    const told = waiting.map((job) => job.data.to as string).sort();
    expect(told).toContain(cover.phone);
    expect(waiting.every((job) => job.opts.priority === SEND_PRIORITY.notice && /on-call change/.test(job.data.body))).toBe(true);

    // /status says what waits on each send queue; with no worker beating, at this role's own rates.
    const status = (await (await fetch(`${base}/status`)).json()) as { sending: unknown };
    const idle = { waiting: 0, oldestWaitSeconds: 0, firstPages: 0, oldestFirstPageWaitSeconds: 0, perSecond: 1 };
    expect(status.sending).toEqual({ "twilio-sms": { ...idle, waiting: told.length, oldestWaitSeconds: expect.any(Number) }, "twilio-calls": idle });

    // The worker's send workers send them.
    const connection = createWorkerConnection(REDIS_URL);
    const workers = startSendWorkers({
      connection,
      pagers: { crew: new TwilioPager({ accountSid: ACCOUNT_SID, authToken: TOKEN, from: "+14035550311", apiUrl: twilio.url }) },
      rates: { smsPerSecond: 20, callsPerSecond: 20 },
      log,
    });
    try {
      const sent = await twilio.waitFor((requests) => requests.length === told.length);
      expect(sent.map((request) => [request.kind, request.to, request.status]).sort()).toEqual(told.map((to) => ["sms", to, 201]));
    } finally {
      await workers.close();
      await queue.close();
      connection.disconnect();
    }
  });
});
