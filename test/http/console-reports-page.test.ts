/**
 * The Reports page as a supervisor reads it, rendered from a report of real records (PGlite): the
 * agent queues, services and urgent categories by the names supervisors know them by (the
 * department's for a queue it answers), each with its code; and each chart's x axis given short
 * names for its intervals (`Jan 2026`, `Feb`...), the whole ones kept for the legend and the table.
 * The drawing itself is test/e2e/console-laptop.test.ts.
 */
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFlowSet } from "../../src/adapters/files/flow-source.js";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import { computeReport } from "../../src/adapters/postgres/report-queries.js";
import type { FlowSet } from "../../src/domain/definitions.js";
import type { CallRecord } from "../../src/domain/records.js";
import { serviceNamesOf } from "../../src/domain/service-names.js";
import type { ChartSpec } from "../../src/http/console/chart-spec.js";
import type { PageContext } from "../../src/http/console/layout.js";
import { intervalTicks, reportsPage } from "../../src/http/console/pages/reports.js";
import { testDatabase, type TestDatabase } from "../helpers/database.js";
import { at } from "../helpers/line.js";
import { callRecord, instant, onlineRequest, serviceRequest } from "../helpers/records.js";

const ZONE = "America/Edmonton";
const CONTEXT: PageContext = { username: "vera", role: "viewer", csrfToken: "token", assets: undefined, zone: ZONE };
const SETTINGS = { serviceLevelSeconds: 60, shortAbandonSeconds: 10 };

/** A call of four minutes that an agent of `queue` answered after half a minute. */
const queuedCall = (callSid: string, startedAt: string, queue: string): CallRecord =>
  callRecord({ callSid, startedAt: instant(startedAt), durationSeconds: 240, outcome: "queued-to-agent", queue: { name: queue, waitSeconds: 30, result: "bridged" } });

/** The row of a table that a cell headed `name` starts. */
function rowOf(section: string, name: string): string {
  const start = section.indexOf(`<tr><th scope="row">${name}`);
  expect(start, name).toBeGreaterThan(-1);
  return section.slice(start, section.indexOf("</tr>", start));
}

function sectionOf(page: string, titleId: string): string {
  const start = page.indexOf(`aria-labelledby="${titleId}"`);
  return page.slice(start, page.indexOf("</section>", start));
}

function charts(page: string): ChartSpec[] {
  return [...page.matchAll(/data-chart="([^"]+)"/g)].map((match) => JSON.parse(match[1]!.replaceAll("&quot;", '"').replaceAll("&amp;", "&")) as ChartSpec);
}

describe("the Reports page", () => {
  let db: TestDatabase;
  let definitions: FlowSet;
  const reportOf = (from: string, to: string, by: "day" | "week" | "month") =>
    computeReport(db.database, { from, to, by, hours: definitions.hours, settings: SETTINGS, now: at("2026-12-02T10:30") });
  const render = async (from: string, to: string, by: "day" | "week" | "month", named = true) =>
    reportsPage(CONTEXT, { asked: { from, to, by }, report: await reportOf(from, to, by), today: at("2026-12-02T10:30"), ...(named ? { serviceNames: serviceNamesOf(definitions) } : {}) });

  beforeAll(async () => {
    definitions = await loadFlowSet("flows");
    db = await testDatabase("pglite");
    const store = new PostgresRecordStore(db.database);
    await store.addCall(queuedCall("CA01", "2026-11-30T09:05", "utility-billing"));
    await store.addCall(queuedCall("CA02", "2026-11-30T09:20", "roads-transit"));
    await store.addCall(queuedCall("CA03", "2026-12-01T09:40", "general"));
    await store.addRequest(onlineRequest({ reference: "9001", service: "utility-billing", department: "Utility Billing", requestedAt: instant("2026-11-30T10:00") }));
    await store.addRequest(
      serviceRequest({ reference: "9002", service: "water", department: "Water and Wastewater", channel: "after-hours", requestedAt: instant("2026-12-01T22:00"), place: "3 Ave S at 13 St", incident: "9002" }),
    );
    await store.openIncident({ reference: "9002", category: "water", openedAt: at("2026-12-01T22:00").toUTC().toISO()! });
  }, 60_000);
  afterAll(() => db?.close());

  describe("names", () => {
    let page: string;
    beforeAll(async () => {
      page = await render("2026-11-30", "2026-12-02", "day");
    });

    it("names each agent queue by the department that answers it, with its code under the name", () => {
      const queues = sectionOf(page, "queues-title");
      expect(rowOf(queues, "Utility Billing")).toContain('Utility Billing <span class="service-code">(utility-billing)</span></th>');
      expect(rowOf(queues, "Transportation / Public Works")).toContain('<span class="service-code">(roads-transit)</span>');
      expect(rowOf(queues, "311 Customer Service")).toContain('<span class="service-code">(general)</span>');
      expect(queues).not.toContain('<th scope="row">utility-billing');
    });

    it("names the services requests were made for, and the urgent categories, the same way", () => {
      const requests = sectionOf(page, "requests-title");
      expect(requests).toContain('<tr><th scope="row">Utility Billing <span class="service-code">(utility-billing)</span></th><td class="num">1</td></tr>');
      expect(requests).toContain('<tr><th scope="row">Water or sewer problem <span class="service-code">(water)</span></th><td class="num">1</td></tr>');
      expect(rowOf(sectionOf(page, "urgent-title"), "Water or sewer problem")).toContain("(water)");
    });

    it("puts the codes in words when the page is not given the definitions' names", async () => {
      const bare = await render("2026-11-30", "2026-12-02", "day", false);
      expect(rowOf(sectionOf(bare, "queues-title"), "Roads transit")).toContain("(roads-transit)");
    });
  });

  describe("the charts' x axis", () => {
    it("names a year's months short, with the year where it starts, the month cut short by its days", async () => {
      const [calls] = charts(await render("2026-01-01", "2026-12-02", "month"));
      expect(calls!.labels).toEqual([
        "January 2026",
        "February 2026",
        "March 2026",
        "April 2026",
        "May 2026",
        "June 2026",
        "July 2026",
        "August 2026",
        "September 2026",
        "October 2026",
        "November 2026",
        "1–2 Dec",
      ]);
      expect(calls!.ticks).toEqual(["Jan 2026", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "1–2 Dec"]);
    });

    it("says the year again where a new one starts", () => {
      const months = ["2025-11-01", "2025-12-01", "2026-01-01", "2026-02-01"].map((from) => {
        const start = DateTime.fromISO(from);
        return { from, to: start.endOf("month").toISODate()! };
      });
      expect(intervalTicks(months, "month")).toEqual(["Nov 2025", "Dec", "Jan 2026", "Feb"]);
    });

    it("names days by weekday and date, the month where it starts or changes", async () => {
      const [calls] = charts(await render("2026-11-29", "2026-12-02", "day"));
      expect(calls!.labels).toEqual(["Sun 29 Nov", "Mon 30 Nov", "Tue 1 Dec", "Wed 2 Dec"]);
      expect(calls!.ticks).toEqual(["Sun 29 Nov", "Mon 30", "Tue 1 Dec", "Wed 2"]);
    });

    it("names weeks by their first day", async () => {
      const [calls] = charts(await render("2026-11-16", "2026-12-02", "week"));
      expect(calls!.labels).toEqual(["16–22 Nov", "23–29 Nov", "30 Nov – 2 Dec"]);
      expect(calls!.ticks).toEqual(["16 Nov", "23 Nov", "30 Nov"]);
    });
  });
});
