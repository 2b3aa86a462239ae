/**
 * The services the line offers through GeoReport v2 (`services.json`): every service code it
 * knows (the urgent categories, the agent queues, callbacks) and every one a department handles,
 * each grouped under its department. An urgent category filed online pages nobody (only the
 * phone line pages the crew on call), and its description says so before anyone relies on it.
 */
import type { FlowSet } from "../definitions.js";
import { departmentFor, type Departments } from "../departments.js";
import { CALLBACK_SERVICE } from "../records.js";

/**
 * GeoReport's `type` is about when the request's id comes back, not how fast the work is done:
 * `realtime` means at once, `batch` a token now and the id later, `blackbox` never.
 */
export type ServiceType = "realtime" | "batch" | "blackbox";

/** One entry of `services.json`, in the spec's field names. */
export interface GeoReportService {
  service_code: string;
  service_name: string;
  description: string;
  /** Whether `services/{code}.json` lists attributes to fill in; the line asks for none. */
  metadata: boolean;
  type: ServiceType;
  /** Comma-separated, as the spec has it. */
  keywords: string;
  /** The department that handles it ("" when none does yet). */
  group: string;
}

/** What people are told about the services the line itself defines; others are named from their code. */
const BUILT_IN: Record<string, { name: string; description: string; keywords: string[] }> = {
  power: {
    name: "Power outage or electrical hazard",
    description: "No power, a downed line, sparking or damaged electrical equipment.",
    keywords: ["power", "outage", "electricity", "downed line", "streetlight"],
  },
  water: {
    name: "Water or sewer problem",
    description: "A watermain break, no water, flooding from a hydrant or a sewer backup.",
    keywords: ["water", "watermain", "sewer", "backup", "flooding", "hydrant"],
  },
  roads: {
    name: "Road hazard",
    description: "Something dangerous on a road: a sinkhole, debris, a traffic signal out, a missing sign.",
    keywords: ["roads", "pothole", "sinkhole", "debris", "traffic signal", "sign"],
  },
  [CALLBACK_SERVICE]: {
    name: "Call back",
    description: "A call back from the City's 311 centre (what the line's voicemail promises): leave a phone number and what it is about.",
    keywords: ["callback", "call back", "voicemail", "question"],
  },
};

/**
 * The urgent categories of the City's own definitions, for a caller of {@link geoReportServices}
 * that has none to hand (see {@link urgentCodesOf}).
 */
export const DEFAULT_URGENT_SERVICES: readonly string[] = ["power", "roads", "water"];

/**
 * What a resident filing an urgent category online must know: the report is kept and passed on,
 * and pages nobody. The phone line pages the crew on call; a web form does not (yet), so an
 * outage or a hazard happening now must be phoned in.
 */
export const ONLINE_URGENT_WARNING =
  "A report made here does NOT page the on-call crew. If it is happening now (an outage, a break, a hazard), phone 311, day or night; if anyone's life is in danger, phone 911.";

/** Where an online request goes, in words: its department('s system), or the 311 centre when no department has it. */
function keptFor(department: string | null, sent: boolean): string {
  if (!department) return "kept for the City's 311 centre";
  return sent ? `kept and sent to ${department}` : `kept for ${department}`;
}

/**
 * The `service_notice` a resident is given on filing a request online: who has it and, for an
 * urgent category, that it pages nobody and what to do instead.
 *
 * @param filed.sent - the request was queued for the department's system
 * @example postedNotice({ department: "Water and Wastewater", sent: true, urgent: true })
 * // "Your report is kept and sent to Water and Wastewater. A report made here does NOT page ..."
 */
export function postedNotice(filed: { department: string | null; sent: boolean; urgent: boolean }): string {
  const kept = `Your ${filed.urgent ? "report" : "request"} is ${keptFor(filed.department, filed.sent)}.`;
  return filed.urgent ? `${kept} ${ONLINE_URGENT_WARNING}` : kept;
}

/** "utility-billing" → "Utility billing". */
function nameFromCode(code: string): string {
  const words = code.replace(/[-_]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The name residents see for a service code. */
export function serviceName(code: string): string {
  return BUILT_IN[code]?.name ?? nameFromCode(code);
}

/**
 * A service's entry for `services.json`. An urgent one's description says that a report made
 * online is kept and passed on but pages nobody, and to phone 311 (or 911) instead.
 */
export function geoReportService(code: string, departments: Departments, urgent = false, name = serviceName(code)): GeoReportService {
  const known = BUILT_IN[code];
  const department = departmentFor(departments, code);
  const about = known?.description ?? `Questions and requests for ${name}, answered by the City's 311 agents.`;
  return {
    service_code: code,
    service_name: name,
    description: urgent ? `${about} Reported online, it is ${keptFor(department?.name ?? null, department?.endpoint !== undefined)}. ${ONLINE_URGENT_WARNING}` : about,
    metadata: false,
    // Every request gets its reference the moment it is filed.
    type: "realtime",
    keywords: (known?.keywords ?? code.split(/[-_]+/)).join(", "),
    group: department?.name ?? "",
  };
}

/**
 * Every service the line offers: the codes it knows of itself (see {@link serviceCodesOf}) and
 * every service a department handles, once each, by service code.
 *
 * @param urgentCodes - the urgent categories (see {@link urgentCodesOf}), described as paging nobody when filed online
 * @param names - each service's name as supervisors know it (`serviceNamesOf`); the code in words by default
 */
export function geoReportServices(
  departments: Departments,
  knownCodes: Iterable<string>,
  urgentCodes: Iterable<string> = DEFAULT_URGENT_SERVICES,
  names: (code: string) => string = serviceName,
): GeoReportService[] {
  const codes = new Set(knownCodes);
  const urgent = new Set(urgentCodes);
  for (const department of departments.departments) for (const service of department.services) codes.add(service);
  return [...codes].sort().map((code) => geoReportService(code, departments, urgent.has(code), names(code)));
}

/**
 * The urgent categories of the live definitions: the roster's, and any a flow dispatches. On the
 * phone line each pages the crew on call; online, none does.
 */
export function urgentCodesOf(set: Pick<FlowSet, "flows" | "roster">): string[] {
  const codes = new Set<string>(Object.keys(set.roster.categories));
  for (const flow of set.flows.values()) {
    for (const node of Object.values(flow.states)) {
      if (node.type === "dispatch" && node.category) codes.add(node.category);
      if (node.type === "menu") for (const choice of node.choices) if (choice.set?.category) codes.add(choice.set.category);
    }
  }
  return [...codes].sort();
}

/**
 * The service codes the live definitions give requests: the urgent categories (the roster's and
 * any a flow files), every agent queue a flow sends callers to, and `callback` for voicemails.
 */
export function serviceCodesOf(set: Pick<FlowSet, "flows" | "roster">): string[] {
  const codes = new Set<string>([...Object.keys(set.roster.categories), CALLBACK_SERVICE]);
  for (const flow of set.flows.values()) {
    codes.add(flow.fallbackQueue);
    for (const node of Object.values(flow.states)) {
      if (node.type === "enqueue") codes.add(node.queue);
      if (node.type === "dispatch" && node.category) codes.add(node.category);
      if (node.type === "menu") for (const choice of node.choices) if (choice.set?.category) codes.add(choice.set.category);
    }
  }
  return [...codes].sort();
}
