/**
 * `GET /reports?from=yyyy-MM-dd&to=yyyy-MM-dd[&by=day|week|month][&format=json|csv]`: the City's
 * figures for the console's Reports page and the City's own systems. Mounted inside the `/api`
 * router, after its sign-in and role checks (viewers may read reports); it checks nothing of
 * who is asking itself.
 */
import { Router } from "express";
import { parseReportRequest, ReportRequestError, reportCsv, type Report, type ReportRequest } from "../domain/reports/index.js";

export interface ReportRouteDependencies {
  /** The City's figures for a period (`cityReports` over the records database). */
  report: (request: ReportRequest) => Promise<Report>;
}

const FORMATS = ["json", "csv"] as const;

/** The report route; a bad query is answered 400 with `{ error }` naming every problem. */
export function reportRoutes(deps: ReportRouteDependencies): Router {
  const router = Router();

  router.get("/reports", async (req, res) => {
    const format = req.query.format ?? "json";
    let request;
    try {
      if (!FORMATS.includes(format as (typeof FORMATS)[number])) throw new ReportRequestError(`format "${String(format).slice(0, 40)}" must be json or csv`);
      request = parseReportRequest({ from: req.query.from, to: req.query.to, by: req.query.by });
    } catch (error) {
      if (error instanceof ReportRequestError) return void res.status(400).json({ error: error.message });
      throw error;
    }
    const report = await deps.report(request);
    // Computed from the records as they are now: a cached copy would be stale by the next call.
    res.set("Cache-Control", "no-store");
    if (format === "csv") {
      res.type("text/csv; charset=utf-8").attachment(`civic-line-report-${request.from}-to-${request.to}.csv`).send(reportCsv(report));
      return;
    }
    res.json(report);
  });

  return router;
}
