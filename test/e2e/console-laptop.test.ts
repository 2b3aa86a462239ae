/**
 * The console on a supervisor's laptop, in a real browser (Debian's Chromium through
 * playwright-core) at 1280 and 1024 pixels wide, under the line's Content-Security-Policy: the
 * navigation stays on one row and every link is reached from the keyboard; the Reports page's
 * year by month draws lines that can be told apart (each its own colour and dash, named in the
 * legend) under month names that do not run into each other; and the callback worklist says what
 * the line really has of a voicemail (the recording, the queue the caller was waiting for), not
 * the line's own words as if the caller had said them. Each view is kept as a screenshot in
 * test/e2e/screenshots/ to be looked at.
 *
 * Only the embedded database: what is drawn here does not depend on where the records are kept
 * (test/e2e/reports.test.ts runs the same pages on both).
 */
import type { DateTime } from "luxon";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import type { CallRecord, ServiceRequest } from "../../src/domain/records.js";
import { haveChromium, openBrowser, SCREENSHOTS, signInThroughForm, type Browser } from "../helpers/browser.js";
import { at, TestLine } from "../helpers/line.js";
import { callRecord, instant, onlineRequest } from "../helpers/records.js";

const WIDTHS = [1280, 1024] as const;
const NAV_LABELS = ["Overview", "Callbacks", "Reports", "Call flows", "Hours", "Emergency message", "On call", "Departments", "Audit log"];
/** An administrator has one link more. */
const ADMIN_NAV_LABELS = [...NAV_LABELS, "Accounts"];

const haveBrowser = haveChromium("test/e2e/console-laptop.test.ts");

/** The agent queues of flows/main.yaml, busiest first. */
const QUEUES = ["general", "utility-billing", "waste-recycling", "roads-transit", "bylaw-parking"];

/**
 * A year of calls, a few a day: more in winter, fewer on weekends. Most are answered by the IVR
 * or an agent; the share of each outcome drifts over the year, so the lines cross and overlap.
 */
function yearOfCalls(until: DateTime): CallRecord[] {
  const calls: CallRecord[] = [];
  for (let day = at("2026-01-01T00:00"); day < until.startOf("day"); day = day.plus({ days: 1 })) {
    const weekend = day.weekday >= 6;
    const winter = day.month <= 3 || day.month >= 11;
    const count = (weekend ? 2 : 6) + (winter ? 3 : 0) + (day.day % 3);
    for (let index = 0; index < count; index++) {
      const start = day.set({ hour: 8 + ((index * 5) % 9), minute: (index * 17) % 60 });
      const turn = (day.ordinal + index) % 10;
      const outcome: CallRecord["outcome"] = turn < 4 ? "answered-by-ivr" : turn < 7 ? "queued-to-agent" : turn < 8 && day.month % 2 === 0 ? "voicemail" : turn < 9 ? "abandoned" : "answered-by-ivr";
      const queued = outcome === "queued-to-agent" || (outcome === "abandoned" && index % 2 === 0);
      calls.push(
        callRecord({
          callSid: `CA-${day.toISODate()}-${index}`,
          from: `+1403555${String(1000 + index)}`,
          startedAt: start.toUTC().toISO()!,
          durationSeconds: 180,
          outcome,
          queue: queued ? { name: QUEUES[(day.ordinal + index) % QUEUES.length]!, waitSeconds: 15 + ((index * 23) % 120), result: outcome === "abandoned" ? "hangup" : "bridged" } : null,
        }),
      );
    }
  }
  return calls;
}

/** A question about an account, filed on the City's web form for an agent queue's service. */
const online = (reference: string, service: string, department: string, requestedAt: string): ServiceRequest =>
  onlineRequest({ reference, service, department, requestedAt: instant(requestedAt), description: "Question about my account" });

