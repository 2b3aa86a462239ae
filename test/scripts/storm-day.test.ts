/**
 * `npm run storm` against a line that is open: the callers meet the day menu and give no place,
 * so no report is filed. The storm must not pass that off as the trouble line holding up: it
 * says the trouble line was not tested, and how to test it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScript, type CliResult } from "../helpers/cli.js";
import { at, AUTH_TOKEN, PUBLIC_URL, REDIS_URL, TestLine } from "../helpers/line.js";

describe("npm run storm against a line that is open", { timeout: 60_000 }, () => {
  let line: TestLine;
  let result: CliResult;

  beforeAll(async () => {
    line = await TestLine.start();
    line.now = at("2026-12-02T10:00"); // a Wednesday morning: the day menu answers
    // No warm-up: the line then meets exactly the storm's six callers; answering at once keeps it short.
    result = await runScript("storm.ts", ["--url", line.url, "--calls", "6", "--concurrency", "6", "--warm-up", "0", "--think", "0", "--ramp", "0"], {
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      PUBLIC_URL,
      REDIS_URL,
      REDIS_SENTINELS: "",
      CIVIC_PRIVATE_REDIS: "",
    });
    // 2 is a crash (1 is a goal missed): its stack says why the assertions below would fail.
    expect(result.code, result.stderr).not.toBe(2);
  }, 60_000);

  afterAll(async () => {
    await line.close();
  });

  it("says the trouble line was not tested because the line was open, and how to test it", () => {
    expect(result.stdout).toContain("no caller gave a place, so no report was filed: the trouble line was not tested");
    expect(result.stdout).toMatch(/the line was open: [1-6] callers met the day menu\. For the trouble line, run the storm at night City time, or with --at /);
    expect(result.stdout).toContain("every report filed not tested (no report); every incident paged not tested (no report); one incident per place not tested (no report)");
  });

  it("does not look for incidents in Redis, which an open line never opened", () => {
    expect(result.stdout).not.toMatch(/found no (incidents|pages) in/);
  });

  it("places no warm-up call when told --warm-up 0: the line saw the six callers alone", async () => {
    expect(result.stdout).not.toContain("warming the line up");
    const calls = await line.redis.keys(`${line.prefix}call:*`);
    expect(calls).toHaveLength(6);
  });

  it("answered every call: no apology, no error", () => {
    expect(result.stdout).toMatch(/goals: no apology met; no errors met;/);
  });
});

describe("npm run storm's warm-up", { timeout: 60_000 }, () => {
  it("places --warm-up calls three times over before the storm, and says so", async () => {
    const line = await TestLine.start();
    try {
      line.now = at("2026-12-02T10:00");
      const result = await runScript("storm.ts", ["--url", line.url, "--calls", "1", "--warm-up", "2", "--think", "0", "--ramp", "0"], { TWILIO_AUTH_TOKEN: AUTH_TOKEN, PUBLIC_URL, REDIS_URL, REDIS_SENTINELS: "", CIVIC_PRIVATE_REDIS: "" });
      expect(result.stdout).toContain("warming the line up: 2 calls a round, three rounds, each hung up at the first menu");
      expect(result.stdout).toMatch(/^storm: 1 call, /m);
      // The storm's one caller, and three rounds of two warm-up calls.
      expect(await line.redis.keys(`${line.prefix}call:*`)).toHaveLength(7);
    } finally {
      await line.close();
    }
  });
});
