import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTwilioStandIn, type StandInRequest, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { REPORT_BACKOFF, reportBackoffMs } from "../../src/adapters/bullmq/report-queue.js";
import { TwilioPager } from "../../src/adapters/twilio/twilio-pager.js";
import { parseRoster, whoIsOnCall } from "../../src/domain/oncall/roster/index.js";
import { createLogger } from "../../src/logger.js";
import { LineMetrics } from "../../src/operations/metrics.js";
import { AUTH_TOKEN, at, newCallSid, TestLine } from "../helpers/line.js";

// Twilio's API down for ten minutes in the middle of a storm, played out a hundred times faster:
// the worker's retries run on the queue's own backoff, every wait a hundredth as long (a minute's
// cap becomes 0.6 s). Pages are tried again until Twilio answers, the person whose turn it was
// is the one paged when it does, the operators hear of it meanwhile, and nothing goes out twice.

const ACCOUNT_SID = `AC${"d0".repeat(16)}`;
const NOW = at("2026-12-05T02:00");
/** The queue's retries at a hundredth of their waits. */
const SCALE = 0.01;
/** Ten minutes, at that scale. */
const OUTAGE_MS = 10 * 60_000 * SCALE;

const roster = parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml");
const places = ["3rd Avenue and 13th Street South", "Scenic Drive and 6th Avenue South", "Whoop-Up Drive and University Drive"];

let twilio: TwilioStandIn;
let line: TestLine;
const metrics = new LineMetrics({ processMetrics: false });
const logs: { level: number; msg: string; err?: string }[] = [];
/** The references of the reports filed while Twilio was down, by place. */
const references = new Map<string, string>();
let cameBackAt = 0;

beforeAll(async () => {
  twilio = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  line = await TestLine.start({ roster, now: NOW });
  line.startWorker(new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: "+14035550311", apiUrl: twilio.url, timeoutMs: 1_000 }), {
    backoffScale: SCALE,
    observe: metrics,
    log: createLogger({ level: "warn", destination: { write: (entry: string) => void logs.push(JSON.parse(entry)) } }),
  });

  twilio.down(503);
  for (const place of places) {
    references.set(place, await line.reports.dispatch({ category: "power", location: place, callbackNumber: "+14035550123", callSid: newCallSid(), receivedAt: NOW.toISO()! }));
  }
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  cameBackAt = Date.now();
  twilio.up();
  // Every incident's first page, once Twilio answers again (SMS and voice, as the roster has them).
  await twilio.waitFor((requests) => [...references.values()].every((reference) => requests.some((request) => accepted(request) && mentions(request, reference))), 20_000);
  // A moment more, for a page that would go out twice.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}, 60_000);

afterAll(async () => {
  await line?.close();
  await twilio?.close();
});

const accepted = (request: StandInRequest) => request.status === 201;
const mentions = (request: StandInRequest, reference: string) => (request.body ?? request.url ?? "").includes(reference);

describe("when Twilio's API is down for ten minutes", () => {
  it("gives each page job retries that outlast ten minutes (at full scale), not half a minute", async () => {
    const queue = line.dispatchQueue();
    try {
      const pages = (await queue.getJobs(["completed"])).filter((job) => job.name === "page");
      expect(pages.length).toBeGreaterThan(0);
      for (const job of pages) {
        expect(job.opts.backoff).toEqual({ type: REPORT_BACKOFF });
        let shortest = 0;
        for (let attempt = 1; attempt < job.opts.attempts!; attempt++) shortest += reportBackoffMs(attempt, () => 0);
        expect(shortest).toBeGreaterThan(10 * 60_000);
      }
    } finally {
      await queue.close();
    }
  });

  it("keeps trying each page with backoff while it is down", () => {
    const refused = twilio.requests.filter((request) => request.status === 503);
    // Every incident's page was tried again and again, not once and given up.
    for (const reference of references.values()) {
      expect(refused.filter((request) => mentions(request, reference)).length, reference).toBeGreaterThanOrEqual(5);
    }
    // With backoff: far fewer tries than a tight loop would make in ten (scaled) minutes.
    expect(refused.length).toBeLessThan(places.length * 60);
  });

  it("pages the person whose turn it was once Twilio is back, never skipping to the next", () => {
    const primary = whoIsOnCall(roster, "power", NOW).primary!;
    const backup = whoIsOnCall(roster, "power", NOW).backup;
    const sent = twilio.requests.filter(accepted);
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) {
      expect(request.receivedAt).toBeGreaterThanOrEqual(cameBackAt);
      expect(request.to).toBe(primary.phone);
    }
    // The roster has a backup to skip to, so not skipping is something this test shows.
    expect(backup).toBeDefined();
    expect(sent.map((request) => request.to)).not.toContain(backup!.phone);
  });

  it("sends every page that was owed exactly once", () => {
    const sent = twilio.requests.filter(accepted).map((request) => `${request.kind} ${request.to} ${request.body ?? request.url}`);
    expect(sent.filter((page, index) => sent.indexOf(page) !== index)).toEqual([]);
    for (const reference of references.values()) expect(sent.some((page) => page.includes(reference)), reference).toBe(true);
  });

  it("tells the operators: an error in the log, and the failed pages in the metrics", async () => {
    expect(logs.some((entry) => entry.level >= 50 && /not getting through to Twilio/.test(entry.msg))).toBe(true);
    const text = await metrics.registry.metrics();
    const failed = [...text.matchAll(/civic_pages_total\{channel="\w+",result="failed"\} (\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    expect(failed).toBeGreaterThanOrEqual(5 * places.length);
  });
});
