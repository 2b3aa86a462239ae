/**
 * The report queue as the web role uses it, against the real Redis and BullMQ: how long a report
 * is retried, and what a held report keeps while the call goes on.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BullReportQueue, REPORT_BACKOFF, reportBackoffMs, reportJobId } from "../../src/adapters/bullmq/report-queue.js";
import type { ReportDraft } from "../../src/domain/flow/actions.js";
import { newCallSid, REDIS_URL } from "../helpers/line.js";

const prefix = `test-${randomBytes(4).toString("hex")}:`;
const queueName = `reports-${randomBytes(4).toString("hex")}`;
let redis: Redis;
let reports: BullReportQueue;
const late: string[] = [];

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  reports = new BullReportQueue({ redis, queueName, keyPrefix: prefix, holdMs: 60_000, releaseGraceMs: 30_000, onLateUpdate: (callSid) => late.push(callSid) });
});
afterAll(async () => {
  await reports.queue.obliterate({ force: true });
  await reports.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

function draft(callSid: string, extra: Partial<ReportDraft> = {}): ReportDraft {
  return { category: "water", location: "5th Avenue and 13th Street South", callbackNumber: "+14035550187", callSid, receivedAt: "2026-12-05T02:00:00.000-07:00", ...extra };
}

describe("a report's retries", () => {
  it("go on for at least 30 minutes before the worker gives up, even with every wait cut short by jitter", async () => {
    const callSid = newCallSid();
    await reports.dispatch(draft(callSid));
    const job = (await reports.queue.getJob(reportJobId(callSid)))!;
    expect(job.opts.backoff).toEqual({ type: REPORT_BACKOFF });
    let shortest = 0;
    for (let attempt = 1; attempt < job.opts.attempts!; attempt++) shortest += reportBackoffMs(attempt, () => 0);
    expect(shortest).toBeGreaterThanOrEqual(30 * 60_000);
  });

  it("wait at most a minute between tries, so a report goes soon after the trouble ends", () => {
    for (let attempt = 1; attempt <= 60; attempt++) expect(reportBackoffMs(attempt, () => 1)).toBeLessThanOrEqual(60_000);
  });

  it("start after about a second, doubling", () => {
    expect([1, 2, 3].map((attempt) => reportBackoffMs(attempt, () => 1))).toEqual([1_000, 2_000, 4_000]);
  });
});

describe("a held report", () => {
  it("keeps the time it was first received while later steps add to it", async () => {
    const callSid = newCallSid();
    await reports.dispatch(draft(callSid), { hold: true });
    await reports.dispatch(draft(callSid, { receivedAt: "2026-12-05T02:01:30.000-07:00", locationConfirmed: true }), { hold: true });
    const job = (await reports.queue.getJob(reportJobId(callSid)))!;
    expect(job.data).toMatchObject({ receivedAt: "2026-12-05T02:00:00.000-07:00", locationConfirmed: true });
    expect(await job.isDelayed()).toBe(true);
  });

  it("once released by the call's end, is held again only for the grace, not the whole hold", async () => {
    const callSid = newCallSid();
    await reports.dispatch(draft(callSid), { hold: true });
    expect(await reports.release(callSid)).toBe(true);
    await reports.dispatch(draft(callSid, { recordingUrl: "https://api.twilio.com/Recordings/RE1" }), { hold: true });
    const job = (await reports.queue.getJob(reportJobId(callSid)))!;
    expect(job.delay).toBe(30_000);
    expect(job.data.recordingUrl).toBe("https://api.twilio.com/Recordings/RE1");
  });

  it("says so when the caller adds to it after the worker took it", async () => {
    const callSid = newCallSid();
    // Sent at once (no hold), as when its hold ran out: the next step's addition comes too late.
    await reports.dispatch(draft(callSid));
    expect(await (await reports.queue.getJob(reportJobId(callSid)))!.isDelayed()).toBe(false);
    await reports.dispatch(draft(callSid, { callbackNumber: "+14035550188" }), { hold: true });
    expect(late).toContain(callSid);
  });

  it("is not said to be late when nothing new was added", async () => {
    const callSid = newCallSid();
    await reports.dispatch(draft(callSid));
    await reports.dispatch(draft(callSid, { receivedAt: "2026-12-05T02:03:00.000-07:00" }), { hold: true });
    expect(late).not.toContain(callSid);
  });
});
