import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import { DateTime } from "luxon";
import { testDatabase, type TestDatabase } from "../helpers/database.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BullReportQueue } from "../../src/adapters/bullmq/report-queue.js";
import { createWebConnection, waitUntilReady } from "../../src/adapters/redis/connections.js";
import { heartbeatKey } from "../../src/adapters/redis/heartbeat.js";
import { pageJobId } from "../../src/oncall/jobs.js";
import { startTwilioStandIn, type HeldRequest, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { TEST_ROSTER } from "../fixtures/oncall/load.js";

// `npm run start:worker` as operators run it, stopped by SIGTERM while a page is on its way to
// Twilio: it must finish that page, then exit 0. The in-process version of this is in
// test/oncall/worker-recovery.test.ts; this one goes through the real entry point and signal.
const ACCOUNT_SID = `AC${"7e".repeat(16)}`;
const AUTH_TOKEN = "worker-sigterm-test-token";
const FROM = "+14035550311";
const PUBLIC_URL = "https://line.example.org";
const base = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
// A database of its own: the process writes the line's real key names. 12 is the main process
// test's and 13 the hours CLI test's; files run in parallel, and each cleans up its own database.
base.pathname = "/14";
const REDIS_URL = base.toString();

/** How long the child must stay up while its page is held: long enough to see it did not just exit. */
const STILL_RUNNING_MS = 750;

describe("the worker process, sent SIGTERM while a page is on its way to Twilio", { timeout: 60_000 }, () => {
  let standIn: TwilioStandIn;
  let hold: HeldRequest;
  let flowsDir: string;
  let redis: Redis;
  let reports: BullReportQueue;
  let child: ChildProcess;
  let output = "";
  let reference: string;
  let exitCode: number | null;

  // A records database of its own on the server (the embedded one takes seconds to create).
  let records: TestDatabase;

  beforeAll(async () => {
    records = await testDatabase("postgres", { migrated: false });
    standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    // The first page SMS waits, unanswered, until the test lets it go: a Twilio slow to answer.
    hold = standIn.holdNext("sms");

    // The line's own flows with the test roster: water has a primary with SMS at every moment.
    flowsDir = mkdtempSync(path.join(tmpdir(), "civic-worker-sigterm-"));
    copyFileSync("flows/main.yaml", path.join(flowsDir, "main.yaml"));
    copyFileSync("flows/hours.yaml", path.join(flowsDir, "hours.yaml"));
    copyFileSync(TEST_ROSTER, path.join(flowsDir, "oncall.yaml"));

    redis = createWebConnection(REDIS_URL);
    await waitUntilReady(redis);
    reports = new BullReportQueue({ redis });

    child = spawn(process.execPath, ["--import", "tsx", "src/worker.ts"], {
      env: {
        ...process.env,
        NODE_ENV: "production",
        REDIS_URL,
        PUBLIC_URL,
        LOG_LEVEL: "info",
        FLOWS_DIR: flowsDir,
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_FROM_NUMBER: FROM,
        TWILIO_API_URL: standIn.url,
        FALLBACK_NUMBER: "none",
        DATABASE_URL: records.url!,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await Promise.race([
      until(() => output.includes('"msg":"worker: processing oncall-dispatch"'), 15_000, "the worker to start"),
      exited.then((code) => Promise.reject(new Error(`the worker exited with ${code} before it started: ${output}`))),
    ]);

    // An urgent report, queued exactly as the web role queues one when a caller confirms it.
    reference = await reports.dispatch({
      category: "water",
      location: "1 Sigterm Street South",
      callbackNumber: "+14035550187",
      callSid: `CA${randomBytes(16).toString("hex")}`,
      receivedAt: DateTime.now().setZone("America/Edmonton").toISO()!,
    });
    const held = await within(hold.arrived, 15_000, "the worker to send the page SMS");
    expect(held.Body).toContain(reference);

    child.kill("SIGTERM");
    await until(() => output.includes('"msg":"stopping"'), 5_000, "the worker to begin stopping");
    const early = await Promise.race([exited.then((code) => ({ code })), sleep(STILL_RUNNING_MS).then(() => undefined)]);
    expect(early, `the worker exited while its page was still held: ${output}`).toBeUndefined();

    hold.release();
    exitCode = await within(exited, 15_000, "the worker to exit once its page was answered");
  }, 45_000);

  afterAll(async () => {
    await records?.close();
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    hold?.release();
    await reports?.close();
    if (redis) {
      for (const pattern of ["civic:*", "bull:oncall-dispatch:*", "bull:records:*"]) {
        const keys = await redis.keys(pattern);
        if (keys.length > 0) await redis.del(...keys);
      }
      redis.disconnect();
    }
    await standIn?.close();
    if (flowsDir) rmSync(flowsDir, { recursive: true, force: true });
  });

  it("exits with code 0", () => {
    expect(exitCode, output).toBe(0);
  });

  it("says in its log that it stopped", () => {
    expect(output).toContain('"msg":"stopped"');
  });

  it("takes its heartbeat away, so /status does not count a stopped worker as running", async () => {
    expect(await redis.hlen(heartbeatKey())).toBe(0);
  });

  it("finished the page job it held: completed, not failed, not back in the queue", async () => {
    const job = await reports.queue.getJob(pageJobId(reference, 0));
    expect(await job!.getState()).toBe("completed");
    expect(job!.returnvalue).toMatch(/^paged /);
  });

  it("sent the page SMS exactly once", () => {
    expect(standIn.messages().filter((message) => (message.body ?? "").includes(reference))).toHaveLength(1);
  });
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves once `condition()` holds; rejects after `timeoutMs`, saying what was awaited. */
async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** `promise`, or a rejection saying what was awaited after `timeoutMs`. */
async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
