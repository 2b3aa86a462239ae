import type { UrgentReport } from "../report.js";

/** Where an incident stands: paged and waiting, taken by someone, or fixed. */
export type IncidentStatus = "open" | "acknowledged" | "resolved";

/**
 * Who one step of the chain paged, worked out from the roster when the step ran and kept with the
 * incident: a retried step pages the same person, and a keypress on the voice page (which names
 * the step) says who takes the incident.
 */
export interface PlannedStep {
  /** The step's number in the chain (see `chainStep`); steps that paged nobody are not kept. */
  index: number;
  round: number;
  role: "primary" | "backup" | "supervisor";
  memberId: string;
  name: string;
  phone: string;
  channels: ("sms" | "voice")[];
  waitMs: number;
}

/** Something that happened to an incident, in order: the record the City keeps. */
export interface IncidentEvent {
  at: string;
  /** `skipped`: a page or update waiting its turn under the sending limits was dropped, the incident having been taken or fixed meanwhile. */
  kind: "paged" | "bad-number" | "page-failed" | "acknowledged" | "resolved" | "update" | "alarm" | "resident-notified" | "skipped";
  step?: number;
  name?: string;
  phone?: string;
  channel?: "sms" | "voice";
  detail?: string;
}

/**
 * One problem in one place, with every report of it. The first report's reference is the
 * incident's reference; later reports of the same place join it instead of paging again.
 */
export interface Incident {
  reference: string;
  category: string;
  place: string;
  status: IncidentStatus;
  createdAt: string;
  reports: UrgentReport[];
  /** Who each step of the chain paged so far, in step order. */
  plan: PlannedStep[];
  events: IncidentEvent[];
  acknowledgedBy?: string;
  /** The number of whoever acknowledged it: only they (or a supervisor) may mark it fixed. */
  acknowledgedByPhone?: string;
  acknowledgedAt?: string;
  resolvedBy?: string;
  resolvedAt?: string;
}
