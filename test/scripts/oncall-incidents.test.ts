import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisIncidentStore } from "../../src/adapters/redis/incident-store.js";
import { runScript } from "../helpers/cli.js";
import { urgentReport } from "../helpers/records.js";
import { RedisServer } from "../helpers/redis-server.js";

// The morning after a storm, a supervisor asks what is still open. The command reads the line's
// own key names (civic:incidents): a Redis of its own keeps it away from a dev line and the other
// files' processes.

describe("npm run oncall -- incidents", { timeout: 60_000 }, () => {
  let server: RedisServer;
  let redis: Redis;
  const oncall = (...args: string[]) => runScript("oncall.ts", ["incidents", ...args], { REDIS_URL: server.url });

  beforeAll(async () => {
    server = await RedisServer.start({ appendOnly: false });
    redis = new Redis(server.url);
    const store = new RedisIncidentStore(redis);
    const night = (minute: number) => `2026-12-05T09:${String(minute).padStart(2, "0")}:00.000Z`;
    await store.openOrJoin(urgentReport({ reference: "700001", category: "power", location: "Scenic Drive and 6th Avenue South", receivedAt: night(1) }), "", night(1), 0);
    await store.openOrJoin(urgentReport({ reference: "700002", category: "water", location: "301 Scenic Drive South", receivedAt: night(2) }), "", night(2), 0);
    await store.openOrJoin(urgentReport({ reference: "700003", category: "roads", location: "Whoop-Up Drive", receivedAt: night(3) }), "", night(3), 0);
    await store.acknowledge("700002", { name: "Ana", phone: "+14035556001" }, night(10));
    await store.resolve("700003", { name: "Sam", phone: "+14035556002", supervisor: true, mayCloseUntaken: true }, night(20));
  });

  afterAll(async () => {
    redis?.disconnect();
    await server?.remove();
  });

  it("lists the newest incidents, fixed or not, newest first", async () => {
    const result = await oncall();
    expect(result.code).toBe(0);
    expect([...result.stdout.matchAll(/^#(\d+) {2}\w+ {2}(\w+)/gm)].map(([, reference, status]) => `${reference} ${status}`)).toEqual([
      "700003 RESOLVED",
      "700002 ACKNOWLEDGED",
      "700001 OPEN",
    ]);
  });

  it("with --open, lists only those not fixed yet: open, or taken by a crew", async () => {
    const result = await oncall("--open");
    expect(result.code).toBe(0);
    expect([...result.stdout.matchAll(/^#(\d+)/gm)].map(([, reference]) => reference)).toEqual(["700002", "700001"]);
    expect(result.stdout).toContain("place:    Scenic Drive and 6th Avenue South");
  });

  it("with --open and --count, as many as asked for, saying when there are more", async () => {
    const result = await oncall("--open", "--count", "1");
    expect([...result.stdout.matchAll(/^#(\d+)/gm)].map(([, reference]) => reference)).toEqual(["700002"]);
    expect(result.stdout).toContain("There are more incidents open or taken than the 1 shown: list more with --count N (up to 500).");
    expect((await oncall("--open", "--count", "2")).stdout).not.toContain("There are more");
  });

  it("says so when every incident is fixed", async () => {
    const store = new RedisIncidentStore(redis);
    const supervisor = { name: "Sam", phone: "+14035556002", supervisor: true, mayCloseUntaken: true };
    await store.resolve("700001", supervisor, "2026-12-05T10:00:00.000Z");
    await store.resolve("700002", supervisor, "2026-12-05T10:00:00.000Z");
    const result = await oncall("--open");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe("No incident is open or taken: every incident Redis keeps (a year of them) is fixed.");
  });
});
