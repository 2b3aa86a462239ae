/**
 * GET /reports, on a bare express app (the lead mounts it inside /api, behind sign-in), over
 * real HTTP, against both databases.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type ErrorRequestHandler } from "express";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresRecordStore } from "../../src/adapters/postgres/record-store.js";
import { cityReports } from "../../src/adapters/postgres/report-queries.js";
import type { Report } from "../../src/domain/reports/index.js";
import { reportRoutes, type ReportRouteDependencies } from "../../src/http/report-routes.js";
import { lethbridgeHours } from "../fixtures/hours/load.js";
import { DATABASE_KINDS, testDatabase, type TestDatabase } from "../helpers/database.js";
import { callRecord } from "../helpers/records.js";

const hours = lethbridgeHours();
const settings = { serviceLevelSeconds: 60, shortAbandonSeconds: 10 };
const clock = () => DateTime.fromISO("2026-12-10T12:00", { zone: hours.zone });

async function serve(report: ReportRouteDependencies["report"]): Promise<{ url: string; server: Server }> {
  const failed: ErrorRequestHandler = (error: Error, _req, res, _next) => void res.status(500).json({ error: `handed on: ${error.message}` });
  const app = express().use(reportRoutes({ report })).use(failed);
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe.each(DATABASE_KINDS)("GET /reports on %s", (kind) => {
  let db: TestDatabase;
  let url: string;
  let server: Server;

  beforeAll(async () => {
    db = await testDatabase(kind);
    // Tuesday 8 December, 09:15 in Lethbridge: three minutes with the IVR.
    await new PostgresRecordStore(db.database).addCall(callRecord({ callSid: "CA1", startedAt: "2026-12-08T16:15:00.000Z", durationSeconds: 180, outcome: "answered-by-ivr" }));
    ({ url, server } = await serve(cityReports(db.database, { hours: () => hours, settings, clock })));
  }, 60_000);
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await db.close();
  });

  describe("a good query", () => {
    it("answers the report as JSON, in the hours' zone", async () => {
      const response = await fetch(`${url}/reports?from=2026-12-07&to=2026-12-09&by=day`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const report = (await response.json()) as Report;
      expect(report.period).toMatchObject({ from: "2026-12-07", to: "2026-12-09", by: "day", zone: "America/Edmonton" });
      expect(report.intervals.map((interval) => interval.calls.offered)).toEqual([0, 1, 0]);
      expect(report.headline).toMatchObject({ calls: 1, answeredWithoutFurtherAction: 1, answeredWithoutFurtherActionShare: 1 });
      expect(report.settings).toEqual(settings);
      expect(report.generatedAt).toBe("2026-12-10T12:00:00.000-07:00");
    });

    it("is not kept by caches: the figures change with every call", async () => {
      const response = await fetch(`${url}/reports?from=2026-12-08&to=2026-12-08`);
      expect(response.headers.get("cache-control")).toBe("no-store");
    });

    it("cuts the period by day, week or month as it is long when by is left out", async () => {
      const response = await fetch(`${url}/reports?from=2026-01-01&to=2026-12-31`);
      const report = (await response.json()) as Report;
      expect(report.period.by).toBe("month");
      expect(report.intervals).toHaveLength(12);
    });

    it("answers CSV to download with format=csv", async () => {
      const response = await fetch(`${url}/reports?from=2026-12-08&to=2026-12-08&format=csv`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(response.headers.get("content-disposition")).toBe("attachment; filename=civic-line-report-2026-12-08-to-2026-12-08.csv");
      const lines = (await response.text()).split("\r\n");
      expect(lines[0]).toBe("scope,from,to,figure,breakdown,value");
      expect(lines).toContain("period,2026-12-08,2026-12-08,calls.offered,,1");
    });
  });

  describe("a bad query", () => {
    const refused = async (query: string) => {
      const response = await fetch(`${url}/reports${query}`);
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      return ((await response.json()) as { error: string }).error;
    };

    it("names the dates it needs", async () => {
      expect(await refused("")).toBe(
        "from is required: a date written yyyy-MM-dd, e.g. 2026-12-01; to is required: a date written yyyy-MM-dd, e.g. 2026-12-01",
      );
    });

    it("refuses a date that is not one", async () => {
      expect(await refused("?from=2026-12-32&to=2026-12-31")).toBe('from "2026-12-32" is not a date: write it as yyyy-MM-dd, e.g. 2026-12-01');
    });

    it("refuses a last day before the first", async () => {
      expect(await refused("?from=2026-12-31&to=2026-12-01")).toMatch(/^to \(2026-12-01\) is before from \(2026-12-31\)/);
    });

    it("refuses an interval it does not know", async () => {
      expect(await refused("?from=2026-12-01&to=2026-12-31&by=fortnight")).toBe('by "fortnight" must be day, week or month');
    });

    it("refuses a date given twice", async () => {
      expect(await refused("?from=2026-12-01&from=2026-12-02&to=2026-12-31")).toBe("from must be a date written yyyy-MM-dd");
    });

    it("refuses a format it does not know", async () => {
      expect(await refused("?from=2026-12-01&to=2026-12-31&format=xlsx")).toBe('format "xlsx" must be json or csv');
    });

    it("echoes nothing a caller typed into the page at length", async () => {
      expect((await refused(`?from=${"9".repeat(500)}&to=2026-12-31`)).length).toBeLessThan(120);
    });
  });
});

describe("GET /reports when the records cannot be read", () => {
  it("hands the error on to the router's error handler (the API's answers 500 and logs it)", async () => {
    const { url, server } = await serve(async () => {
      throw new Error("the records database does not answer");
    });
    try {
      const response = await fetch(`${url}/reports?from=2026-12-08&to=2026-12-08`);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: "handed on: the records database does not answer" });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
