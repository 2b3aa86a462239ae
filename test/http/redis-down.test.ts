import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, TestLine } from "../helpers/line.js";

// Nothing listens on port 1: every Redis command fails at once, as when Redis is down.
const DEAD_REDIS = "redis://127.0.0.1:1";

describe("when Redis is down", () => {
  let line: TestLine;
  beforeAll(async () => {
    line = await TestLine.start({ redisUrl: DEAD_REDIS, fallbackNumber: "+14035550100" });
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

  it("reports not ready", async () => {
    const answer = await line.get("/readyz");
    expect(answer.status).toBe(503);
  });
});
