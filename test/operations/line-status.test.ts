import { describe, expect, it } from "vitest";
import { assessLineStatus, CONSOLE_PAGER_STATUS, type LineFigures, type SendQueueFigures } from "../../src/operations/line-status.js";

/** A line in good order: Redis answers, one worker beat 2 s ago, nothing is waiting. */
const healthy: LineFigures = {
  redis: "ok",
  heartbeats: { youngestAgeMs: 2_000, workers: 1, pagers: ["twilio"] },
  dispatch: { oldestDueMs: 0, waiting: 0, delayed: 3, active: 1, failed: 0 },
  configuredPager: "twilio",
};

describe("the line's status", () => {
  describe("when Redis answers, a worker beat lately and no job waits", () => {
    it("is ok, with no problem", () => {
      expect(assessLineStatus(healthy)).toMatchObject({ status: "ok", problems: [] });
    });

    it("gives the heartbeat's age and the oldest due job's delay in seconds, and the pager", () => {
      expect(assessLineStatus({ ...healthy, heartbeats: { youngestAgeMs: 4_900, workers: 2, pagers: ["twilio", "twilio"] } })).toEqual({
        status: "ok",
        web: "up",
        redis: "ok",
        worker: { heartbeatAgeSeconds: 4, processes: 2 },
        dispatch: { oldestDueJobDelaySeconds: 0, waiting: 0, delayed: 3, active: 1, failed: 0 },
        pager: "twilio",
        problems: [],
      });
    });
  });

  describe("when no worker has beaten lately", () => {
    const status = assessLineStatus({ ...healthy, heartbeats: { youngestAgeMs: undefined, workers: 0, pagers: [] } });

    it("is trouble, with the heartbeat missing", () => {
      expect(status).toMatchObject({ status: "trouble", worker: { heartbeatAgeSeconds: "missing", processes: 0 } });
    });

    it("says that nobody is paged and how to start a worker", () => {
      expect(status.problems).toEqual([expect.stringMatching(/^No worker is running: .*nobody is paged\. Start one \(npm run start:worker, or npm start\)\.$/)]);
    });
  });

  describe("when the youngest heartbeat is late", () => {
    it("is ok at 15 s (three beats)", () => {
      expect(assessLineStatus({ ...healthy, heartbeats: { youngestAgeMs: 15_000, workers: 1, pagers: ["twilio"] } }).status).toBe("ok");
    });

    it("says the worker is behind past 15 s", () => {
      const status = assessLineStatus({ ...healthy, heartbeats: { youngestAgeMs: 15_001, workers: 1, pagers: ["twilio"] } });
      expect(status.status).toBe("trouble");
      expect(status.problems).toEqual([expect.stringMatching(/^The worker is behind: its last heartbeat was 15 s ago/)]);
    });
  });

  describe("when a job has been due without a worker taking it", () => {
    it("is ok up to a minute", () => {
      expect(assessLineStatus({ ...healthy, dispatch: { ...healthy.dispatch!, oldestDueMs: 60_000 } }).status).toBe("ok");
    });

    it("says the worker is behind, and for how long the job has waited, past a minute", () => {
      const status = assessLineStatus({ ...healthy, dispatch: { ...healthy.dispatch!, oldestDueMs: 243_500, waiting: 4 } });
      expect(status).toMatchObject({ status: "trouble", dispatch: { oldestDueJobDelaySeconds: 243, waiting: 4 } });
      expect(status.problems).toEqual([expect.stringContaining("has been due for 4 min 3 s without a worker taking it")]);
    });
  });

  describe("when Redis does not answer", () => {
    const status = assessLineStatus({ redis: "not answering", heartbeats: undefined, dispatch: undefined, configuredPager: "twilio" });

    it("is trouble, saying what that means for callers", () => {
      expect(status.status).toBe("trouble");
      expect(status.problems).toEqual([expect.stringMatching(/^Redis does not answer: calls get the fallback/)]);
    });

    it("does not claim the worker is missing: it cannot be known", () => {
      expect(status.worker).toEqual({ heartbeatAgeSeconds: "unknown", processes: "unknown" });
      expect(status.dispatch).toBe("unknown");
    });
  });

  describe("when Redis answers on one of the web role's connections but not on the callers'", () => {
    const status = assessLineStatus({ ...healthy, redis: "not answering", unansweredConnections: ["the connection callers are answered on"] });

    it("is trouble, naming the connection, so nobody goes looking for a Redis that answers", () => {
      expect(status).toMatchObject({ status: "trouble", redis: "not answering" });
      expect(status.problems).toEqual([
        expect.stringMatching(/^Redis does not answer on the connection callers are answered on, though it answers on this process's other connection: calls get the fallback\. .*restart the web role/),
      ]);
    });

    it("still gives the worker's and the queue's figures, read through the connection that answers", () => {
      expect(status.worker).toEqual({ heartbeatAgeSeconds: 2, processes: 1 });
      expect(status.dispatch).toMatchObject({ waiting: 0, delayed: 3, active: 1 });
    });
  });

  describe("the pager", () => {
    it("is unknown when no worker says and this process does not know", () => {
      expect(assessLineStatus({ ...healthy, heartbeats: { youngestAgeMs: undefined, workers: 0, pagers: [] }, configuredPager: undefined }).pager).toBe(
        "unknown: no worker says",
      );
    });

    it("is trouble when a worker uses the console pager: no crew hears of a report", () => {
      const status = assessLineStatus({ ...healthy, heartbeats: { youngestAgeMs: 1_000, workers: 1, pagers: ["console"] } });
      expect(status.status).toBe("trouble");
      expect(status.problems).toEqual([expect.stringContaining("Pages are NOT being sent")]);
    });

    it("says plainly that pages are not being sent when a worker uses the console pager", () => {
      expect(assessLineStatus({ ...healthy, heartbeats: { youngestAgeMs: 1_000, workers: 2, pagers: ["twilio", "console"] } }).pager).toBe(CONSOLE_PAGER_STATUS);
    });

    it("is the one the workers say they use, over this process's configuration", () => {
      expect(assessLineStatus({ ...healthy, configuredPager: "console" }).pager).toBe("twilio");
    });

    it("is this process's configured one when no worker says", () => {
      expect(assessLineStatus({ ...healthy, heartbeats: { youngestAgeMs: undefined, workers: 0, pagers: [] }, configuredPager: "console" }).pager).toBe(
        "console: pages are NOT being sent",
      );
    });
  });

  describe("the records on their way to the database", () => {
    it("are fine while they only wait their turn", () => {
      expect(assessLineStatus({ ...healthy, records: { waiting: 12, retrying: 0, failed: 0 } })).toMatchObject({
        status: "ok",
        records: { waiting: 12, retrying: 0, failed: 0 },
      });
    });

    it("are trouble when the database refuses them, saying calls go on and nothing is lost", () => {
      const status = assessLineStatus({ ...healthy, records: { waiting: 0, retrying: 40, failed: 0 } });
      expect(status.status).toBe("trouble");
      expect(status.problems).toEqual([expect.stringMatching(/^Records are waiting for the database: 40 .*nothing is lost.*DATABASE_URL/)]);
    });

    it("are trouble when some were set aside", () => {
      expect(assessLineStatus({ ...healthy, records: { waiting: 0, retrying: 0, failed: 2 } }).problems).toEqual([expect.stringMatching(/^2 record\(s\) could not be written/)]);
    });
  });

  describe("the send queues", () => {
    const rates = { smsPerSecond: 1, callsPerSecond: 0.5 };
    const idle: SendQueueFigures = { waiting: 0, oldestWaitMs: 0, firstPages: 0, oldestFirstPageWaitMs: 0, sentSinceOldestFirstPage: 0 };
    /** The oldest first page on twilio-sms has waited `waitedMs`, and 25 SMS went out since it was queued. */
    const smsWaited = (waitedMs: number): LineFigures => ({
      ...healthy,
      sending: { sms: { waiting: 40, oldestWaitMs: 95_500, firstPages: 12, oldestFirstPageWaitMs: waitedMs, sentSinceOldestFirstPage: 25 }, calls: idle, rates },
    });

    it("say how many sends wait on each, how long the oldest send and the oldest first page have waited, and the rate", () => {
      expect(assessLineStatus(smsWaited(20_700))).toMatchObject({
        status: "ok",
        sending: {
          "twilio-sms": { waiting: 40, oldestWaitSeconds: 95, firstPages: 12, oldestFirstPageWaitSeconds: 20, perSecond: 1 },
          "twilio-calls": { waiting: 0, oldestWaitSeconds: 0, firstPages: 0, oldestFirstPageWaitSeconds: 0, perSecond: 0.5 },
        },
        problems: [],
      });
    });

    it("are ok while the oldest first page has waited no longer than it and the sends since take at the rate, with 10 s to spare", () => {
      // 25 texts and itself, two segments each at most, at 1 segment a second: 52 s, and 10 s for Twilio's answers and the worker's own work.
      expect(assessLineStatus(smsWaited(62_000)).status).toBe("ok");
    });

    it("call the line behind past that, saying how long the page waited against what the limit explains, and what to check", () => {
      const status = assessLineStatus(smsWaited(62_001));
      expect(status.status).toBe("trouble");
      expect(status.problems).toEqual([
        expect.stringMatching(
          /^Pages are going out slower than Twilio's limits allow on twilio-sms: the oldest first page has waited 1 min 2 s, where at 1 SMS segment a second it and the 25 sends of its kind started since it was queued, 2 segments each at most, take 52 s\. Check the worker's logs: "Twilio asked us to slow down"/,
        ),
      ]);
    });

    it("judge each kind at its own rate", () => {
      // 4 calls and itself at one every 2 s: 10 s, and 10 s to spare.
      const calls = (waitedMs: number): LineFigures => ({
        ...healthy,
        sending: { sms: idle, calls: { waiting: 3, oldestWaitMs: waitedMs, firstPages: 3, oldestFirstPageWaitMs: waitedMs, sentSinceOldestFirstPage: 4 }, rates },
      });
      expect(assessLineStatus(calls(20_000)).status).toBe("ok");
      expect(assessLineStatus(calls(20_001)).problems).toEqual([expect.stringContaining("on twilio-calls: the oldest first page has waited 20 s, where at 0.5 calls a second it and the 4 sends of its kind")]);
    });

    it("are not judged by a backlog of other sends: only a first page's wait says pages are late", () => {
      const residents: LineFigures = { ...healthy, sending: { sms: { ...idle, waiting: 300, oldestWaitMs: 3_600_000 }, calls: idle, rates } };
      expect(assessLineStatus(residents)).toMatchObject({ status: "ok", sending: { "twilio-sms": { waiting: 300, oldestWaitSeconds: 3_600 } } });
    });

    it("are not judged when nobody says the rates they go out at", () => {
      const unknown: LineFigures = { ...smsWaited(600_000), sending: { ...smsWaited(600_000).sending!, rates: undefined } };
      expect(assessLineStatus(unknown)).toMatchObject({ status: "ok", sending: { "twilio-sms": { perSecond: "unknown" } } });
    });
  });
});
