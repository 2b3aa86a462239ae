import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TwilioPager } from "../../src/adapters/twilio/twilio-pager.js";
import { parseRoster, whoIsOnCall } from "../../src/domain/oncall/roster/index.js";
import type { Pager } from "../../src/domain/oncall/pager.js";
import { startTwilioStandIn, type TwilioStandIn } from "../../scripts/lib/twilio-stand-in.js";
import { AUTH_TOKEN, at, newCallSid, TestLine } from "../helpers/line.js";

const ACCOUNT_SID = `AC${"cd".repeat(16)}`;
const roster = parseRoster(readFileSync("test/fixtures/oncall/test-roster.yaml", "utf8"), "test-roster.yaml");
const NOW = at("2026-12-05T02:00");

let standIn: TwilioStandIn;
let line: TestLine;
let pager: Pager;

beforeAll(async () => {
  standIn = await startTwilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  pager = new TwilioPager({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: "+14035550311", apiUrl: standIn.url });
  line = await TestLine.start({ roster, now: NOW });
});
afterAll(async () => {
  await line.close();
  await standIn.close();
});

const fileReport = (place: string, on = line) =>
  on.reports.dispatch({ category: "water", location: place, callbackNumber: "+14035550123", callSid: newCallSid(), receivedAt: NOW.toISO()! });

/**
 * A worker process that takes the line's jobs and hangs in its first page; resolves once it does.
 * `queued`: its page waits its turn on the line's send queue, as `npm start`'s do, and nothing sends it.
 */
async function doomedWorker(on: TestLine, mode: "hangs" | "queued" = "hangs"): Promise<ChildProcess> {
  const doomed = spawn(process.execPath, ["--import", "tsx", "test/helpers/doomed-worker.ts", on.queueName, on.prefix, NOW.toISO()!, mode], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve) => doomed.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("holding") && resolve()));
  return doomed;
}

async function kill(doomed: ChildProcess): Promise<void> {
  doomed.kill("SIGKILL");
  await new Promise((resolve) => doomed.once("exit", resolve));
}

describe("the dispatch worker", () => {
  it("loses nothing when it is killed in the middle of a page: another worker sends it", { timeout: 30_000 }, async () => {
    const doomed = spawn(process.execPath, ["--import", "tsx", "test/helpers/doomed-worker.ts", line.queueName, line.prefix, NOW.toISO()!], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const holding = new Promise<void>((resolve) => doomed.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("holding") && resolve()));
    const reference = await fileReport("1 Recovery Road");
    await holding;
    doomed.kill("SIGKILL");
    await new Promise((resolve) => doomed.once("exit", resolve));

    // Every worker of a deployment checks for stalled jobs on the same interval; short here.
    line.startWorker(pager, { stalledInterval: 500 });
    const primary = whoIsOnCall(roster, "water", NOW).primary!;
    const requests = await standIn.waitFor((all) => all.some((request) => request.to === primary.phone && (request.body ?? "").includes(reference)), 20_000);
    expect(requests.filter((request) => (request.body ?? "").includes(reference) && request.to === primary.phone)).toHaveLength(1);
    await line.stopWorker();
  });

  it("on SIGTERM finishes the page it holds before it stops", async () => {
    let release: () => void = () => {};
    let holding: () => void = () => {};
    const paging = new Promise<void>((resolve) => (holding = resolve));
    const sent: string[] = [];
    const slowPager: Pager = {
      sendSms: async (_to, body) => {
        holding();
        await new Promise<void>((resolve) => (release = resolve));
        sent.push(body);
        return "SM0";
      },
      placeCall: async () => "CA0",
    };
    line.startWorker(slowPager);
    const reference = await fileReport("2 Shutdown Street");
    await paging;
    const stopping = line.stopWorker();
    setTimeout(() => release(), 300);
    await stopping;
    expect(sent.some((body) => body.includes(reference))).toBe(true);
  });

  describe("a page job that stalls more often than BullMQ allows (its worker killed twice)", () => {
    let own: TestLine;
    beforeAll(async () => {
      own = await TestLine.start({ roster, now: NOW });
      // Its references count from the same start as the other line's.
      standIn.reset();
    });
    afterAll(async () => {
      await own.close();
    });

    it("fails for good, and the chain still moves on to the next person", { timeout: 30_000 }, async () => {
      const reference = await fileReport("3 Stalled Street", own);
      await kill(await doomedWorker(own));
      // The second worker finds the job stalled and takes it up again, then dies in turn.
      await kill(await doomedWorker(own));

      own.startWorker(pager, { stalledInterval: 500 });
      const { backup } = whoIsOnCall(roster, "water", NOW);
      const requests = await standIn.waitFor((all) => all.some((request) => request.to === backup!.phone && (request.body ?? "").includes(reference)), 20_000);
      expect(requests.filter((request) => (request.body ?? "").includes(reference)).map((request) => request.to)).toEqual([backup!.phone]);
      expect((await own.dispatchQueue().getJob(`page-${reference}-0`))!.failedReason).toMatch(/stalled/);
      await own.stopWorker();
    });
  });

  describe("a page job that stalls more often than BullMQ allows while its page waits its turn under the sending limits", () => {
    let queued: TestLine;
    beforeAll(async () => {
      // A line of its own: no chain of the other cases' incidents still pages on it.
      queued = await TestLine.start({ roster, now: NOW });
      standIn.reset();
    });
    afterAll(async () => {
      await queued.close();
    });

    it("fails for good, its page still goes out once, and the next person is paged after the step's wait, not beside them", { timeout: 30_000 }, async () => {
      const reference = await fileReport("4 Stalled Street", queued);
      await kill(await doomedWorker(queued, "queued"));
      await kill(await doomedWorker(queued, "queued"));

      queued.startWorker(pager, { stalledInterval: 500, sendingRates: { callsPerSecond: 20, smsPerSecond: 20 } });
      const { primary, backup } = whoIsOnCall(roster, "water", NOW);
      const requests = await standIn.waitFor((all) => all.some((request) => request.to === backup!.phone && (request.body ?? "").includes(reference)), 20_000);
      const pages = requests.filter((request) => (request.body ?? "").includes(reference));
      // The primary's text, queued by the first worker before it died, then the backup's.
      expect(pages.map((request) => request.to)).toEqual([primary!.phone, backup!.phone]);
      const stalled = (await queued.dispatchQueue().getJob(`page-${reference}-0`))!;
      expect(stalled.failedReason).toMatch(/stalled/);
      // The step's wait (2 s on this roster) from when the step failed for good, where it was none.
      expect(pages[1]!.receivedAt - stalled.finishedOn!).toBeGreaterThanOrEqual(2_000);
      await queued.stopWorker();
    });
  });
});
