import { LineCounter, parseDocument } from "yaml";
import { checkDispatchCategories, filedCategories } from "./flow/categories.js";
import { parseFlow } from "./flow/parse.js";
import { NO_DEPARTMENTS, type Departments } from "./departments.js";
import { filedServices, unhandledServiceWarnings } from "./departments-check.js";
import { parseDepartments } from "./departments-parse.js";
import type { Flow } from "./flow/schema.js";
import { parseHours, type Hours } from "./hours/index.js";
import { parseRoster, type Roster } from "./oncall/roster/index.js";
import type { DocumentKind } from "./ports.js";
import { DefinitionError, isError, type Problem } from "./validation.js";

/** The flow every call starts in. */
export const MAIN_FLOW = "main";

/** The names the hours, the rosters and the departments are published under: each is one document. */
export const HOURS_DOCUMENT = "hours";
export const ONCALL_DOCUMENT = "oncall";
export const DEPARTMENTS_DOCUMENT = "departments";

/** Which version of each document a set was built from; 0 for files never published. */
export interface DefinitionVersions {
  flows: ReadonlyMap<string, number>;
  hours: number;
  oncall: number;
  /** 0 also when there is no departments document at all. */
  departments: number;
}

/** Everything a supervisor defines (the call flows, the hours, the rosters, the departments), checked and ready to serve. */
export interface FlowSet {
  flows: ReadonlyMap<string, Flow>;
  main: Flow;
  hours: Hours;
  roster: Roster;
  /** Who handles each service's requests; {@link NO_DEPARTMENTS} when there is no departments document. */
  departments: Departments;
  warnings: Problem[];
  versions: DefinitionVersions;
}

/** The YAML sources of a whole set of definitions, with the version each came from. */
export interface DefinitionSources {
  flows: ReadonlyMap<string, { source: string; version: number }>;
  hours: { source: string; version: number } | null;
  oncall: { source: string; version: number } | null;
  /**
   * Optional, unlike the others: a line first started before departments existed has none
   * published, and keeps starting; its requests are kept without a department.
   */
  departments: { source: string; version: number } | null;
}

/** How a document is named to the supervisor in problems: `flows/main.yaml`, `hours.yaml`. */
export type DocumentLabel = (kind: DocumentKind, name: string) => string;

/** The file a document is kept in, in `flows/` and in exports. */
export function documentFile(kind: DocumentKind, name: string): string {
  return kind === "flow" ? `${name}.yaml` : `${kind}.yaml`;
}

export interface CheckedDefinitions {
  /** The set, when nothing stops it from serving. */
  set?: FlowSet;
  /** Everything that stops it, in every document at once. */
  errors: Problem[];
  warnings: Problem[];
}

/**
 * Checks a whole set of definitions, each document on its own and then against the others: every
 * category a flow can file has a crew, every crew can be reached by some flow (a warning), every
 * service the line files requests for has a department when there are departments (a warning),
 * and a main flow exists. The one check every way in uses: files, the console, `flows -- import`.
 */
