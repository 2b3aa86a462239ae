import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { waitUntilReady } from "../../src/adapters/redis/connections.js";
import { at, newCallSid, parseTwiml, TestLine } from "../helpers/line.js";
import { RedisServer } from "../helpers/redis-server.js";

// Nothing listens on port 1: every Redis command fails at once, as when Redis is down.
const DEAD_REDIS = "redis://127.0.0.1:1";

describe("when Redis is down", () => {
  let line: TestLine;
  const logged: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const log = createLogger({ level: "error", destination: { write: (entry: string) => void logged.push(JSON.parse(entry)) } });
    line = await TestLine.start({ redisUrl: DEAD_REDIS, fallbackNumber: "+14035550100", log });
  });
  afterAll(async () => {
    await line.close();
  });

  it("apologises and puts a business-hours caller in the general queue", async () => {
    line.now = at("2026-12-02T10:00");
    const twiml = await line.caller().dial();
    expect(twiml.says[0]).toMatch(/sorry/i);
    expect(twiml.text("Enqueue")).toBe("general");
  });

  it("apologises and connects an after-hours caller to the fallback number", async () => {
    line.now = at("2026-12-05T02:00");
    const twiml = await line.caller().dial();
    expect(twiml.says[0]).toMatch(/sorry/i);
    expect(twiml.text("Dial")).toBe("+14035550100");
  });

  it("keeps what a caller said at the failed step in the error log, so a place named just then is not lost", async () => {
    line.now = at("2026-12-05T02:00");
    const callSid = newCallSid();
    const answer = await line.post("/twilio/voice/step?n=2", { CallSid: callSid, From: "+14035550187", To: "+14035550311", SpeechResult: "Whoop-Up Drive and Scenic Drive", Confidence: "0.9" });
    expect(answer.body).toContain("<Dial");
    expect(logged.find((entry) => entry.callSid === callSid)).toMatchObject({ said: { speech: "Whoop-Up Drive and Scenic Drive" } });
  });

  it("reports not ready", async () => {
    const answer = await line.get("/readyz");
    expect(answer.status).toBe(503);
  });
});

describe("when Redis goes down during a supervisor's emergency closure", () => {
  let server: RedisServer;
  let line: TestLine;
  beforeAll(async () => {
    server = await RedisServer.start({ appendOnly: false });
    line = await TestLine.start({ redisUrl: server.url, fallbackNumber: "+14035550100", now: at("2026-12-02T10:00") });
    await waitUntilReady(line.redis);
  });
  afterAll(async () => {
    await line.close();
    await server.remove();
  });

  it("still treats the line as closed, as this instance last read it: callers reach the fallback number, not the empty day queue", async () => {
    await line.overrides.set({ mode: "closed", message: "City offices are closed for the storm." });
    expect((await line.caller().dial()).says.join(" ")).toMatch(/closed right now/);
    await server.kill();
    const newCall = await line.caller().dial();
    expect(newCall.says[0]).toMatch(/sorry/i);
    expect(newCall.text("Dial")).toBe("+14035550100");
    const midCall = await line.post("/twilio/voice/step?n=2", { CallSid: newCallSid(), From: "+14035550187", To: "+14035550311", Digits: "1" });
    expect(parseTwiml(midCall.body).text("Dial")).toBe("+14035550100");
  });
});

describe("when Redis stops answering just as a caller's report is filed", () => {
  let server: RedisServer;
  let line: TestLine;
  const logged: { msg?: string; callSid?: string; report?: { location?: string } }[] = [];
  beforeAll(async () => {
    server = await RedisServer.start({ appendOnly: false });
    const log = createLogger({ level: "error", destination: { write: (entry: string) => void logged.push(JSON.parse(entry)) } });
    line = await TestLine.start({ redisUrl: server.url, fallbackNumber: "+14035550100", now: at("2026-12-05T02:00"), log });
    await waitUntilReady(line.redis);
  });
  afterAll(async () => {
    await line.close();
    await server.remove();
  });

  it("puts the caller through to a person, and tells the operators the report may yet be filed late and where to look before acting by hand", async () => {
    const caller = line.caller("+14035550187");
    await caller.dial();
    await caller.press("2");
    // Reads go on, writes wait (a Redis busy or failing over): the filing outlasts the line's 1 s
    // command timeout, and Redis may run what it was sent once the pause is over.
    await server.command("CLIENT", "PAUSE", "2500", "WRITE");
    let answer;
    try {
      answer = await caller.raw(caller.nextUrl(), { SpeechResult: "Whoop-Up Drive and Scenic Drive", Confidence: "0.9" });
    } finally {
      await server.command("CLIENT", "UNPAUSE");
    }
    const heard = parseTwiml(answer.body);
    expect(heard.says[0]).toMatch(/sorry/i);
    expect(heard.text("Dial")).toBe("+14035550100");
    const unfiled = logged.find((entry) => entry.callSid === caller.callSid && /URGENT REPORT NOT FILED/.test(entry.msg ?? ""));
    expect(unfiled?.msg).toMatch(/or filed late .*npm run oncall -- incidents/);
    expect(unfiled?.report?.location).toBe("Whoop-Up Drive and Scenic Drive");
  });
});
