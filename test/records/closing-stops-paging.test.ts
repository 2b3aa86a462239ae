/**
 * Closing an urgent report's request means "it is dealt with": the crew must be paged no more.
 * On the real line (the web role's incidents, the dispatch worker paging through a recording
 * pager, the records worker writing PostgreSQL or PGlite), a resident's report pages the crew, and
 * then it is closed as people close it: by a department's Open311 update, or by a supervisor
 * through `closeRequest` (what the command line calls; the console closes callbacks only). The
 * crew's waits are long, and the next step of the escalation is run when the test says (its
 * delayed job promoted), never by the clock.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { Queue } from "bullmq";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BullDeliveryQueue } from "../../src/adapters/bullmq/delivery-queue.js";
import { createWebConnection } from "../../src/adapters/redis/connections.js";
import { RedisIncidentStore } from "../../src/adapters/redis/incident-store.js";
import { newOpen311Key, RedisOpen311KeyStore } from "../../src/adapters/redis/open311-key-store.js";
import type { IncidentStore, RecordStore } from "../../src/domain/ports.js";
import { whoIsOnCall } from "../../src/domain/oncall/roster/index.js";
import { serviceCodesOf } from "../../src/domain/open311/services.js";
import { open311Routes } from "../../src/http/open311-routes.js";
import { createLogger } from "../../src/logger.js";
import { pageJobId } from "../../src/oncall/jobs.js";
import { closeRequest, pagingInWords, type CloseOutcome } from "../../src/records/close-request.js";
import { DATABASE_KINDS } from "../helpers/database.js";
import { finished, rosterWithSlowWater, runNextStep } from "../helpers/escalation.js";
import { at, newCallSid, TestLine } from "../helpers/line.js";
import { voicemailRequest } from "../helpers/records.js";
import { RecordingPager } from "../helpers/recording-pager.js";

const NIGHT = at("2026-12-05T02:00");
const WATER = "Water and Wastewater";
/** The test roster, with water's waits ten minutes long: no step runs unless the test runs it. */
const roster = rosterWithSlowWater();
const { primary, backup } = whoIsOnCall(roster, "water", NIGHT);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(DATABASE_KINDS)("closing an urgent report's request, on %s", { timeout: 60_000 }, (kind) => {
  let line: TestLine;
  let pager: RecordingPager;
  let queue: Queue;
  let store: RecordStore;
  let deliveries: BullDeliveryQueue;
  const servers: Server[] = [];
  let waterKey = "";
  let places = 0;

  /** An Open311 endpoint over the line's records and, unless told otherwise, its incidents. */
  async function open311(incidents: IncidentStore | undefined = line.incidents): Promise<string> {
    const app = express();
    app.use(
      "/open311/v2",
      open311Routes({
        records: store,
        keys: new RedisOpen311KeyStore(line.redis, line.prefix),
        deliveries,
        departments: () => line.flows.departments,
        serviceCodes: () => serviceCodesOf(line.flows),
        nextReference: async () => "0",
        ...(incidents ? { incidents } : {}),
        clock: () => line.now,
        publicRead: false,
        publicUrl: "https://line.example.org",
        log: createLogger({ level: "silent" }),
      }),
    );
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/open311/v2`;
  }

  /** The department's system posting an update, and the line's answer. */
  async function update(base: string, reference: string, fields: Record<string, string>): Promise<{ status: number; body: any }> {
    const response = await fetch(`${base}/requests/${reference}/updates`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ api_key: waterKey, ...fields }),
    });
    return { status: response.status, body: await response.json() };
  }

  /** Runs the incident's next escalation step now instead of after its wait, and says what it did. */
  const nextStep = (reference: string) => runNextStep(queue, reference);

  /** A resident's report of water at `place`, once the crew's primary has been paged for it and its request is kept. */
  async function reportPaged(place = `${100 + ++places} Whoop-Up Drive`): Promise<string> {
    const reference = await line.reports.dispatch({ category: "water", location: place, callbackNumber: "+14035550123", callSid: newCallSid(), receivedAt: line.now.toISO()! });
    await finished(queue, pageJobId(reference, 0));
    await line.recordsWritten();
    return reference;
  }

  /** A place's first report, paged, and a second report of the same place that joined its incident, both in the records. */
  async function reportedTwice(corner: string, secondCaller: string): Promise<{ first: string; joined: string }> {
    const first = await reportPaged(corner);
    const joined = await line.reports.dispatch({ category: "water", location: corner, callbackNumber: secondCaller, callSid: newCallSid(), receivedAt: line.now.toISO()! });
    for (let waited = 0; (await line.incidents.lookup(joined)) !== first; waited += 25) {
      if (waited > 10_000) throw new Error(`report ${joined} never joined incident ${first}`);
      await sleep(25);
    }
    await line.recordsWritten();
    return { first, joined };
  }

  const pagedAbout = (phone: string, reference: string) => pager.textsAbout(phone, reference);

  beforeAll(async () => {
    pager = new RecordingPager();
    line = await TestLine.start({ roster, now: NIGHT, records: kind, pager });
    queue = line.dispatchQueue();
    store = line.store!;
    deliveries = new BullDeliveryQueue({ redis: line.redis, queueName: `delivery-${line.queueName}` , zone: () => "America/Edmonton" });
    const made = newOpen311Key();
    await new RedisOpen311KeyStore(line.redis, line.prefix).add({ name: "water-works", hash: made.hash, department: WATER, createdAt: "2026-12-01T00:00:00.000Z" });
    waterKey = made.key;
  }, 60_000);
  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    await queue?.close();
    await deliveries?.queue.obliterate({ force: true });
    await deliveries?.close();
    await line?.close();
  });

  // A department's "closed" may mean a work order was made, a duplicate, a referral: it closes the
  // request, and never silences an emergency nobody has seen.
  describe("by the department's Open311 update, while it pages the crew and nobody has taken it", () => {
    let reference: string;
    let answer: { status: number; body: any };
    beforeAll(async () => {
      reference = await reportPaged();
      answer = await update(await open311(), reference, { status: "closed", description: "Work order 4411 created." });
    });

    it("had paged the primary", () => {
      expect(pagedAbout(primary!.phone, reference)).toHaveLength(1);
    });

    it("closes the request and answers as GeoReport does, saying in plain words that the crew is still paged", () => {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual([
        expect.objectContaining({
          service_request_id: reference,
          status: "closed",
          status_notes: "Work order 4411 created.",
          service_notice: `Handled by ${WATER}. Incident ${reference} still pages the on-call crew: nobody has taken it yet, and ${WATER}'s close does not stop an emergency's pages. They stop when a crew member takes it, or a supervisor closes it.`,
        }),
      ]);
    });

    it("leaves the incident open, and the escalation pages the backup at the next step", async () => {
      expect(await line.incidents.get(reference)).toMatchObject({ status: "open" });
      await nextStep(reference);
      expect(pagedAbout(backup!.phone, reference)).toHaveLength(1);
    });

    it("keeps the department's close in the request's record", async () => {
      await line.recordsWritten();
      const { request, notes } = (await store.request(reference))!;
      expect(request).toMatchObject({ status: "closed", closedAt: line.now.toUTC().toISO() });
      expect(notes).toContainEqual({ at: line.now.toUTC().toISO(), author: WATER, kind: "closed", text: "Work order 4411 created." });
    });
  });

  describe("by the department's Open311 update, after a crew member took it", () => {
    let reference: string;
    let answer: { status: number; body: any };
    beforeAll(async () => {
      reference = await reportPaged();
      await line.text(primary!.phone, `ACK ${reference}`);
      answer = await update(await open311(), reference, { status: "closed", description: "Valve shut, main repaired." });
    });

    it("closes the request, and leaves the incident with the crew member, who marks it fixed", async () => {
      expect(answer.body[0]).toMatchObject({
        status: "closed",
        // The answer leaves the City: no crew member is named.
        service_notice: `Handled by ${WATER}. Incident ${reference} stays with a crew member, who has taken it and marks it fixed (DONE ${reference}) or a supervisor closes it.`,
      });
      expect(await line.incidents.get(reference)).toMatchObject({ status: "acknowledged", acknowledgedBy: primary!.name });
    });
  });

  describe("by a supervisor, after a crew member took it", () => {
    let reference: string;
    let outcome: CloseOutcome;
    beforeAll(async () => {
      reference = await reportPaged();
      await line.text(primary!.phone, `ACK ${reference}`);
      outcome = await closeRequest(store, reference, { by: "sam", at: line.now.toUTC().toISO()!, note: "Contractor fixed it", from: "the console" }, { incidents: line.incidents });
    });

    it("closes the request and marks the incident fixed, as the supervisor, whoever held it", async () => {
      expect(outcome).toMatchObject({ outcome: "closed", paging: { outcome: "stopped", incident: reference, was: "acknowledged", heldBy: primary!.name } });
      expect(await line.incidents.get(reference)).toMatchObject({ status: "resolved", resolvedBy: "sam", acknowledgedBy: primary!.name });
    });

    it("tells the supervisor that whoever held it is not told", () => {
      expect(outcome.outcome === "closed" && pagingInWords(outcome.paging!, "sam")).toBe(
        `Incident ${reference} is marked fixed, as sam: the on-call crew is paged no more for it. ${primary!.name} had taken it and is not told by the line: let them know.`,
      );
    });

    it("keeps who took it and who fixed it in the incident's record", async () => {
      await line.recordsWritten();
      expect(await store.incident(reference)).toMatchObject({ acknowledgedBy: primary!.name, resolvedBy: "sam" });
    });
  });

  describe("a report that joined another's incident", () => {
    let first: string;
    let joined: string;
    let outcome: CloseOutcome;
    beforeAll(async () => {
      ({ first, joined } = await reportedTwice(`${++places} Avenue and 43 Street South`, "+14035550124"));
      outcome = await closeRequest(store, joined, { by: "sam", at: line.now.toUTC().toISO()!, note: "Same break as the first report", from: "the command line" }, { incidents: line.incidents });
    });
    afterAll(async () => {
      await closeRequest(store, first, { by: "sam", at: line.now.toUTC().toISO()!, note: "Fixed" }, { incidents: line.incidents });
    });

    it("closes only its own request", async () => {
      expect(outcome.outcome).toBe("closed");
      expect((await store.request(joined))!.request.status).toBe("closed");
      expect((await store.request(first))!.request.status).toBe("open");
    });

    it("says the incident it joined is still open, and which to close to stop the pages", () => {
      expect(outcome).toMatchObject({ paging: { outcome: "joined", incident: first, status: "open" } });
      expect(outcome.outcome === "closed" && pagingInWords(outcome.paging!, "sam")).toBe(
        `This report joined incident ${first}, which is still open and paging the crew: close ${first} to stop the pages.`,
      );
    });

    it("leaves the incident paging: the next step pages the backup", async () => {
      expect(await line.incidents.status(first)).toBe("open");
      expect(await nextStep(first)).toBe(`paged ${backup!.name}`);
      expect(pagedAbout(backup!.phone, first)).toHaveLength(1);
    });
  });

  describe("by a supervisor, the first report of a place that later reports joined", () => {
    let first: string;
    let joined: string;
    let outcome: CloseOutcome;
    beforeAll(async () => {
      ({ first, joined } = await reportedTwice(`${++places} Avenue and 44 Street South`, "+14035550126"));
      outcome = await closeRequest(store, first, { by: "sam", at: line.now.toUTC().toISO()!, note: "Main repaired", from: "the command line" }, { incidents: line.incidents });
    });

    it("names the reports that joined it, which are closed with it", () => {
      expect(outcome).toMatchObject({ outcome: "closed", paging: { outcome: "stopped", incident: first, was: "open", joined: [joined] } });
      expect(outcome.outcome === "closed" && pagingInWords(outcome.paging!, "sam")).toBe(
        `Incident ${first} is marked fixed, as sam: the on-call crew is paged no more for it. Nobody had taken it yet; those paged for it are not told by the line. ` +
          `The report of the same place that joined it is closed with it: ${joined}.`,
      );
    });

    it("closes the joined report in the records, saying whose close it was", async () => {
      await line.recordsWritten();
      const { request, notes } = (await store.request(joined))!;
      expect(request.status).toBe("closed");
      expect(notes).toContainEqual(expect.objectContaining({ kind: "closed", author: "sam", text: `sam marked it fixed (request ${first} closed from the command line).` }));
    });
  });

  describe("when the line's Redis does not answer", () => {
    let reference: string;
    let outcome: CloseOutcome;
    let answer: { status: number; body: any };
    let gone: ReturnType<typeof createWebConnection>;
    beforeAll(async () => {
      reference = await reportPaged();
      const other = await reportPaged();
      // The closing side's Redis is down; the worker's (the same server here) still pages.
      gone = createWebConnection("redis://127.0.0.1:1", { lazyConnect: true, retryStrategy: () => null });
      gone.on("error", () => {});
      await gone.connect().catch(() => {});
      const unreachable = new RedisIncidentStore(gone, line.prefix);
      outcome = await closeRequest(store, reference, { by: "sam", at: line.now.toUTC().toISO()!, note: "Fixed", from: "the console" }, { incidents: unreachable });
      answer = await update(await open311(unreachable), other, { status: "closed", description: "Fixed." });
      await closeRequest(store, other, { by: "sam", at: line.now.toUTC().toISO()!, note: "Fixed" }, { incidents: line.incidents });
    });
    afterAll(() => gone?.disconnect());

    it("closes the request all the same", async () => {
      expect(outcome).toMatchObject({ outcome: "closed", request: { status: "closed" } });
      expect((await store.request(reference))!.request.status).toBe("closed");
    });

    it("says plainly that the pages could not be stopped", () => {
      expect(outcome).toMatchObject({ paging: { outcome: "not-stopped", incident: reference } });
      expect(outcome.outcome === "closed" && pagingInWords(outcome.paging!, "sam")).toMatch(
        new RegExp(`^The pages for incident ${reference} could NOT be stopped: the line's live incidents \\(Redis\\) did not answer \\(.+\\)\\. The on-call crew may still be paged: close it again in a minute, or phone the on-call supervisor\\.$`),
      );
    });

    it("says so to a department too, in the update's answer", () => {
      expect(answer.status).toBe(200);
      expect(answer.body[0]).toMatchObject({ status: "closed" });
      expect(answer.body[0].service_notice).toMatch(/^Handled by Water and Wastewater\. The pages for incident \d+ could NOT be stopped: .*\. The on-call crew may still be paged: close it again in a minute, or phone the on-call supervisor\.$/);
    });

    it("leaves the incident open", async () => {
      expect(await line.incidents.status(reference)).toBe("open");
    });

    describe("closed again once Redis answers", () => {
      let again: CloseOutcome;
      beforeAll(async () => {
        again = await closeRequest(store, reference, { by: "sam", at: line.now.plus({ minutes: 1 }).toUTC().toISO()!, note: "Fixed" }, { incidents: line.incidents });
      });

      it("leaves the request as it was, and stops the pages", async () => {
        expect(again).toMatchObject({ outcome: "closed-already", by: "sam", paging: { outcome: "stopped", incident: reference, was: "open" } });
        expect(await line.incidents.status(reference)).toBe("resolved");
        expect(await nextStep(reference)).toBe("stopped: resolved");
      });
    });
  });

  describe("a request that is no urgent report", () => {
    it("is closed without a word about pages, and without Redis", async () => {
      await store.addRequest(voicemailRequest({ reference: "990001", requestedAt: "2026-12-05T08:00:00.000Z", callbackNumber: "+14035550125" }));
      const outcome = await closeRequest(store, "990001", { by: "sam", at: line.now.toUTC().toISO()!, note: "Called back" });
      expect(outcome).toEqual({ outcome: "closed", request: expect.objectContaining({ status: "closed" }) });
    });
  });
});
