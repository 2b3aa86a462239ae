/**
 * The supervisors' side of the records in a real browser (Debian's Chromium through
 * playwright-core), on the real line with real Redis and a records database (PostgreSQL and
 * PGlite), under the console's strict Content-Security-Policy: a caller leaves a voicemail through
 * the signed webhooks, the records worker writes it, and it waits on the callback worklist until a
 * supervisor closes it with a note, from the keyboard; the Reports page shows the
 * figures with their definitions and draws its charts; the calls download has no caller's number
 * in full. Each page is kept as a screenshot in test/e2e/screenshots/ to be looked at.
 */
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import type { CallRecord } from "../../src/domain/records.js";
import type { Database } from "../../src/adapters/postgres/database.js";
import { haveChromium, openBrowser, SCREENSHOTS, signInThroughForm, type Browser } from "../helpers/browser.js";
import { DATABASE_KINDS } from "../helpers/database.js";
import { at, TestLine } from "../helpers/line.js";
import { callRecord, instant, voicemailRequest } from "../helpers/records.js";

const haveBrowser = haveChromium("test/e2e/reports.test.ts");

/** A day of calls: busy at 9 and 10, quieter after, a few in the queue, two voicemails. */
function dayOfCalls(date: string): CallRecord[] {
  const calls: CallRecord[] = [];
  const times = ["08:05", "08:40", "09:01", "09:12", "09:30", "09:31", "09:50", "10:02", "10:15", "10:40", "11:20", "13:05", "14:30", "15:55", "17:10", "22:30"];
  times.forEach((time, index) => {
    const start = at(`${date}T${time}`);
    const queued = index % 3 === 1;
    calls.push(
      callRecord({
        callSid: `CA-${date}-${index}`,
        from: `+1403555${String(1000 + index)}`,
        startedAt: start.toUTC().toISO()!,
        durationSeconds: 120,
        afterHours: time >= "16:30",
        outcome: time >= "16:30" ? "urgent-report" : queued ? "queued-to-agent" : index % 5 === 0 ? "abandoned" : "answered-by-ivr",
        queue: queued ? { name: "general", waitSeconds: 20 + index * 5, result: "bridged" } : null,
        category: time >= "16:30" ? "water" : null,
      }),
    );
  });
  return calls;
}

