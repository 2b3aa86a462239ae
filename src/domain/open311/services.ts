/**
 * The services the line offers through GeoReport v2 (`services.json`): every service code it
 * knows (the urgent categories, the agent queues, callbacks) and every one a department handles,
 * each grouped under its department.
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
    description: "No power, a downed line, sparking or damaged electrical equipment. After hours the on-call electric crew is paged.",
    keywords: ["power", "outage", "electricity", "downed line", "streetlight"],
  },
  water: {
    name: "Water or sewer problem",
    description: "A watermain break, no water, flooding from a hydrant or a sewer backup. After hours the on-call water and sewer crew is paged.",
    keywords: ["water", "watermain", "sewer", "backup", "flooding", "hydrant"],
  },
  roads: {
    name: "Road hazard",
    description: "Something dangerous on a road: a sinkhole, debris, a traffic signal out, a missing sign. After hours the on-call roads crew is paged.",
    keywords: ["roads", "pothole", "sinkhole", "debris", "traffic signal", "sign"],
  },
  [CALLBACK_SERVICE]: {
    name: "Call back",
    description: "A call back from the City's 311 centre (what the line's voicemail promises): leave a phone number and what it is about.",
    keywords: ["callback", "call back", "voicemail", "question"],
  },
};

/** "utility-billing" → "Utility billing". */
function nameFromCode(code: string): string {
  const words = code.replace(/[-_]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The name residents see for a service code. */
export function serviceName(code: string): string {
  return BUILT_IN[code]?.name ?? nameFromCode(code);
}

/** A service's entry for `services.json`. */
export function geoReportService(code: string, departments: Departments): GeoReportService {
  const known = BUILT_IN[code];
  const name = serviceName(code);
  return {
    service_code: code,
    service_name: name,
    description: known?.description ?? `${name}: questions and requests the City's 311 agents for ${name.toLowerCase()} handle.`,
    metadata: false,
    // Every request gets its reference the moment it is filed.
    type: "realtime",
    keywords: (known?.keywords ?? code.split(/[-_]+/)).join(", "),
    group: departmentFor(departments, code)?.name ?? "",
  };
}

/**
 * Every service the line offers: the codes it knows of itself (see {@link serviceCodesOf}) and
 * every service a department handles, once each, by service code.
 */
export function geoReportServices(departments: Departments, knownCodes: Iterable<string>): GeoReportService[] {
  const codes = new Set(knownCodes);
  for (const department of departments.departments) for (const service of department.services) codes.add(service);
  return [...codes].sort().map((code) => geoReportService(code, departments));
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
