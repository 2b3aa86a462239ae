import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createWebConnection, createWorkerConnection, waitUntilReady } from "../../src/adapters/redis/connections.js";
import { isConnectionError, logWorkerErrors, RedisOutageLog } from "../../src/adapters/redis/outage-log.js";
import { createLogger } from "../../src/logger.js";
import { RedisServer } from "../helpers/redis-server.js";

// What a role's log says while its Redis is away: a private redis-server (with a password, which
// no line may show) killed and started again under the connections, a queue and a worker as a
// role has them, every error handed to one RedisOutageLog, and a pino logger writing to a buffer.

const PASSWORD = "outage-log-secret-51ab";
/** Long enough for several reminders at the test's reminder interval. */
const OUTAGE_MS = 3_500;
const REMINDER_MS = 1_000;

interface Entry {
  level: number;
  msg: string;
  err?: unknown;
  attempts?: number;
  lostForS?: number;
  redis?: string;
}

let server: RedisServer;
const logged: Entry[] = [];
const log = createLogger({ level: "info", destination: { write: (entry: string) => void logged.push(JSON.parse(entry) as Entry) } });
let outage: RedisOutageLog;
let web: Redis;
let connection: Redis;
let queue: Queue;
let worker: Worker;

/** The lines logged since `from` (an index into `logged`). */
const since = (from: number) => logged.slice(from);

beforeAll(async () => {
  server = await RedisServer.start({ password: PASSWORD });
  const where = server.url;
  outage = new RedisOutageLog({ log, where, reminderMs: REMINDER_MS });
  web = outage.watch(createWebConnection(where), "Redis connection (web)");
  connection = outage.watch(createWorkerConnection(where), "Redis connection (worker)");
  queue = new Queue("outage-log-test", { connection: web });
  queue.on("error", outage.listener("test queue"));
  worker = new Worker("outage-log-test", async () => {}, { connection, drainDelay: 1 });
  worker.on("error", outage.listener("test worker"));
  await waitUntilReady(web);
  await worker.waitUntilReady();
}, 20_000);

afterAll(async () => {
  await worker?.close(true).catch(() => {});
  await queue?.close().catch(() => {});
  web?.disconnect();
  connection?.disconnect();
  await server?.remove();
});

describe("a Redis that goes away for a few seconds and comes back", { timeout: 30_000 }, () => {
  let start: number;
  let during: Entry[];
  let after: Entry[];

  beforeAll(async () => {
    start = logged.length;
    await server.kill();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    during = since(start);
    await server.start();
    await vi.waitFor(() => expect(since(start).some((entry) => /reachable again/.test(entry.msg))).toBe(true), { timeout: 10_000, interval: 50 });
    // Let anything said late have its chance.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    after = since(start + during.length);
  }, 25_000);

  it("says once, at warn, that Redis cannot be reached: where, and the error's message without its stack", () => {
    const lost = during.filter((entry) => entry.msg.startsWith("cannot reach Redis"));
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ level: 40, msg: `cannot reach Redis at redis://:****@127.0.0.1:${server.port}: connect ECONNREFUSED 127.0.0.1:${server.port}` });
    expect(typeof lost[0]!.err).toBe("string");
  });

  it("says it again at most once a reminder interval while it lasts, counting the failed attempts", () => {
    const reminders = during.filter((entry) => entry.msg.startsWith("still cannot reach Redis"));
    expect(reminders.length).toBeGreaterThanOrEqual(2);
    expect(reminders.length).toBeLessThanOrEqual(Math.ceil(OUTAGE_MS / REMINDER_MS));
    for (const reminder of reminders) {
      expect(reminder.level).toBe(40);
      expect(reminder.msg).toMatch(new RegExp(`^still cannot reach Redis at redis://:\\*\\*\\*\\*@127\\.0\\.0\\.1:${server.port}, \\d+ failed attempts in [\\d.]+ s$`));
    }
    const attempts = reminders.map((reminder) => reminder.attempts!);
    expect(attempts).toEqual([...attempts].sort((a, b) => a - b));
    expect(attempts[0]).toBeGreaterThan(1);
  });

  it("says nothing else meanwhile, however many connections, queues and workers fail each reconnect", () => {
    expect(during.map((entry) => entry.msg).filter((msg) => !/^(still )?cannot reach Redis/.test(msg))).toEqual([]);
    expect(JSON.stringify(during)).not.toContain("stack");
  });

  it("says once, at info, that Redis is reachable again, and after how long", () => {
    const back = after.filter((entry) => /reachable again/.test(entry.msg));
    expect(back).toHaveLength(1);
    expect(back[0]!.level).toBe(30);
    expect(back[0]!.msg).toMatch(/^Redis reachable again after [\d.]+ s$/);
    expect(back[0]!.lostForS).toBeGreaterThanOrEqual(OUTAGE_MS / 1000);
    expect(after.filter((entry) => !/reachable again/.test(entry.msg))).toEqual([]);
    expect(outage.lost).toBe(false);
  });

  it("takes jobs again", async () => {
    // The web connection fails fast until its own reconnect (up to 2 s behind the worker's): the job is added once it is back.
    await vi.waitFor(() => expect(web.status).toBe("ready"), { timeout: 10_000, interval: 50 });
    const done = new Promise((resolve) => worker.once("completed", resolve));
    await queue.add("after", {});
    await done;
  });

  it("says a later outage afresh, and its end", async () => {
    const from = logged.length;
    await server.kill();
    await vi.waitFor(() => expect(since(from).filter((entry) => entry.msg.startsWith("cannot reach Redis"))).toHaveLength(1), { timeout: 5_000, interval: 50 });
    await server.start();
    await vi.waitFor(() => expect(since(from).filter((entry) => /reachable again/.test(entry.msg))).toHaveLength(1), { timeout: 10_000, interval: 50 });
  });

  it("never shows the password", () => {
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.stringify(logged)).not.toContain(PASSWORD);
  });
});