describe.skipIf(!haveBrowser).each(DATABASE_KINDS)("callbacks and reports in a browser, on %s", { timeout: 90_000 }, (kind) => {
  let line: TestLine;
  let db: Database;
  let store: PostgresRecordStore;
  let reference: string;
  let base: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    // Wednesday 2 December 2026, 10:30 in Lethbridge; the line keeps records as npm start does.
    line = await TestLine.start({ console: {}, records: kind, now: at("2026-12-02T10:30") });
    await line.addUser("dana", "supervisor");
    db = line.database!.database;
    store = new PostgresRecordStore(db);
    for (const date of ["2026-11-30", "2026-12-01", "2026-12-02"]) for (const call of dayOfCalls(date)) if (at(call.startedAt) < line.now) await store.addCall(call);
    // Left on Monday afternoon, so overdue since Tuesday's close.
    await store.addRequest(voicemailRequest({ reference: "5120", requestedAt: instant("2026-11-30T15:10"), callbackNumber: "+14035550123", place: "Mayor Magrath Drive & 5 Ave N" }));
    // And one left just now, by a caller through the line: the agents are busy, they take the voicemail.
    const caller = line.caller("+14035550177");
    await caller.dial();
    await caller.press("1");
    await caller.leaveQueue("leave", "95");
    await caller.record("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE5121", "21");
    await caller.hangUp("140");
    await line.recordsWritten();
    reference = (await store.requests({ service: "callback", status: "open" })).find((request) => request.callSid === caller.callSid)!.reference;

    // The console as the line serves it, with the line's Content-Security-Policy.
    base = line.url;

    // A style or script the CSP refuses is reported on the console as an error: kept in problems.
    browser = await openBrowser({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true, problems });
    page = browser.page;
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await line?.close();
  });

  const shot = (name: string) => page.screenshot({ path: `${SCREENSHOTS}/${name}-${kind}.png`, fullPage: true });

  it("signs a supervisor in and shows the callbacks waiting, the overdue one flagged, the numbers in full", async () => {
    await signInThroughForm(page, "dana", /\/console\/callbacks$/, { from: `${base}/console/callbacks` });
    const rows = page.locator("table.callbacks tbody.callback");
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain("+1 403-555-0123");
    expect(await rows.nth(0).textContent()).toContain("Overdue");
    expect(await rows.nth(1).textContent()).toContain("+1 403-555-0177");
    expect(await rows.nth(1).textContent()).toContain(`Ref. ${reference}`);
    expect(await rows.nth(1).textContent()).not.toContain("Overdue");
    expect(await page.getByRole("link", { name: `Listen to the message for ${reference}` }).getAttribute("href")).toBe("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE5121");
    await shot("20-callbacks");
    // On a laptop's narrower screen too: the Close button stays in reach.
    await page.setViewportSize({ width: 1024, height: 800 });
    await shot("20b-callbacks-1024");
    await page.setViewportSize({ width: 1440, height: 1000 });
  });

  it("closes a callback from the keyboard with a note, and it leaves the worklist", async () => {
    const note = page.getByRole("textbox", { name: "What was done" }).first();
    await note.focus();
    await page.keyboard.type("Called back: the streetlight is on the list for Thursday");
    await page.keyboard.press("Tab");
    expect(await page.locator(":focus").getAttribute("aria-label")).toBe("Close callback 5120");
    await page.keyboard.press("Enter");
    await page.waitForURL(/closed=5120/);
    expect(await page.getByRole("status").textContent()).toContain("Callback 5120 is closed.");
    expect(await page.locator("table.callbacks tbody.callback").count()).toBe(1);
    expect(await page.locator("#closed-title + .table-scroll").textContent()).toContain("Called back: the streetlight is on the list for Thursday");
    const kept = await store.request("5120");
    expect(kept!.request.status).toBe("closed");
    expect(kept!.notes[0]).toMatchObject({ author: "dana", kind: "closed" });
    await shot("21-callback-closed");
  });

  it("shows the figures with their definitions, and draws the charts", async () => {
    await page.getByRole("link", { name: "Reports", exact: true }).click();
    await page.waitForURL(/\/console\/reports$/);
    await page.getByLabel("From").fill("2026-11-30");
    await page.getByLabel("To (included)").fill("2026-12-02");
    await page.getByLabel("Figures by").selectOption("day");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/from=2026-11-30/);
    const calls = page.locator("table.figures tr").filter({ has: page.locator("th", { hasText: /^Calls offered$/ }) });
    expect(await calls.locator(".figure-value").textContent()).toBe("42");
    expect(await calls.locator(".definition").textContent()).toContain("Calls that reached the line, whatever happened next");
    await expect.poll(() => page.locator(".chart-box .uplot canvas").count()).toBe(3);
    expect(await page.locator(".chart-box .u-legend").first().textContent()).toContain("Offered");
    expect(await page.locator("table.heatmap .heat-6").count()).toBeGreaterThan(0);
    await shot("22-reports");
    // The long page also in window-sized parts, as a supervisor scrolls through it.
    const height = Number(await page.evaluate("document.documentElement.scrollHeight"));
    for (let part = 0; part * 1000 < height; part++) {
      await page.screenshot({ path: `${SCREENSHOTS}/22-reports-${kind}-part-${part + 1}.png`, fullPage: true, clip: { x: 0, y: part * 1000, width: 1440, height: Math.min(1000, height - part * 1000) } });
    }
    const chart = page.locator("figure.chart").first();
    await chart.screenshot({ path: `${SCREENSHOTS}/23-reports-calls-chart-${kind}.png` });
  });

  it("downloads the calls without any caller's full number", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Calls (CSV)" }).click()]);
    expect(download.suggestedFilename()).toBe("calls-2026-11-30-to-2026-12-02.csv");
    const text = await readFile((await download.path())!, "utf8");
    // The day's seeded calls, the voicemail's call, the header and the last line's end.
    expect(text.split("\r\n").length).toBe(44);
    expect(text).not.toMatch(/4035551\d{3}/);
    expect(text).not.toContain("4035550177");
    expect(text).toContain(",'+*********77,");
    expect(text).toContain(",'+*********00,");
  });

  it("ran without a script error or anything the Content-Security-Policy refused", () => {
    expect(problems).toEqual([]);
  });
});
