/**
 * `npm run requests -- close` on an urgent report, run as the process an operator runs, beside a
 * line that pages: the report's request is closed and its incident marked fixed, so the next step
 * of the escalation pages nobody, and the records say who did it. A report that joined another's
 * incident closes only itself and says which incident goes on; with Redis down the request is
 * closed, a warning says the pages could not be stopped, and closing again stops them.
 *
 * The line here is its real parts under the line's real key names (the command knows no other),
 * in a Redis database of its own: the web role's report queue, the dispatch worker paging through
 * a recording pager, the records worker writing the database the command closes in. The crew's
 * waits are long: the next step runs when the test promotes its job, never by the clock.
 */
import type { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startDispatchWorker } from "../../src/adapters/bullmq/dispatch-worker.js";
import { BullJobScheduler } from "../../src/adapters/bullmq/job-scheduler.js";
import { BullRecordKeeper, createRecordsQueue, startRecordsWorker } from "../../src/adapters/bullmq/record-queue.js";
import { BullReportQueue, createDispatchQueue } from "../../src/adapters/bullmq/report-queue.js";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import { createWebConnection, createWorkerConnection, waitUntilReady } from "../../src/adapters/redis/connections.js";
import { RedisAuditLog } from "../../src/adapters/redis/audit-log.js";
import { RedisIncidentStore } from "../../src/adapters/redis/incident-store.js";
import { whoIsOnCall } from "../../src/domain/oncall/roster/index.js";
import type { IncidentStore } from "../../src/domain/ports.js";
import { createLogger } from "../../src/logger.js";
import { Dispatcher } from "../../src/oncall/dispatcher.js";
import { pageJobId } from "../../src/oncall/jobs.js";
import { recordingIncidentStore } from "../../src/records/recording-incident-store.js";
import { loadFlowSet } from "../../src/adapters/files/flow-source.js";
import { runScript, type CliResult } from "../helpers/cli.js";
import { DATABASE_KINDS, recordsForCommand, type CommandRecords } from "../helpers/database.js";
import { finished, rosterWithSlowWater, runNextStep } from "../helpers/escalation.js";
import { at, newCallSid, recordsWritten as recordsWrittenOn, REDIS_URL } from "../helpers/line.js";
import { recordWriter } from "../helpers/record-writer.js";
import { RecordingPager } from "../helpers/recording-pager.js";

const base = new URL(REDIS_URL);
base.pathname = "/3";
const LINE_REDIS = base.toString();
const NO_REDIS = "redis://127.0.0.1:1/3";
const DISPATCH_QUEUE = "oncall-dispatch-requests-cli";

const NIGHT = at("2026-12-05T02:00");
/** The test roster, with water's waits ten minutes long: no step runs unless the test runs it. */
const roster = rosterWithSlowWater();
const { primary, backup } = whoIsOnCall(roster, "water", NIGHT);
const log = createLogger({ level: "silent" });

/** Removes what the line and the command wrote under the real key names in this test's database. */
async function clean(redis: Redis): Promise<void> {
  for (const pattern of ["civic:*", "bull:*"]) {
    const keys = await redis.keys(pattern);
    if (keys.length > 0) await redis.del(...keys);
  }
}

