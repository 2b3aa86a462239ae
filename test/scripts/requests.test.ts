/**
 * `npm run requests`, run as the process an operator runs, against the records database the line
 * uses: a server through DATABASE_URL, and the embedded one under DATA_DIR (this test's process
 * holds it and serves it on its socket, as a running line does). The callback worklist, one
 * request with its notes, and closing: once, with the note and who did it.
 */
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import type { ServiceRequest } from "../../src/domain/records.js";
import { runScript, type CliResult } from "../helpers/cli.js";
import { DATABASE_KINDS, recordsForCommand, type CommandRecords } from "../helpers/database.js";
import { voicemailRequest } from "../helpers/records.js";
import { Redis } from "ioredis";

// A close is written to the audit log under the line's real key names: a Redis database of its own.
const AUDIT_REDIS = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
AUDIT_REDIS.pathname = "/5";
afterAll(async () => {
  const redis = new Redis(AUDIT_REDIS.toString());
  const keys = await redis.keys("civic:audit*");
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const now = DateTime.now();

/** A voicemail left at `requestedAt`, on a call of its own. */
const request = (reference: string, requestedAt: DateTime, changes: Partial<ServiceRequest> = {}): ServiceRequest =>
  voicemailRequest({ reference, requestedAt: requestedAt.toUTC().toISO()!, callSid: `CA${reference}`, ...changes });

describe.each(DATABASE_KINDS)("npm run requests on %s", { timeout: 60_000 }, (kind) => {
  let records: CommandRecords;
  let store: PostgresRecordStore;
  const requests = (...args: string[]): Promise<CliResult> => runScript("requests.ts", args, { FLOWS_DIR: "flows", REDIS_URL: AUDIT_REDIS.toString(), ...records.env });

  beforeAll(async () => {
    records = await recordsForCommand(kind);
    store = new PostgresRecordStore(records.database);
    // Ten days old: overdue whatever today is. Left a minute ago: due later, never overdue yet.
    await store.addRequest(request("5101", now.minus({ days: 10 }), { callbackNumber: "+14035550101" }));
    await store.addRequest(request("5102", now.minus({ minutes: 1 }), { callbackNumber: "+14035550102" }));
    await store.addRequest(request("5103", now.minus({ days: 12 }), { status: "closed", closedAt: now.minus({ days: 11 }).toUTC().toISO()! }));
    await store.addRequest(request("5104", now.minus({ days: 11 }), { service: "water", department: "Water and Wastewater", channel: "after-hours", source: "ivr", recordingUrl: null, callbackNumber: "+14035550104", place: "3 Ave S at 13 St" }));
  }, 60_000);
  afterAll(() => records?.close());

  describe("list --service callback --status open", () => {
    let run: CliResult;
    beforeAll(async () => {
      run = await requests("list", "--service", "callback", "--status", "open");
    });

    it("lists the open callbacks only, oldest first", () => {
      expect(run).toMatchObject({ code: 0, stderr: "" });
      const references = run.stdout.split("\n").slice(1).map((line) => line.split(/\s+/)[0]);
      expect(references.filter(Boolean)).toEqual(["5101", "5102"]);
    });

    it("shows each callback number in full, since someone has to call it", () => {
      expect(run.stdout).toContain("+14035550101");
      expect(run.stdout).toContain("+14035550102");
    });

    it("flags the callback past its due time as OVERDUE, and only that one", () => {
      const line = (reference: string) => run.stdout.split("\n").find((text) => text.startsWith(reference))!;
      expect(line("5101")).toMatch(/OVERDUE$/);
      expect(line("5102")).not.toContain("OVERDUE");
    });
  });

  it("lists every request, newest first, without filters", async () => {
    const run = await requests("list");
    const references = run.stdout.split("\n").slice(1).map((line) => line.split(/\s+/)[0]).filter(Boolean);
    expect(references).toEqual(["5102", "5101", "5104", "5103"]);
  });

  it("narrows by department", async () => {
    const run = await requests("list", "--department", "Water and Wastewater", "--format", "json");
    expect((JSON.parse(run.stdout) as ServiceRequest[]).map((item) => item.reference)).toEqual(["5104"]);
  });

  it("gives JSON with the stored fields and, for an open callback, its due time and flag", async () => {
    const run = await requests("list", "--service", "callback", "--status", "open", "--format", "json");
    const listed = JSON.parse(run.stdout) as (ServiceRequest & { dueBy: string; overdue: boolean })[];
    expect(listed.map((item) => [item.reference, item.overdue])).toEqual([
      ["5101", true],
      ["5102", false],
    ]);
    expect(listed[0]).toMatchObject({ service: "callback", callbackNumber: "+14035550101", recordingUrl: expect.stringContaining("RE5101"), dueBy: expect.any(String) });
  });

  it("says so when nothing matches", async () => {
    const run = await requests("list", "--service", "roads");
    expect(run).toMatchObject({ code: 0, stdout: "No requests (for the service roads).\n" });
  });

  it("shows one request with its recording and number", async () => {
    const run = await requests("show", "5101");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Reference\s+5101$/m);
    expect(run.stdout).toMatch(/^Callback number\s+\+14035550101$/m);
    expect(run.stdout).toMatch(/^Recording\s+https:\/\/api\.twilio\.com\/.*RE5101$/m);
    expect(run.stdout).toMatch(/^Due by\s+.* - OVERDUE$/m);
    expect(run.stdout).toContain("No notes yet.");
  });

  describe("close", () => {
    let run: CliResult;
    beforeAll(async () => {
      run = await requests("close", "5101", "--note", "Called back: the bin is picked up Thursday", "--by", "dana");
    });

    it("closes the request and says so", () => {
      expect(run).toMatchObject({ code: 0, stderr: "" });
      expect(run.stdout).toMatch(/^Closed 5101 \(callback, left .*\) as dana: “Called back: the bin is picked up Thursday”\.\n$/);
    });

    it("keeps who closed it and their note", async () => {
      const found = await store.request("5101");
      expect(found!.request).toMatchObject({ status: "closed", closedAt: expect.any(String) });
      expect(found!.notes).toEqual([expect.objectContaining({ author: "dana", kind: "closed", text: "Called back: the bin is picked up Thursday" })]);
    });

    it("takes it off the worklist", async () => {
      const list = await requests("list", "--service", "callback", "--status", "open");
      expect(list.stdout).not.toContain("5101");
    });

    it("shows the note with the request", async () => {
      const shown = await requests("show", "5101");
      expect(shown.stdout).toMatch(/^Status\s+closed$/m);
      expect(shown.stdout).toMatch(/dana\s+closed\s+Called back: the bin is picked up Thursday$/m);
      expect(shown.stdout).not.toContain("Due by");
    });

    it("says a request closed already was, by whom, and changes nothing", async () => {
      const again = await requests("close", "5101", "--note", "Me too");
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/^5101 was closed already on .* by dana \(“Called back: the bin is picked up Thursday”\): nothing was changed\.\n$/);
      expect((await store.request("5101"))!.notes).toHaveLength(1);
    });

    it("refuses an unknown reference with exit code 1", async () => {
      const unknown = await requests("close", "9999", "--note", "Called back");
      expect(unknown).toMatchObject({ code: 1, stdout: "", stderr: "requests: there is no request 9999; see the references with npm run requests -- list\n" });
    });

    it("closes several references with one note, each said, and an unknown one on stderr with exit code 1", async () => {
      // After a drill: the reports it filed, closed at once.
      await store.addRequest(request("5201", now.minus({ hours: 2 }), { service: "water", channel: "after-hours", recordingUrl: null }));
      await store.addRequest(request("5202", now.minus({ hours: 1 }), { service: "water", channel: "after-hours", recordingUrl: null }));
      const run = await requests("close", "5201", "9998", "5202", "--note", "storm drill");
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^Closed 5201 \(water, left .*\) as cli: “storm drill”\.\nClosed 5202 \(water, left .*\) as cli: “storm drill”\.\n2 closed, 1 unknown \(9998\)\.\n$/);
      expect(run.stderr).toBe("requests: there is no request 9998; see the references with npm run requests -- list\n");
      for (const reference of ["5201", "5202"]) expect((await store.request(reference))!.request.status).toBe("closed");
    });

    it("refuses a word of a note left out of its quotes, among references, and closes nothing", async () => {
      const run = await requests("close", "5102", "--note", "Called", "back");
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('unexpected argument "back": close takes references, which are numbers (put a note in quotes)');
      expect((await store.request("5102"))!.request.status).toBe("open");
    });

    it("says to separate references with spaces when they are given with commas, and closes nothing", async () => {
      const run = await requests("close", "5102,", "5104", "--note", "storm drill");
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('unexpected argument "5102,": separate references with spaces, not commas');
      const one = await requests("close", "5102,5104", "--note", "storm drill");
      expect(one.stderr).toContain('unexpected argument "5102,5104": separate references with spaces, not commas');
      expect((await store.request("5102"))!.request.status).toBe("open");
    });

    it("asks for a note saying what was done", async () => {
      const without = await requests("close", "5102");
      expect(without.code).toBe(1);
      expect(without.stderr).toContain('close needs --note saying what was done, e.g. npm run requests -- close 5102 --note "Called back; all sorted"');
      expect((await store.request("5102"))!.request.status).toBe("open");
    });
  });

  it("says which statuses there are when one is mistyped", async () => {
    const run = await requests("list", "--status", "opne");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--status "opne" is not one of open, acknowledged, closed (did you mean "open"?)');
  });

  it("refuses show of an unknown reference with exit code 1", async () => {
    const run = await requests("show", "9999");
    expect(run).toMatchObject({ code: 1, stderr: "requests: there is no request 9999; see the references with npm run requests -- list\n" });
  });
});
