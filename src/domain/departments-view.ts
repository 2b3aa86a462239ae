/**
 * The departments as the console shows them: each department's services said as what they are
 * (an urgent category, an agent queue, voicemails), where its requests go (the endpoint without
 * its query, or nowhere), and how its deliveries stand, with a department whose system keeps
 * failing picked out so a supervisor sees it first.
 */
import type { FlowSet } from "./definitions.js";
import type { Departments } from "./departments.js";
import { loggableEndpoint } from "./open311/delivery.js";
import { CALLBACK_SERVICE } from "./records.js";

/**
 * A department's deliveries as the delivery queue counts them (the adapter's
 * `DepartmentDeliveryState` has this shape): what waits, what failed for good, the last failed
 * try and the last delivery, times in ISO 8601.
 */
export interface DeliveryCounts {
  waiting: number;
  failed: number;
  lastError: { at: string; message: string } | null;
  lastDeliveredAt: string | null;
}

/** Where a service's requests come from. */
export type ServiceKind = "urgent" | "agent-queue" | "voicemails" | "online-only";

export interface ServiceView {
  code: string;
  kind: ServiceKind;
  /** In words: the urgent category's label (`Electric`), `agent queue`, `voicemails`, `online requests only`. */
  what: string;
}

/** How a department's deliveries stand, and whether someone must act. */
export interface DeliveryView {
  /** Scheme, host and path of the endpoint (a query may hold a key); null when requests are kept here only. */
  endpoint: string | null;
  /** Null when this console cannot read the delivery queue: the state is unknown. */
  counts: DeliveryCounts | null;
  /** Its system's last try failed and nothing was delivered since, while deliveries wait: they are being retried. */
  retrying: boolean;
  /** Deliveries that failed for good and will not be tried again: someone must hand them over. */
  failedForGood: number;
}

export interface DepartmentView {
  name: string;
  services: ServiceView[];
  delivery: DeliveryView;
  /** Retrying or failed for good: shown first and in red, with what to do. */
  needsAttention: boolean;
}

export interface DepartmentsView {
  departments: DepartmentView[];
  /**
   * Departments the document no longer names (renamed, removed) whose deliveries still wait or
   * failed: they would be lost from sight otherwise.
   */
  former: { name: string; delivery: DeliveryView; needsAttention: boolean }[];
}

/** Every agent queue a flow puts callers in, the fallback queue included. */
function agentQueues(flows: FlowSet["flows"]): Set<string> {
  const queues = new Set<string>();
  for (const flow of flows.values()) {
    queues.add(flow.fallbackQueue);
    for (const node of Object.values(flow.states)) if (node.type === "enqueue") queues.add(node.queue);
  }
  return queues;
}

/** What a service is, from the live rosters and flows: a service they do not file comes only from the web form (Open311). */
export function serviceView(code: string, set: Pick<FlowSet, "roster" | "flows">, queues = agentQueues(set.flows)): ServiceView {
  if (code === CALLBACK_SERVICE) return { code, kind: "voicemails", what: "voicemails" };
  const category = Object.hasOwn(set.roster.categories, code) ? set.roster.categories[code] : undefined;
  if (category) return { code, kind: "urgent", what: category.label };
  if (queues.has(code)) return { code, kind: "agent-queue", what: "agent queue" };
  return { code, kind: "online-only", what: "online requests only" };
}

/** Whether `at` is after `than` (either may be missing or unreadable: then it is not). */
function later(at: string | undefined, than: string | null): boolean {
  const moment = at ? Date.parse(at) : NaN;
  if (Number.isNaN(moment)) return false;
  const before = than ? Date.parse(than) : NaN;
  return Number.isNaN(before) || moment > before;
}

function deliveryView(endpoint: string | undefined, counts: DeliveryCounts | null): DeliveryView {
  // A failure older than the last delivery was got over; one since, with deliveries waiting, is not.
  const failingSince = counts !== null && counts.lastError !== null && later(counts.lastError.at, counts.lastDeliveredAt);
  return {
    endpoint: endpoint ? loggableEndpoint(endpoint) : null,
    counts,
    retrying: failingSince && counts.waiting > 0,
    failedForGood: counts?.failed ?? 0,
  };
}

const needsAttention = (delivery: DeliveryView) => delivery.retrying || delivery.failedForGood > 0;

/**
 * The departments of `departments` with their services and deliveries.
 *
 * @param deliveries - each department's deliveries by name (`deliveryStatus`); undefined when unknown here
 */
export function departmentsView(departments: Departments, set: Pick<FlowSet, "roster" | "flows">, deliveries: Record<string, DeliveryCounts> | undefined): DepartmentsView {
  const queues = agentQueues(set.flows);
  const countsOf = (name: string): DeliveryCounts | null => (deliveries === undefined ? null : Object.hasOwn(deliveries, name) ? deliveries[name]! : { waiting: 0, failed: 0, lastError: null, lastDeliveredAt: null });
  const listed = departments.departments.map((department): DepartmentView => {
    const delivery = deliveryView(department.endpoint, countsOf(department.name));
    return { name: department.name, services: department.services.map((code) => serviceView(code, set, queues)), delivery, needsAttention: needsAttention(delivery) };
  });
  const names = new Set(departments.departments.map((department) => department.name));
  const former = Object.entries(deliveries ?? {})
    .filter(([name, counts]) => !names.has(name) && (counts.waiting > 0 || counts.failed > 0))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, counts]) => {
      const delivery = deliveryView(undefined, counts);
      return { name, delivery, needsAttention: needsAttention(delivery) };
    });
  return { departments: listed, former };
}
