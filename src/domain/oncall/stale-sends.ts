/**
 * Which sends waiting their turn under the sending limits are dropped when it comes, because the
 * incident they are about moved on meanwhile. Pure: the send workers ask {@link whyStale} with the
 * incident as Redis has it when a send's turn comes.
 *
 * - An **escalation** (a later step of the chain, or the alarm's page to a supervisor) is dropped
 *   once the incident has been taken or marked fixed: a crew member half awake must not be phoned
 *   for an incident a colleague already took, nor the one who took it phoned again.
 * - **"N more reports"** is dropped once the incident is fixed, or taken by someone other than the
 *   person it was written to: the one who took it hears the count instead.
 * - The **first page** of an incident is dropped only once it is marked fixed (a supervisor closed
 *   it while the page waited behind a storm's): nobody is phoned at 2 a.m. for a fixed incident.
 *   Taken, it still goes: it is how the crew hears of it at all.
 * - Everything else always goes: "taken by" notices, residents' texts, the supervisors' alarm for
 *   a report nobody was paged for, a roster change's texts.
 *
 * An incident that cannot be found (or read) drops nothing: a page is never withheld on a doubt.
 */
import type { Incident } from "./incident.js";
import type { Channel } from "./roster/index.js";

/** The sends a taken or fixed incident can make pointless. */
export const DROPPABLE_KINDS = ["first-page", "escalation", "more-reports"] as const;
export type DroppableKind = (typeof DROPPABLE_KINDS)[number];

/** Set on a send that {@link whyStale} may drop when its turn comes: what it is and which incident it is about. */
export interface Droppable {
  /** The incident's reference. */
  incident: string;
  kind: DroppableKind;
  /** The step of the chain it pages, for the incident's record. */
  step?: number;
  /** Whom it pages, for the incident's record. */
  name?: string;
}

/** What of the incident decides: where it stands and who took it. */
export type IncidentStanding = Pick<Incident, "reference" | "status" | "acknowledgedBy" | "acknowledgedByPhone">;

/**
 * Why a send of `kind` to `to` is no longer worth sending, given the incident as it is now; or
 * undefined when it still goes.
 *
 * @example
 * whyStale("escalation", "+14035550112", { reference: "100123", status: "acknowledged", acknowledgedBy: "Lee Chen" });
 * // "#100123 was taken by Lee Chen"
 * whyStale("more-reports", "+14035550113", { reference: "100123", status: "acknowledged", acknowledgedBy: "Lee Chen", acknowledgedByPhone: "+14035550113" });
 * // undefined: Lee took it and hears the count
 */
export function whyStale(kind: DroppableKind, to: string, incident: IncidentStanding | null): string | undefined {
  if (!incident) return undefined;
  const { reference, status } = incident;
  if (status === "resolved") return `#${reference} was marked fixed`;
  if (status !== "acknowledged" || kind === "first-page") return undefined;
  const by = incident.acknowledgedBy || "someone";
  if (kind === "escalation") return `#${reference} was taken by ${by}`;
  // Incidents taken before the holder's number was kept know the holder by name only: the count
  // then goes where it was written to.
  if (incident.acknowledgedByPhone === undefined || incident.acknowledgedByPhone === to) return undefined;
  return `#${reference} was taken by ${by}, who is told the count instead`;
}

/** One send whose turn has come, as the send queue sees it. */
export interface ScreenedSend {
  to: string;
  channel: Channel;
  droppable: Droppable;
}

/**
 * Asked by the send workers when a droppable send's turn comes: a reason not to send it (having
 * recorded the skip), or undefined to send it. Never throws: a doubt sends.
 */
export type SendScreen = (send: ScreenedSend) => Promise<string | undefined>;
