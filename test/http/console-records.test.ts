/**
 * The console's records pages over real HTTP, on the real line with real Redis and a records
 * database (PostgreSQL and PGlite): the callback worklist (oldest first, the number in full, the
 * overdue flagged, what residents said escaped, closed with a note by supervisors only and with the
 * CSRF token, and in the audit log), the Reports page (each figure beside its definition, the charts' numbers, the
 * heatmap) and its CSV downloads (callers' numbers masked, GeoReport's bulk columns, formulas
 * neutralised). (The browser's side is test/e2e/reports.test.ts.)
 */
import { randomBytes } from "node:crypto";
import type { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BullRecordKeeper, createRecordsQueue } from "../../src/adapters/bullmq/record-queue.js";
import { callsStartedBetween } from "../../src/adapters/postgres/call-export.js";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import { computeReport } from "../../src/adapters/postgres/report-queries.js";
import type { CallRecord, ServiceRequest } from "../../src/domain/records.js";
import { FIGURE_DEFINITIONS } from "../../src/domain/reports/definitions.js";
import { readRecordsBacklog } from "../../src/operations/line-figures.js";
import { escapeHtml } from "../../src/http/console/html.js";
import { consoleOf, getPage, postForm, serveConsole, signIn as signInAt, type ServedConsole, type Session } from "../helpers/console.js";
import { DATABASE_KINDS, testDatabase, type TestDatabase } from "../helpers/database.js";
import { at, TestLine } from "../helpers/line.js";
import { callRecord, instant, voicemailRequest } from "../helpers/records.js";

const SETTINGS = { serviceLevelSeconds: 60, shortAbandonSeconds: 10 };
const RESIDENT_PLACE = `<script>alert("x")</script> 3 Ave S`;
const RESIDENT_TEXT = `<img src=x onerror=alert(1)> my bin was missed`;

/** A voicemail for the 311 Contact Centre, left at a Lethbridge time, to be called back at +1 403-555-0101. */
const request = (reference: string, requestedAt: string, changes: Partial<ServiceRequest> = {}): ServiceRequest =>
  voicemailRequest({ reference, requestedAt: instant(requestedAt), department: "311 Contact Centre", callbackNumber: "+14035550101", ...changes });

/** A call of a minute from +1 403-555-0199, started at a Lethbridge time, in which the IVR told the hours. */
const call = (callSid: string, startedAt: string, changes: Partial<CallRecord> = {}): CallRecord =>
  callRecord({ callSid, startedAt: instant(startedAt), durationSeconds: 60, from: "+14035550199", outcome: "answered-by-ivr", path: ["greeting", "menu", "hours-info"], ...changes });

