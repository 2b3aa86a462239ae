import type { UrgentReport } from "../report.js";

/** Where an incident stands: paged and waiting, taken by someone, or fixed. */
export type IncidentStatus = "open" | "acknowledged" | "resolved";

/** Who a page step reaches; kept with the incident so the chain does not change under it. */
export interface PlannedStep {
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
  kind: "paged" | "bad-number" | "page-failed" | "acknowledged" | "resolved" | "update" | "alarm" | "resident-notified";
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
  plan: PlannedStep[];
  events: IncidentEvent[];
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  resolvedBy?: string;
  resolvedAt?: string;
}