describe.each(DATABASE_KINDS)("npm run requests -- close on an urgent report, on %s", { timeout: 90_000 }, (kind) => {
  let records: CommandRecords;
  let store: PostgresRecordStore;
  let web: Redis;
  let reports: BullReportQueue;
  let recordsQueue: Queue;
  let dispatchQueue: Queue;
  let incidents: IncidentStore;
  const pager = new RecordingPager();
  const stops: (() => Promise<void>)[] = [];
  let places = 0;

  const requests = (redisUrl: string, ...args: string[]): Promise<CliResult> => runScript("requests.ts", args, { FLOWS_DIR: "flows", REDIS_URL: redisUrl, ...records.env });
  const pagedAbout = (phone: string, reference: string) => pager.textsAbout(phone, reference);

  /** Runs the incident's next escalation step now, and says what it did. */
  const nextStep = (reference: string) => runNextStep(dispatchQueue, reference);
  /** Waits until the records worker has written all the line handed over. */
  const recordsWritten = () => recordsWrittenOn(recordsQueue);

  /** A resident's report of water at `place`, once the primary has been paged for it and its request is kept. */
  async function reportPaged(place = `${200 + ++places} Whoop-Up Drive`): Promise<string> {
    const reference = await reports.dispatch({ category: "water", location: place, callbackNumber: "+14035550123", callSid: newCallSid(), receivedAt: NIGHT.toISO()! });
    await finished(dispatchQueue, pageJobId(reference, 0));
    await recordsWritten();
    return reference;
  }

  beforeAll(async () => {
    records = await recordsForCommand(kind);
    store = new PostgresRecordStore(records.database);
    web = createWebConnection(LINE_REDIS, { retryStrategy: () => null });
    web.on("error", () => {});
    await waitUntilReady(web);
    await clean(web);
    const flows = await loadFlowSet("flows");
    // The web role: reports queued, records handed over on the line's own records queue.
    reports = new BullReportQueue({ redis: web, queueName: DISPATCH_QUEUE });
    recordsQueue = createRecordsQueue(web);
    incidents = recordingIncidentStore(new RedisIncidentStore(web), new BullRecordKeeper(recordsQueue), log);
    dispatchQueue = createDispatchQueue(web, { queueName: DISPATCH_QUEUE });
    // The worker: pages, and writes the records.
    const connection = createWorkerConnection(LINE_REDIS);
    const workerRedis = createWorkerConnection(LINE_REDIS);
    const dispatcher = new Dispatcher({
      roster,
      incidents: recordingIncidentStore(new RedisIncidentStore(workerRedis), new BullRecordKeeper(createRecordsQueue(workerRedis)), log),
      pager,
      jobs: new BullJobScheduler(createDispatchQueue(workerRedis, { queueName: DISPATCH_QUEUE })),
      clock: () => NIGHT,
      log,
      publicUrl: "https://line.example.org",
    });
    const dispatching: Worker = startDispatchWorker({ connection, dispatcher, log, queueName: DISPATCH_QUEUE });
    const recordsConnection = createWorkerConnection(LINE_REDIS);
    const writer = recordWriter({ store, definitions: () => flows, clock: () => NIGHT, log });
    const writing = startRecordsWorker({ connection: recordsConnection, processor: writer, log });
    stops.push(async () => {
      await dispatching.close();
      await writing.close();
      connection.disconnect();
      workerRedis.disconnect();
      recordsConnection.disconnect();
    });
  }, 60_000);
  afterAll(async () => {
    for (const stop of stops) await stop();
    await dispatchQueue?.close();
    await recordsQueue?.close();
    await reports?.close();
    if (web) {
      await clean(web);
      web.disconnect();
    }
    await records?.close();
  });

  describe("while its incident pages the crew", () => {
    let reference: string;
    let run: CliResult;
    beforeAll(async () => {
      reference = await reportPaged();
      run = await requests(LINE_REDIS, "close", reference, "--note", "Valve shut; main repaired", "--by", "dana");
    });

    it("had paged the primary", () => {
      expect(pagedAbout(primary!.phone, reference)).toHaveLength(1);
    });

    it("closes the request, and says in a line that the pages stopped", () => {
      expect(run).toMatchObject({ code: 0, stderr: "" });
      const lines = run.stdout.trim().split("\n");
      expect(lines[0]).toMatch(new RegExp(`^Closed ${reference} \\(water, left .*\\) as dana: “Valve shut; main repaired”\\.$`));
      expect(lines[1]).toBe(`Incident ${reference} is marked fixed, as dana: the on-call crew is paged no more for it. Nobody had taken it yet; those paged for it are not told by the line.`);
    });

    it("marks the incident fixed as the name given, from the command line", async () => {
      const incident = (await incidents.get(reference))!;
      expect(incident).toMatchObject({ status: "resolved", resolvedBy: "dana" });
      expect(incident.events.at(-1)).toMatchObject({ kind: "resolved", name: "dana", detail: `request ${reference} closed from the command line` });
    });

    it("pages nobody at the next step of the escalation", async () => {
      expect(await nextStep(reference)).toBe("stopped: resolved");
      expect(pagedAbout(backup!.phone, reference)).toEqual([]);
    });

    it("puts the close in the audit log, with what it did to the pages", async () => {
      expect(await new RedisAuditLog(web).entries({ document: `request:${reference}` })).toEqual([
        expect.objectContaining({
          user: "cli",
          action: "request-closed",
          message: "Valve shut; main repaired",
          detail: `closed as dana (--by). Incident ${reference} is marked fixed, as dana: the on-call crew is paged no more for it. Nobody had taken it yet; those paged for it are not told by the line.`,
        }),
      ]);
    });

    it("leaves records that say who closed the request and who marked the incident fixed", async () => {
      await recordsWritten();
      expect(await store.incident(reference)).toMatchObject({ resolvedBy: "dana", resolvedAt: expect.any(String) });
      const { request, notes } = (await store.request(reference))!;
      expect(request.status).toBe("closed");
      expect(notes).toContainEqual(expect.objectContaining({ author: "dana", kind: "closed", text: "Valve shut; main repaired" }));
      expect(notes).toContainEqual(expect.objectContaining({ author: "dana", text: `dana marked it fixed (request ${reference} closed from the command line).` }));
    });
  });

  describe("a report that joined another's incident", () => {
    let first: string;
    let joined: string;
    let run: CliResult;
    beforeAll(async () => {
      const corner = `${++places} Avenue and 43 Street South`;
      first = await reportPaged(corner);
      joined = await reports.dispatch({ category: "water", location: corner, callbackNumber: "+14035550124", callSid: newCallSid(), receivedAt: NIGHT.toISO()! });
      await vi.waitFor(async () => expect(await incidents.lookup(joined)).toBe(first), { timeout: 10_000, interval: 25 });
      await recordsWritten();
      run = await requests(LINE_REDIS, "close", joined, "--note", "Same break as the first report");
    });
    afterAll(async () => {
      await requests(LINE_REDIS, "close", first, "--note", "Fixed");
    });

    it("closes only its own request, and says which incident goes on and what to close to stop the pages", async () => {
      expect(run).toMatchObject({ code: 0, stderr: "" });
      expect(run.stdout.trim().split("\n")[1]).toBe(`This report joined incident ${first}, which is still open and paging the crew: close ${first} to stop the pages.`);
      expect((await store.request(joined))!.request.status).toBe("closed");
      expect((await store.request(first))!.request.status).toBe("open");
    });

    it("says in the audit log that the incident goes on, so nobody reading it takes the emergency for handled", async () => {
      expect(await new RedisAuditLog(web).entries({ document: `request:${joined}` })).toEqual([
        expect.objectContaining({ action: "request-closed", detail: `This report joined incident ${first}, which is still open and paging the crew: close ${first} to stop the pages.` }),
      ]);
    });

    it("leaves the incident paging: the next step pages the backup", async () => {
      expect(await nextStep(first)).toBe(`paged ${backup!.name}`);
      expect(pagedAbout(backup!.phone, first)).toHaveLength(1);
    });
  });

  describe("several incidents closed at once, one of them joined by a later report", () => {
    let run: CliResult;
    let joined: string;
    beforeAll(async () => {
      const corner = `${++places} Avenue and 45 Street South`;
      const first = await reportPaged(corner);
      joined = await reports.dispatch({ category: "water", location: corner, callbackNumber: "+14035550127", callSid: newCallSid(), receivedAt: NIGHT.toISO()! });
      await vi.waitFor(async () => expect(await incidents.lookup(joined)).toBe(first), { timeout: 10_000, interval: 25 });
      const other = await reportPaged();
      await recordsWritten();
      run = await requests(LINE_REDIS, "close", first, other, "--note", "storm drill");
    });

    it("ends by counting the incidents closed and the reports closed with them", async () => {
      expect(run).toMatchObject({ code: 0, stderr: "" });
      expect(run.stdout.trim().split("\n").at(-1)).toBe("2 closed (and 1 report of the same places with them).");
      await recordsWritten();
      expect((await store.request(joined))!.request.status).toBe("closed");
    });
  });

  describe("when Redis does not answer", () => {
    let reference: string;
    let run: CliResult;
    beforeAll(async () => {
      reference = await reportPaged();
      run = await requests(NO_REDIS, "close", reference, "--note", "Fixed while Redis was down");
    });

    it("closes the request all the same", async () => {
      expect(run.stdout).toMatch(new RegExp(`^Closed ${reference} `));
      expect((await store.request(reference))!.request.status).toBe("closed");
    });

    it("warns that the pages could not be stopped, with exit code 1", () => {
      expect(run.code).toBe(1);
      expect(run.stderr.split("\n")[0]).toBe(
        `requests: warning: The pages for incident ${reference} could NOT be stopped: the line's live incidents (Redis) did not answer (Connection is closed). The on-call crew may still be paged: close it again in a minute, or phone the on-call supervisor. (REDIS_URL: ${NO_REDIS})`,
      );
    });

    it("leaves the incident open", async () => {
      expect(await incidents.status(reference)).toBe("open");
    });

    describe("closed again once Redis answers", () => {
      let again: CliResult;
      beforeAll(async () => {
        again = await requests(LINE_REDIS, "close", reference, "--note", "Trying again");
      });

      it("leaves the request as it was, and stops the pages", async () => {
        expect(again).toMatchObject({ code: 0, stderr: "" });
        const lines = again.stdout.trim().split("\n");
        expect(lines[0]).toMatch(new RegExp(`^${reference} was closed already on .* by cli \\(“Fixed while Redis was down”\\): the request was not changed\\.$`));
        expect(lines[1]).toMatch(new RegExp(`^Incident ${reference} is marked fixed, as cli: the on-call crew is paged no more for it\\.`));
        expect(await nextStep(reference)).toBe("stopped: resolved");
      });

      it("puts the pages' stop in the audit log (the first close could not reach it either, and said so)", async () => {
        expect(run.stderr).toContain(`requests: warning: ${reference} is closed, but the audit log does not have it`);
        const entries = await new RedisAuditLog(web).entries({ document: `request:${reference}` });
        expect(entries.map((entry) => [entry.user, entry.action, entry.message])).toEqual([["cli", "paging-stopped", "Trying again"]]);
        expect(entries[0]!.detail).toMatch(new RegExp(`^The request was closed already on .* by cli\\. Incident ${reference} is marked fixed, as cli: the on-call crew is paged no more for it\\.`));
      });
    });
  });
});