describe("an error that is not about reaching Redis", () => {
  it("is logged at error level, each time, with its stack", () => {
    const from = logged.length;
    const listener = outage.listener("test worker");
    const error = new Error("Missing lock for job 7. moveToFinished");
    listener(error);
    listener(new Error("Missing lock for job 8. moveToFinished"));
    const lines = since(from);
    expect(lines.map((entry) => [entry.level, entry.msg])).toEqual([
      [50, "test worker: Missing lock for job 7. moveToFinished"],
      [50, "test worker: Missing lock for job 8. moveToFinished"],
    ]);
    expect((lines[0]!.err as { stack: string }).stack).toContain("redis-outage-log.test.ts");
  });

  it("goes to the caller's own handler when it gives one", () => {
    const seen: Error[] = [];
    const from = logged.length;
    outage.listener("heartbeat", (error) => seen.push(error))(new Error("ERR unknown command"));
    expect(seen.map((error) => error.message)).toEqual(["ERR unknown command"]);
    expect(since(from)).toEqual([]);
  });
});

describe("once closed, as a role stops", () => {
  it("says nothing more of connection errors, still logs the others, and lets go of its connections", async () => {
    const own = new RedisOutageLog({ log, where: server.url });
    const closing = createWorkerConnection(server.url);
    closing.on("error", () => {});
    const listeners = closing.listenerCount("ready");
    own.follow(closing);
    expect(closing.listenerCount("ready")).toBe(listeners + 1);
    own.close();
    expect(closing.listenerCount("ready")).toBe(listeners);

    const from = logged.length;
    own.listener("Redis connection (worker)")(new Error("Connection is closed."));
    own.listener("dispatch worker")(new Error("Missing lock for job 9. moveToFinished"));
    expect(since(from).map((entry) => [entry.level, entry.msg])).toEqual([[50, "dispatch worker: Missing lock for job 9. moveToFinished"]]);
    closing.disconnect();
  });

  it("is made by a worker given no listener of the role's, and let go when the worker closes", async () => {
    const own = createWorkerConnection(server.url);
    own.on("error", () => {});
    const alone = new Worker("outage-log-test-alone", async () => {}, { connection: own, autorun: false });
    const bullmqs = own.listeners("ready");
    logWorkerErrors(alone, "lone worker", { log, connection: own });
    const added = own.listeners("ready").filter((listener) => !bullmqs.includes(listener));
    expect(added).toHaveLength(1);
    await alone.close();
    expect(own.listeners("ready")).not.toContain(added[0]);
    own.disconnect();
  });
});

describe("which errors are about reaching Redis", () => {
  it.each([
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" })],
    ["a reset one", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })],
    ["a connect timeout", Object.assign(new Error("connect ETIMEDOUT"), { code: "ETIMEDOUT" })],
    ["a closed connection", new Error("Connection is closed.")],
    ["no sentinel answering", new Error("All sentinels are unreachable. Retrying from scratch after 10ms. Last error: connect ECONNREFUSED 127.0.0.1:26379")],
    ["a command refused offline", new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ["a command unanswered", new Error("Command timed out")],
    ["a refused password", new Error("WRONGPASS invalid username-password pair or user is disabled.")],
  ])("%s is", (_, error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  it.each([
    ["a lost lock", new Error("Missing lock for job 1. moveToFinished")],
    ["a script's error", new Error("ERR Error running script")],
    ["a full Redis", new Error("OOM command not allowed when used memory > 'maxmemory'.")],
  ])("%s is not", (_, error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});
