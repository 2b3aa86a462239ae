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
} as const;

export const PageJobData = z.object({ reference: z.string().regex(/^\d{4,12}$/), step: z.number().int().min(0) });
export type PageJob = z.infer<typeof PageJobData>;

export const IncidentJobData = z.object({ reference: z.string().regex(/^\d{4,12}$/) });
export type IncidentJob = z.infer<typeof IncidentJobData>;

export const pageJobId = (reference: string, step: number) => `page-${reference}-${step}`;
export const moreReportsJobId = (reference: string, window: number) => `more-${reference}-${window}`;
export const notifyResidentsJobId = (reference: string) => `residents-${reference}`;

/** Adds jobs to the dispatch queue: the worker's and the web role's narrow view of BullMQ. */
export interface JobScheduler {
  add(name: string, data: object, options: { jobId: string; delay?: number }): Promise<void>;
}