describe.skipIf(!haveBrowser)("the console at a laptop's widths", { timeout: 120_000 }, () => {
  let line: TestLine;
  let store: PostgresRecordStore;
  let voicemail: string;
  let base: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    // Wednesday 2 December 2026, 10:30 in Lethbridge; the line keeps records as npm start does.
    line = await TestLine.start({ console: {}, records: "pglite", now: at("2026-12-02T10:30") });
    await line.addUser("dana", "supervisor");
    await line.addUser("ada", "admin");
    store = new PostgresRecordStore(line.database!.database);
    for (const call of yearOfCalls(line.now)) await store.addCall(call);
    await store.addRequest(online("6001", "utility-billing", "Utility Billing", "2026-11-03T09:00"));
    await store.addRequest(online("6002", "roads-transit", "Transportation / Public Works", "2026-11-10T09:00"));
    await store.addRequest(online("6003", "general", "311 Customer Service", "2026-11-12T09:00"));
    // A caller waits for utility billing, gives up waiting and leaves a voicemail.
    const caller = line.caller("+14035550177");
    await caller.dial();
    await caller.press("1");
    await caller.leaveQueue("leave", "95");
    await caller.record("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE7121", "21");
    await caller.hangUp("140");
    await line.recordsWritten();
    voicemail = (await store.requests({ service: "callback", status: "open" })).find((request) => request.callSid === caller.callSid)!.reference;

    // The console as the line serves it, with the line's Content-Security-Policy.
    base = line.url;

    // A style or script the CSP refuses is reported on the console as an error: kept in problems.
    browser = await openBrowser({ viewport: { width: 1280, height: 900 }, problems });
    page = browser.page;
    await signInThroughForm(page, "dana", /\/console\/reports$/, { from: `${base}/console/reports` });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await line?.close();
  });

  /** The year so far by month, as the Reports page's "This year" link asks for it. */
  async function thisYear(width: number): Promise<void> {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${base}/console/reports`);
    await page.getByRole("link", { name: "This year" }).click();
    await page.waitForURL(/by=month/);
    await page.locator(".chart-box .uplot canvas").nth(2).waitFor();
  }

  describe.each(WIDTHS)("%i pixels wide", (width) => {
    describe("the navigation", () => {
      beforeAll(async () => {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${base}/console/callbacks`);
        await page.locator("header.top").screenshot({ path: `${SCREENSHOTS}/40-header-${width}.png` });
      });

      it("keeps its links, and their labels", async () => {
        const links = page.getByRole("navigation", { name: "Console" }).getByRole("link");
        expect(await links.allTextContents()).toEqual(NAV_LABELS);
      });

      it("lays every link on one row, inside the window", async () => {
        const boxes = await page.getByRole("navigation", { name: "Console" }).getByRole("link").evaluateAll((links) =>
          links.map((link) => {
            const box = link.getBoundingClientRect();
            return { top: Math.round(box.top), right: box.right };
          }),
        );
        expect(new Set(boxes.map((box) => box.top)).size).toBe(1);
        expect(Math.max(...boxes.map((box) => box.right))).toBeLessThanOrEqual(width);
      });

      it("reaches each link from the keyboard, in order, where it can be seen", async () => {
        await page.locator("body").focus();
        await page.keyboard.press("Tab"); // the skip link
        await page.keyboard.press("Tab"); // the City's name, home
        const reached: string[] = [];
        for (const label of NAV_LABELS) {
          await page.keyboard.press("Tab");
          const focused = page.locator(":focus");
          reached.push((await focused.textContent()) ?? "");
          const box = (await focused.boundingBox())!;
          expect(box.x, label).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width, label).toBeLessThanOrEqual(width);
        }
        expect(reached).toEqual(NAV_LABELS);
      });
    });

    describe("the Reports page's year by month", () => {
      beforeAll(async () => {
        await thisYear(width);
        await page.screenshot({ path: `${SCREENSHOTS}/41-reports-year-${width}.png`, fullPage: true });
        await page.locator("figure.chart").first().screenshot({ path: `${SCREENSHOTS}/42-reports-year-calls-chart-${width}.png` });
        await page.locator("figure.chart").nth(2).screenshot({ path: `${SCREENSHOTS}/43-reports-year-requests-chart-${width}.png` });
        await page.locator('section[aria-labelledby="queues-title"]').screenshot({ path: `${SCREENSHOTS}/45-reports-year-queues-${width}.png` });
      });

      it("names each line in the legend, each with its own colour and dash", async () => {
        // Each legend row: its name, and how its marker (a piece of its line) is drawn.
        const markers = (await page.evaluate(`[...document.querySelector("figure.chart .u-legend").querySelectorAll(".u-series")]
          .filter((row) => row.querySelector(".u-marker") && row.querySelector(".u-label").textContent.trim() !== "")
          .map((row) => {
            const marker = getComputedStyle(row.querySelector(".u-marker"));
            return { label: row.querySelector(".u-label").textContent, image: marker.backgroundImage, colour: marker.backgroundColor };
          })`)) as { label: string; image: string; colour: string }[];
        expect(markers.map((marker) => marker.label)).toEqual(["Offered", "Answered without further action", "Abandoned (queue and IVR)", "Voicemail"]);
        // The first is solid (its colour); the others dashed, each its own way (a gradient of its colour and gaps).
        expect(markers[0]).toMatchObject({ image: "none", colour: "rgb(11, 79, 138)" });
        expect(markers.slice(1).map((marker) => marker.image)).toEqual([
          expect.stringMatching(/^repeating-linear-gradient\(to right, rgb\(29, 107, 53\) 0px, rgb\(29, 107, 53\) 10px, rgba\(0, 0, 0, 0\) 10px, rgba\(0, 0, 0, 0\) 15px\)$/),
          expect.stringContaining("rgb(162, 34, 27)"),
          expect.stringContaining("rgb(179, 107, 0)"),
        ]);
        expect(new Set(markers.map((marker) => marker.image)).size).toBe(4);
      });

      it("labels the months with their short names, the year where it starts", async () => {
        const spec = JSON.parse((await page.locator(".chart-box").first().getAttribute("data-chart"))!) as { ticks: string[]; labels: string[] };
        expect(spec.labels[0]).toBe("January 2026");
        // December is cut short by today: named by its days.
        expect(spec.ticks).toEqual(["Jan 2026", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "1–2 Dec"]);
      });
    });

    describe("the callback worklist", () => {
      beforeAll(async () => {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${base}/console/callbacks`);
        await page.screenshot({ path: `${SCREENSHOTS}/44-callbacks-${width}.png`, fullPage: true });
      });

      it("offers the caller's message to listen to, and says which queue they gave up on", async () => {
        const row = page.locator(`#callback-${voicemail}`);
        expect(await page.getByRole("link", { name: `Listen to the message for ${voicemail}` }).getAttribute("href")).toBe("https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE7121");
        // By the name supervisors know it by: the line's console has the definitions' names.
        expect(await row.textContent()).toContain("Left while waiting for Utility Billing");
      });

      it("does not put the line's own words in the caller's mouth", async () => {
        expect(await page.locator("table.callbacks thead").textContent()).not.toContain("What they said");
        expect(await page.locator(`#callback-${voicemail}`).textContent()).not.toContain("call back.");
      });
    });
  });

  it("lays an administrator's navigation, one link longer, on one row at 1024 pixels too", async () => {
    await page.setViewportSize({ width: 1024, height: 900 });
    await page.getByRole("button", { name: "Sign out" }).click();
    await signInThroughForm(page, "ada", /\/console$/);
    const links = page.getByRole("navigation", { name: "Console" }).getByRole("link");
    expect(await links.allTextContents()).toEqual(ADMIN_NAV_LABELS);
    const boxes = await links.evaluateAll((all) => all.map((link) => link.getBoundingClientRect()).map((box) => ({ top: Math.round(box.top), right: box.right })));
    expect(new Set(boxes.map((box) => box.top)).size).toBe(1);
    expect(Math.max(...boxes.map((box) => box.right))).toBeLessThanOrEqual(1024);
    await page.locator("header.top").screenshot({ path: `${SCREENSHOTS}/40-header-admin-1024.png` });
  });

  it("ran without a script error or anything the Content-Security-Policy refused", () => {
    expect(problems).toEqual([]);
  });
});
