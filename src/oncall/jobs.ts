import { z } from "zod";

/**
 * The jobs on the `oncall-dispatch` queue besides the urgent reports themselves, and their ids.
 * Ids are derived from the incident and the step, so adding a job twice adds it once and a
 * retried job never pages twice for the same step. BullMQ ids may not contain `:`.
 */
export const JOBS = {
  /** An urgent report from the line (added by the web role). */
  report: "urgent-report",
  /** One step of an incident's escalation: page someone, then schedule the next step. */
  page: "page",
  /** "N more reports" to whoever holds an incident; at most one per window. */
  moreReports: "more-reports",
  /** The reporting residents hear that a crew has their report. */
  notifyResidents: "notify-residents",
  /** The others paged for an incident hear who took it, so nobody else drives out. */
  notifyTaken: "notify-taken",
  /** A report's own job failed for good: the supervisors hear what was reported. */
  reportAlarm: "report-alarm",
} as const;

export const PageJobData = z.object({ reference: z.string().regex(/^\d{4,12}$/), step: z.number().int().min(0) });
export type PageJob = z.infer<typeof PageJobData>;

export const IncidentJobData = z.object({ reference: z.string().regex(/^\d{4,12}$/) });
export type IncidentJob = z.infer<typeof IncidentJobData>;

/**
 * Whatever could be read of a report whose job failed for good: the job's data may be the very
 * reason it failed, so every field is optional and a malformed one is dropped, not fatal.
 */
export const UnhandledReportData = z.object({
  reference: z.string().regex(/^\d{4,12}$/).optional().catch(undefined),
  category: z.string().max(100).optional().catch(undefined),
  location: z.string().max(2_000).optional().catch(undefined),
  locationConfirmed: z.boolean().optional().catch(undefined),
  recordingUrl: z.url().optional().catch(undefined),
  callbackNumber: z.string().regex(/^\+[1-9]\d{7,14}$/).nullable().optional().catch(undefined),
  receivedAt: z.iso.datetime({ offset: true }).optional().catch(undefined),
});

/** The alarm for a failed report job; `key` is that job's id, which the alarm's marks are kept under. */
export const ReportAlarmJobData = z.object({ report: UnhandledReportData, reason: z.string(), key: z.string().min(1) });
export type ReportAlarmJob = z.infer<typeof ReportAlarmJobData>;

/** What can be read of a report job's data, whatever shape it has. */
export function readUnhandledReport(data: unknown): z.infer<typeof UnhandledReportData> {
  const parsed = UnhandledReportData.safeParse(typeof data === "object" && data !== null ? data : {});
  return parsed.success ? parsed.data : {};
}

export const pageJobId = (reference: string, step: number) => `page-${reference}-${step}`;
export const moreReportsJobId = (reference: string, window: number) => `more-${reference}-${window}`;
export const notifyResidentsJobId = (reference: string) => `residents-${reference}`;
export const notifyTakenJobId = (reference: string) => `taken-${reference}`;
/** From the failed report job's own id (derived from the CallSid), so the alarm is raised once per report. */
export const reportAlarmJobId = (reportJobId: string) => `alarm-${reportJobId.replace(/[^A-Za-z0-9_-]/g, "_")}`;

/** Adds jobs to the dispatch queue: the worker's and the web role's narrow view of BullMQ. */
export interface JobScheduler {
  add(name: string, data: object, options: { jobId: string; delay?: number }): Promise<void>;
}