export function checkDefinitions(sources: DefinitionSources, label: DocumentLabel = documentFile): CheckedDefinitions {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const parse = <T>(kind: DocumentKind, name: string, read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof DefinitionError)) throw error;
      errors.push(...error.problems);
      return undefined;
    }
  };
  const missing = (kind: DocumentKind, name: string, hint: string): undefined => {
    errors.push({ file: label(kind, name), path: "", message: "missing", hint });
    return undefined;
  };

  const hours = sources.hours
    ? parse("hours", HOURS_DOCUMENT, () => parseHours(sources.hours!.source, label("hours", HOURS_DOCUMENT)))
    : missing("hours", HOURS_DOCUMENT, "the line needs its hours");
  const roster = sources.oncall
    ? parse("oncall", ONCALL_DOCUMENT, () => parseRoster(sources.oncall!.source, label("oncall", ONCALL_DOCUMENT)))
    : missing("oncall", ONCALL_DOCUMENT, "the trouble line needs its on-call rosters");
  // No departments document is no departments, not a problem: it came after the others.
  const departments = sources.departments
    ? parse("departments", DEPARTMENTS_DOCUMENT, () => parseDepartments(sources.departments!.source, label("departments", DEPARTMENTS_DOCUMENT)))
    : NO_DEPARTMENTS;

  const flows = new Map<string, Flow>();
  for (const [name, { source, version }] of [...sources.flows].sort(([a], [b]) => a.localeCompare(b))) {
    const parsed = parse("flow", name, () => parseFlow(name, source, label("flow", name)));
    if (!parsed) continue;
    flows.set(name, version > 0 ? { ...parsed.flow, version } : parsed.flow);
    warnings.push(...parsed.warnings);
  }
  if (!sources.flows.has(MAIN_FLOW)) missing("flow", MAIN_FLOW, "every call starts in the main flow");

  if (roster) {
    const categories = Object.keys(roster.categories);
    for (const [name, flow] of flows) errors.push(...checkDispatchCategories(label("flow", name), flow, categories));
    // Checked only when every flow could be read: an unreadable flow may be the one that reaches it.
    if (flows.size === sources.flows.size) {
      const filed = new Set([...flows.values()].flatMap((flow) => filedCategories(flow)));
      for (const category of categories) {
        if (filed.has(category)) continue;
        warnings.push({
          file: label("oncall", ONCALL_DOCUMENT),
          path: `categories.${category}`,
          message: `no call flow files reports for "${category}": this crew is never paged`,
          hint: "add a menu choice or a dispatch state for it, or remove the category",
          severity: "warning",
        });
      }
    }
  }

  // Without a departments document nothing is expected of one; with one, every request should find its department.
  if (sources.departments && departments && roster && flows.size === sources.flows.size) {
    const services = filedServices({ file: label("oncall", ONCALL_DOCUMENT), categories: Object.keys(roster.categories) }, flows, label);
    warnings.push(...unhandledServiceWarnings(departments, services, label("departments", DEPARTMENTS_DOCUMENT)));
  }

  const main = flows.get(MAIN_FLOW);
  if (errors.length > 0 || !main || !hours || !roster || !departments) return { errors, warnings };
  const versions: DefinitionVersions = {
    flows: new Map([...sources.flows].map(([name, { version }]) => [name, version])),
    hours: sources.hours!.version,
    oncall: sources.oncall!.version,
    departments: sources.departments?.version ?? 0,
  };
  return { set: { flows, main, hours, roster, departments, warnings, versions }, errors, warnings };
}

/** The sources with one document replaced: what the set would be if it were published. */
export function withDocument(sources: DefinitionSources, kind: DocumentKind, name: string, source: string): DefinitionSources {
  // A draft is no published version yet: 0, as files are.
  const draft = { source, version: 0 };
  if (kind === "hours") return { ...sources, hours: draft };
  if (kind === "oncall") return { ...sources, oncall: draft };
  if (kind === "departments") return { ...sources, departments: draft };
  return { ...sources, flows: new Map(sources.flows).set(name, draft) };
}

/**
 * The 1-based line a problem's path points at in a YAML source, for showing it in an editor: the
 * deepest part of the path that exists (a missing field is reported at its parent). Syntax
 * errors carry their line in the path already (`line 4`).
 */
export function lineOfPath(source: string, path: string): number | undefined {
  const syntax = /^line (\d+)$/.exec(path);
  if (syntax) return Number(syntax[1]);
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter });
  if (document.errors.length > 0) return undefined;
  const segments = pathSegments(path);
  for (let length = segments.length; length >= 0; length--) {
    const node = length === 0 ? document.contents : document.getIn(segments.slice(0, length), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (!range) continue;
    // A key's line reads better than its value's (a block value starts on the next line).
    const pair = length > 0 ? keyOffset(document, segments.slice(0, length)) : undefined;
    return lineCounter.linePos(pair ?? range[0]).line;
  }
  return undefined;
}

/** `states.greeting.choices[0].next` → `["states", "greeting", "choices", 0, "next"]`. */
function pathSegments(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    segments.push(match[2] !== undefined ? Number(match[2]) : match[1]!);
  }
  return segments;
}

/** Where the key of the entry at `segments` starts, when its parent is a map. */
function keyOffset(document: ReturnType<typeof parseDocument>, segments: (string | number)[]): number | undefined {
  const parent = segments.length === 1 ? document.contents : document.getIn(segments.slice(0, -1), true);
  const items = (parent as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | undefined)?.items;
  const last = segments[segments.length - 1];
  const pair = items?.find((item) => item.key && typeof item.key === "object" && item.key.value === last);
  return pair?.key?.range?.[0];
}

/** Problems that stop a set, formatted as one error. */
export function definitionError(checked: CheckedDefinitions): DefinitionError {
  return new DefinitionError(checked.errors.filter(isError));
}