describe.each(DATABASE_KINDS)("the console's records pages on %s", { timeout: 60_000 }, (kind) => {
  let line: TestLine;
  let db: TestDatabase;
  let store: PostgresRecordStore;
  /** The console with the records; and without them, as when the line keeps none. */
  let withRecords: ServedConsole;
  let withoutRecords: ServedConsole;
  let base: string;
  let bareBase: string;

  beforeAll(async () => {
    // Wednesday 2 December 2026, 10:00 in Lethbridge.
    line = await TestLine.start({ console: {}, now: at("2026-12-02T10:00") });
    await line.addUser("sam", "supervisor");
    await line.addUser("vera", "viewer");
    db = await testDatabase(kind);
    store = new PostgresRecordStore(db.database);

    // Left on Monday morning: due by Tuesday's close, so overdue now.
    await store.addRequest(request("7001", "2026-11-30T10:00", { place: RESIDENT_PLACE, description: RESIDENT_TEXT, callbackNumber: "+14035550101" }));
    // Left this morning: due by Thursday's close. Its recording is not a web address.
    await store.addRequest(request("7002", "2026-12-02T09:00", { callbackNumber: "+14035550102", recordingUrl: "javascript:alert(1)" }));
    await store.addRequest(request("7003", "2026-12-01T08:30", { callbackNumber: "+14035550103" }));
    await store.changeStatus("7003", { status: "closed", at: at("2026-12-01T11:00").toUTC().toISO()!, by: "dana", note: "Called back: pickup is Thursday" });
    await store.addRequest(
      request("7004", "2026-12-01T22:00", {
        service: "water",
        department: "Water and Wastewater",
        channel: "after-hours",
        source: "ivr",
        status: "acknowledged",
        statusDescription: "-5 degrees: a crew thaws the pipe",
        place: '=HYPERLINK("https://evil.example","click")',
        callbackNumber: "+14035550104",
        recordingUrl: null,
      }),
    );
    // Monday 09:00-09:59 is the busiest hour: three calls.
    await store.addCall(call("CA01", "2026-11-30T09:05"));
    await store.addCall(call("CA02", "2026-11-30T09:20", { outcome: "queued-to-agent", queue: { name: "general", waitSeconds: 30, result: "bridged" } }));
    await store.addCall(call("CA03", "2026-11-30T09:40", { outcome: "abandoned", queue: { name: "general", waitSeconds: 90, result: "hangup" } }));
    await store.addCall(call("CA04", "2026-11-30T10:00", { outcome: "voicemail", reference: "7001" }));
    await store.addCall(call("CA05", "2026-12-01T22:00", { afterHours: true, outcome: "urgent-report", reference: "7004", category: "water" }));

    withRecords = await serveConsole(
      consoleOf(line, {
        records: store,
        reports: (asked) => computeReport(db.database, { ...asked, hours: line.live!.current().hours, settings: SETTINGS, now: line.now }),
        callExport: (range) => callsStartedBetween(db.database, range),
      }),
    );
    withoutRecords = await serveConsole(consoleOf(line));
    base = withRecords.url;
    bareBase = withoutRecords.url;
  }, 60_000);

  afterAll(async () => {
    await withRecords?.close();
    await withoutRecords?.close();
    await line?.close();
    await db?.close();
  });

  const get = (path: string, session?: Session, from = base) => getPage(`${from}${path}`, session);
  const post = (path: string, fields: Record<string, string>, session?: Session) => postForm(`${base}${path}`, fields, session);
  const signIn = (username: string, from = base): Promise<Session> => signInAt(from, username);

  /** The rows of the worklist for a reference. */
  function row(body: string, reference: string): string {
    return new RegExp(`<tbody[^>]*id="callback-${reference}"[\\s\\S]*?</tbody>`).exec(body)?.[0] ?? "";
  }

  /** The part of the page under a heading (up to the next section). */
  function section(body: string, id: string): string {
    return new RegExp(`<h2 id="${id}"[\\s\\S]*?</section>`).exec(body)?.[0] ?? "";
  }

  describe("the navigation", () => {
    it("links to Callbacks and Reports on every page", async () => {
      const { body } = await get("/console", await signIn("vera"));
      expect(body).toContain('<a href="/console/callbacks">Callbacks</a>');
      expect(body).toContain('<a href="/console/reports">Reports</a>');
    });
  });

  describe("while calls and voicemails wait in Redis for the database", () => {
    let waiting: ServedConsole;
    let queue: Queue;
    let supervisor: Session;
    beforeAll(async () => {
      // The line's records queue with nobody writing it: what the web role handed over stays there.
      queue = createRecordsQueue(line.redis, { queueName: `records-console-${randomBytes(4).toString("hex")}` });
      const keeper = new BullRecordKeeper(queue);
      await keeper.keep({ type: "call-ended", call: call("CA90", "2026-12-02T09:50", { outcome: "voicemail", reference: "7090" }) });
      await keeper.keep({ type: "call-ended", call: call("CA91", "2026-12-02T09:55") });
      waiting = await serveConsole(
        consoleOf(line, {
          records: store,
          reports: (asked) => computeReport(db.database, { ...asked, hours: line.live!.current().hours, settings: SETTINGS, now: line.now }),
          recordsBacklog: () => readRecordsBacklog(queue),
        }),
      );
      supervisor = await signIn("sam", waiting.url);
    });
    afterAll(async () => {
      await waiting?.close();
      await queue?.obliterate({ force: true });
      await queue?.close();
    });

    it("the worklist says two are not in the records yet, so an empty list is not taken for none waiting", async () => {
      const { body } = await get("/console/callbacks", supervisor, waiting.url);
      expect(body).toContain("<strong>2 calls or voicemails are not in the records yet:</strong> the line has not written them yet. What is below may be missing them, voicemails waiting for a call back among them.");
    });

    it("the reports say the figures may be short", async () => {
      const { body } = await get("/console/reports?from=2026-12-02&to=2026-12-02", supervisor, waiting.url);
      expect(body).toContain("<strong>2 calls or voicemails are not in the records yet:</strong>");
    });

    it("a console whose records are all written says nothing of the kind", async () => {
      const written = await serveConsole(consoleOf(line, { records: store, recordsBacklog: async () => ({ waiting: 0, retrying: 0, failed: 0 }) }));
      try {
        expect((await get("/console/callbacks", await signIn("sam", written.url), written.url)).body).not.toContain("not in the records yet");
      } finally {
        await written.close();
      }
    });
  });

  describe("the callback worklist", () => {
    let supervisor: Session;
    let page: string;
    beforeAll(async () => {
      supervisor = await signIn("sam");
      page = (await get("/console/callbacks", supervisor)).body;
    });

    it("sends someone not signed in to the sign-in page", async () => {
      const answer = await get("/console/callbacks");
      expect(answer.status).toBe(303);
      expect(answer.headers.get("location")).toBe("/console/sign-in?next=%2Fconsole%2Fcallbacks");
    });

    it("lists the open callbacks, oldest first, and nothing else", () => {
      const waiting = section(page, "waiting-title");
      expect([...waiting.matchAll(/id="callback-(\d+)"/g)].map((match) => match[1])).toEqual(["7001", "7002"]);
    });

    it("shows the number to call in full, as a link that dials it", () => {
      expect(row(page, "7001")).toContain('<a class="phone-number" href="tel:+14035550101">+1 403-555-0101</a>');
    });

    it("flags the callback older than one business day, and says since when it was due", () => {
      expect(row(page, "7001")).toMatch(/<tbody class="callback overdue"/);
      expect(row(page, "7001")).toContain("Overdue</span> <span class=\"muted\">since Tue 1 Dec 2026, 16:30");
      expect(row(page, "7002")).not.toContain("Overdue");
      expect(row(page, "7002")).toContain("due by Thu 3 Dec 2026, 16:30");
      expect(page).toContain("2 callbacks are waiting, <strong class=\"overdue-text\">1 overdue</strong>");
    });

    it("says how long each has waited", () => {
      expect(row(page, "7001")).toContain("2 days ago");
      expect(row(page, "7002")).toContain("1 hour ago");
    });

    it("links the recording, and only when it is a web address", () => {
      expect(row(page, "7001")).toContain('href="https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE7001" target="_blank" rel="noopener noreferrer">Listen');
      expect(row(page, "7002")).not.toContain("javascript:");
    });

    it("escapes what the resident said", () => {
      expect(row(page, "7001")).toContain(escapeHtml(RESIDENT_PLACE));
      expect(row(page, "7001")).toContain(escapeHtml(RESIDENT_TEXT));
      expect(page).not.toContain("<script>alert");
      expect(page).not.toContain("<img src=x");
    });

    it("gives supervisors a labelled note and a Close button for each", () => {
      expect(row(page, "7001")).toMatch(
        /<form method="post" action="\/console\/callbacks\/7001\/close" class="close-callback">\s*<input type="hidden" name="_csrf" value="[^"]+">\s*<label for="note-7001">What was done<span class="visually-hidden"> for callback 7001<\/span><\/label>\s*<input id="note-7001" name="note" type="text" required/,
      );
      expect(row(page, "7001")).toContain('<button type="submit" aria-label="Close callback 7001">Close</button>');
    });

    it("lists the callbacks closed lately, with who closed them and their note", () => {
      const closed = section(page, "closed-title");
      expect(closed).toContain("Ref. 7003");
      expect(closed).toContain("<td>dana</td>");
      expect(closed).toContain("Called back: pickup is Thursday");
    });
  });

  describe("a viewer", () => {
    it("sees the worklist, the numbers included, but no Close button", async () => {
      const { status, body } = await get("/console/callbacks", await signIn("vera"));
      expect(status).toBe(200);
      expect(row(body, "7001")).toContain("+1 403-555-0101");
      expect(body).not.toContain('action="/console/callbacks/7001/close"');
      expect(body).toContain("Supervisors close callbacks once they have called back.");
    });

    it("cannot close a callback by posting the form anyway", async () => {
      const viewer = await signIn("vera");
      const answer = await post("/console/callbacks/7002/close", { _csrf: viewer.csrf, note: "Called back" }, viewer);
      expect(answer.status).toBe(403);
      expect((await store.request("7002"))!.request.status).toBe("open");
    });
  });

  describe("closing a callback", () => {
    let supervisor: Session;
    beforeAll(async () => {
      supervisor = await signIn("sam");
    });

    it("is refused without the page's CSRF token, and nothing changes", async () => {
      const answer = await post("/console/callbacks/7002/close", { note: "Called back" }, supervisor);
      expect(answer.status).toBe(403);
      expect(answer.body).toContain("CSRF token is missing");
      const wrong = await post("/console/callbacks/7002/close", { _csrf: "not-the-token", note: "Called back" }, supervisor);
      expect(wrong.status).toBe(403);
      expect((await store.request("7002"))!.request.status).toBe("open");
    });

    it("asks for a note saying what was done, and closes nothing without one", async () => {
      const answer = await post("/console/callbacks/7002/close", { _csrf: supervisor.csrf, note: "   " }, supervisor);
      expect(answer.status).toBe(400);
      expect(answer.body).toContain("Callback 7002 was not closed: say in a few words what was done");
      expect((await store.request("7002"))!.request.status).toBe("open");
    });

    describe("with a note", () => {
      let answer: Awaited<ReturnType<typeof post>>;
      beforeAll(async () => {
        answer = await post("/console/callbacks/7001/close", { _csrf: supervisor.csrf, note: "Called back: <b>crew</b> booked for Thursday" }, supervisor);
      });

      it("closes it and goes back to the worklist, which says so", async () => {
        expect(answer.status).toBe(303);
        expect(answer.headers.get("location")).toBe("/console/callbacks?closed=7001");
        const { body } = await get(answer.headers.get("location")!, supervisor);
        expect(body).toContain("Callback 7001 is closed. Your note is kept with it.");
        expect([...section(body, "waiting-title").matchAll(/id="callback-(\d+)"/g)].map((match) => match[1])).toEqual(["7002"]);
      });

      it("writes the close through the records with the username and the note", async () => {
        const found = await store.request("7001");
        expect(found!.request).toMatchObject({ status: "closed", closedAt: line.now.toUTC().toISO() });
        expect(found!.notes).toEqual([{ at: line.now.toUTC().toISO(), author: "sam", kind: "closed", text: "Called back: <b>crew</b> booked for Thursday" }]);
      });

      it("puts the close in the audit log: who, the request, and the note", async () => {
        expect(await line.audit!.entries({ document: "request:7001" })).toEqual([
          expect.objectContaining({ at: line.now.toUTC().toISO(), user: "sam", action: "request-closed", document: "request:7001", message: "Called back: <b>crew</b> booked for Thursday" }),
        ]);
      });

      it("shows the close on the audit page, the note escaped", async () => {
        const { body } = await get("/console/audit?document=request%3A7001", supervisor);
        expect(body).toMatch(/<td>sam<\/td>\s*<td>Closed a request<\/td>\s*<td>request:7001<\/td>/);
        expect(body).toContain("Called back: &lt;b&gt;crew&lt;/b&gt; booked for Thursday");
      });

      it("shows the note, escaped, among the closed ones", async () => {
        const closed = section((await get("/console/callbacks", supervisor)).body, "closed-title");
        expect(closed).toContain("Called back: &lt;b&gt;crew&lt;/b&gt; booked for Thursday");
        expect(closed).toContain("<td>sam</td>");
      });

      it("says, when it is closed again, who closed it, and changes nothing", async () => {
        const again = await post("/console/callbacks/7001/close", { _csrf: supervisor.csrf, note: "Me too" }, supervisor);
        expect(again.status).toBe(409);
        expect(again.body).toContain("Callback 7001 was closed already by sam on Wed 2 Dec 2026, 10:00");
        expect((await store.request("7001"))!.notes).toHaveLength(1);
        expect(await line.audit!.entries({ document: "request:7001" })).toHaveLength(1);
      });
    });

    it("says there is no such callback for an unknown reference, or one that is not a callback", async () => {
      const unknown = await post("/console/callbacks/9999/close", { _csrf: supervisor.csrf, note: "Called back" }, supervisor);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toContain("There is no callback 9999.");
      const urgent = await post("/console/callbacks/7004/close", { _csrf: supervisor.csrf, note: "Called back" }, supervisor);
      expect(urgent.status).toBe(404);
      expect((await store.request("7004"))!.request.status).toBe("acknowledged");
    });
  });

  describe("the Reports page", () => {
    let page: string;
    beforeAll(async () => {
      page = (await get("/console/reports?from=2026-11-30&to=2026-12-02&by=day", await signIn("vera"))).body;
    });

    it("opens on the last seven days by day, with the period's form labelled", async () => {
      const { status, body } = await get("/console/reports", await signIn("vera"));
      expect(status).toBe(200);
      expect(body).toMatch(/<label for="from">From<\/label>\s*<input id="from" name="from" type="date" value="2026-11-26" required>/);
      expect(body).toMatch(/<label for="to">To \(included\)<\/label>\s*<input id="to" name="to" type="date" value="2026-12-02" required>/);
      expect(body).toContain('<option value="day" selected>Day</option>');
      expect(body).toContain("Thu 26 Nov 2026 to Wed 2 Dec 2026, by day");
    });

    it("shows each figure beside its definition", () => {
      for (const key of ["calls.offered", "calls.answeredWithoutFurtherAction", "requests.created", "callbacks.overdue", "urgent.medianTimeToAcknowledgeSeconds"] as const) {
        const figure = FIGURE_DEFINITIONS[key];
        expect(page).toMatch(new RegExp(`<th scope="row">${figure.label}</th>\\s*<td class="num figure-value">[^<]+</td>\\s*<td class="definition">${escapeRegExp(escapeHtml(figure.definition.replaceAll("{shortAbandonSeconds}", "10 s (SHORT_ABANDON_SECONDS)")))}</td>`));
      }
    });

    it("counts the period's calls and requests", () => {
      expect(page).toMatch(/<th scope="row">Calls offered<\/th>\s*<td class="num figure-value">5<\/td>/);
      expect(page).toMatch(/<th scope="row">Voicemail<\/th>\s*<td class="num figure-value">1<\/td>/);
      expect(page).toMatch(/<th scope="row">Requests made<\/th>\s*<td class="num figure-value">4<\/td>/);
      expect(page).toMatch(/<p class="tile-value">5<\/p>\s*<h2 class="tile-label">Calls<\/h2>/);
    });

    it("carries each chart's numbers for the script, and in a table for everyone", () => {
      const chart = /data-chart="([^"]+)"/.exec(page)![1]!;
      const spec = JSON.parse(chart.replaceAll("&quot;", '"')) as { title: string; labels: string[]; series: { label: string; values: number[] }[] };
      expect(spec).toMatchObject({ title: "Calls", labels: ["Mon 30 Nov", "Tue 1 Dec", "Wed 2 Dec"] });
      expect(spec.series[0]).toEqual({ label: "Offered", values: [4, 1, 0] });
      expect(page).toContain("<summary>The chart's numbers</summary>");
      expect(page).toMatch(/<tr><th scope="row">Mon 30 Nov<\/th><td class="num">4<\/td>/);
    });

    it("shades the busiest hour darkest in the weekday × hour table, with the number in the cell", () => {
      const monday = /<tr><th scope="row">Monday<\/th>([\s\S]*?)<\/tr>/.exec(section(page, "heatmap-title"))![1]!;
      const cells = [...monday.matchAll(/<td class="([^"]+)">(.*?)<\/td>/g)].map((match) => [match[1], match[2]]);
      expect(cells).toHaveLength(25);
      // Which column is the report's to say (in the database's zone rules); the page shades it and writes the number.
      const busiest = cells.findIndex(([kind]) => kind === "num heat heat-6");
      expect(cells[busiest]).toEqual(["num heat heat-6", "3"]);
      expect(cells[busiest + 1]).toEqual(["num heat heat-2", "1"]);
      expect(cells[busiest - 1]).toEqual(["num heat heat-0", '<span class="visually-hidden">0</span>']);
      expect(cells[24]).toEqual(["num", "4"]);
    });

    it("sums up the open callbacks and links to the worklist", () => {
      expect(section(page, "callbacks-title")).toContain('<a href="/console/callbacks">Go to the callback worklist</a>');
    });

    it("links the three downloads for the period", () => {
      expect(page).toContain('<a href="/console/reports/calls.csv?from=2026-11-30&amp;to=2026-12-02" download>Calls (CSV)</a>');
      expect(page).toContain('<a href="/console/reports/requests.csv?from=2026-11-30&amp;to=2026-12-02" download>Service requests (CSV)</a>');
      expect(page).toContain('<a href="/console/reports/figures.csv?from=2026-11-30&amp;to=2026-12-02&amp;by=day" download>These figures (CSV)</a>');
    });

    it("says what is wrong with a period that cannot be, and shows no figures", async () => {
      const { status, body } = await get("/console/reports?from=2026-12-05&to=2026-12-01", await signIn("vera"));
      expect(status).toBe(400);
      expect(body).toContain("Pick the period again: to (2026-12-01) is before from (2026-12-05)");
      expect(body).not.toContain("Calls offered");
    });
  });

  describe("the downloads", () => {
    let viewer: Session;
    beforeAll(async () => {
      viewer = await signIn("vera");
    });

    describe("calls", () => {
      let answer: Awaited<ReturnType<typeof get>>;
      beforeAll(async () => {
        answer = await get("/console/reports/calls.csv?from=2026-11-30&to=2026-12-02", viewer);
      });

      it("is a CSV file to save, named for the period", () => {
        expect(answer.status).toBe(200);
        expect(answer.headers.get("content-type")).toBe("text/csv; charset=utf-8");
        expect(answer.headers.get("content-disposition")).toBe("attachment; filename=calls-2026-11-30-to-2026-12-02.csv");
      });

      it("has a header and one row per call, oldest first, in City time", () => {
        const lines = answer.body.split("\r\n");
        expect(lines[0]).toBe("call_sid,started_at,ended_at,duration_seconds,after_hours,outcome,status,from_masked,to,queue,queue_wait_seconds,queue_result,path,flow,flow_version,reference,category");
        expect(lines.slice(1, -1).map((text) => text.split(",")[0])).toEqual(["CA01", "CA02", "CA03", "CA04", "CA05"]);
        expect(lines[2]).toBe("CA02,2026-11-30T09:20:00-07:00,2026-11-30T09:21:00-07:00,60,false,queued-to-agent,completed,'+*********99,'+14035550311,general,30,bridged,greeting > menu > hours-info,main,1,,");
      });

      it("never holds a caller's full number, and the masked one cannot start a formula", () => {
        expect(answer.body).not.toContain("4035550199");
        expect(answer.body).toContain(",'+*********99,");
      });
    });

    describe("requests", () => {
      let answer: Awaited<ReturnType<typeof get>>;
      beforeAll(async () => {
        answer = await get("/console/reports/requests.csv?from=2026-11-30&to=2026-12-02", viewer);
      });

      it("has GeoReport's bulk columns", () => {
        expect(answer.headers.get("content-disposition")).toBe("attachment; filename=requests-2026-11-30-to-2026-12-02.csv");
        expect(answer.body.split("\r\n")[0]).toBe("service_request_id,requested_datetime,updated_datetime,closed_date,status,status_description,service_code,service_name,agency_responsible,address,source");
      });

      it("has one row per request made in the period, oldest first, in GeoReport's statuses", () => {
        const rows = answer.body.split("\r\n").slice(1, -1);
        expect(rows.map((text) => text.split(",")[0])).toEqual(["7001", "7003", "7004", "7002"]);
        expect(rows[1]).toBe("7003,2026-12-01T08:30:00-07:00,2026-12-01T11:00:00-07:00,2026-12-01T11:00:00-07:00,closed,,callback,Call back,311 Contact Centre,,phone");
      });

      it("keeps text that would start a formula as text", () => {
        const water = answer.body.split("\r\n").find((text) => text.startsWith("7004,"))!;
        expect(water).toBe(
          `7004,2026-12-01T22:00:00-07:00,2026-12-01T22:00:00-07:00,,open,'-5 degrees: a crew thaws the pipe,water,Water or sewer problem,Water and Wastewater,"'=HYPERLINK(""https://evil.example"",""click"")",after-hours`,
        );
      });

      it("holds no callback number and no recording", () => {
        expect(answer.body).not.toMatch(/555010\d/);
        expect(answer.body).not.toContain("Recordings");
      });
    });

    it("gives the figures as CSV, one per row", async () => {
      const answer = await get("/console/reports/figures.csv?from=2026-11-30&to=2026-12-02&by=day", viewer);
      expect(answer.status).toBe(200);
      expect(answer.body.split("\r\n")[0]).toBe("scope,from,to,figure,breakdown,value");
      expect(answer.body).toContain("period,2026-11-30,2026-12-02,calls.offered,,5\r\n");
    });

    it("refuses a period that cannot be, in words", async () => {
      const answer = await get("/console/reports/calls.csv?from=2026-12-05&to=2026-12-01", viewer);
      expect(answer.status).toBe(400);
      expect(answer.body).toContain("Pick the period again");
    });
  });

  describe("without a records database", () => {
    it("says so on the Callbacks page", async () => {
      const { status, body } = await get("/console/callbacks", await signIn("vera", bareBase), bareBase);
      expect(status).toBe(200);
      expect(body).toContain("The records database is not connected to this console");
    });

    it("says so on the Reports page, and keeps the period's form", async () => {
      const { body } = await get("/console/reports", await signIn("vera", bareBase), bareBase);
      expect(body).toContain("The records database is not connected to this console");
      expect(body).toContain('<label for="from">From</label>');
    });

    it("answers a download with what is missing", async () => {
      const answer = await get("/console/reports/calls.csv?from=2026-11-30&to=2026-12-02", await signIn("vera", bareBase), bareBase);
      expect(answer.status).toBe(503);
      expect(answer.body).toContain("The records database is not connected to this console");
    });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
