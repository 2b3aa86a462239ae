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
    result = await runScript("storm.ts", ["--url", line.url, "--calls", "6", "--concurrency", "6"], {
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      PUBLIC_URL,
      REDIS_URL,
      REDIS_SENTINELS: "",
      CIVIC_PRIVATE_REDIS: "",
    });
  });

  afterAll(async () => {
    await line.close();
  });

  it("says the trouble line was not tested because the line was open, and how to test it", () => {
    expect(result.stdout).toContain("no caller gave a place, so no report was filed: the trouble line was not tested");
    expect(result.stdout).toMatch(/the line was open: [1-6] callers met the day menu\. For the trouble line, run the storm at night City time, or with --at /);
    expect(result.stdout).toContain("every report filed not tested (no report); one incident per place not tested (no report)");
  });

  it("does not look for incidents in Redis, which an open line never opened", () => {
    expect(result.stdout).not.toMatch(/found no (incidents|pages) in/);
  });

  it("answered every call: no apology, no error", () => {
    expect(result.stdout).toMatch(/goals: no apology met; no errors met;/);
  });
});
