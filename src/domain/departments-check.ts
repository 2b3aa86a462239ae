import type { DocumentLabel } from "./definitions.js";
import type { Departments } from "./departments.js";
import { filedCategories } from "./flow/categories.js";
import type { Flow } from "./flow/schema.js";
import { CALLBACK_SERVICE } from "./records.js";
import { didYouMean, type Problem } from "./validation.js";

/** A service the line files requests for, and where it comes from, in words a supervisor can follow. */
interface FiledService {
  code: string;
  /** `an urgent category (oncall.yaml: categories.power)`. */
  from: string;
}

/**
 * The services the line's own documents can file requests for: each urgent category of the
 * roster that a flow files reports for (a crew no flow reaches is warned about already, and
 * makes no requests), each agent queue a flow puts callers in, and `callback` when a flow takes
 * voicemails. Each once, in the order the documents name them.
 */
export function filedServices(roster: { file: string; categories: readonly string[] }, flows: ReadonlyMap<string, Flow>, label: DocumentLabel): FiledService[] {
  const found = new Map<string, FiledService>();
  const add = (code: string, from: string) => {
    if (!found.has(code)) found.set(code, { code, from });
  };
  const filed = new Set([...flows.values()].flatMap(filedCategories));
  for (const category of roster.categories) {
    if (filed.has(category)) add(category, `an urgent category (${roster.file}: categories.${category})`);
  }
  let voicemail: string | undefined;
  for (const [name, flow] of [...flows].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [id, node] of Object.entries(flow.states)) {
      if (node.type === "enqueue") add(node.queue, `an agent queue (${label("flow", name)}: states.${id}.queue)`);
      if (node.type === "record" && node.outcome === "voicemail") voicemail ??= `${label("flow", name)}: states.${id}`;
    }
  }
  if (voicemail) add(CALLBACK_SERVICE, `the service of every voicemail (${voicemail})`);
  return [...found.values()];
}

/**
 * A warning for each service the line files requests for that no department handles: those
 * requests are kept, without a department, and delivered nowhere. A warning rather than an error,
 * so a new queue or category can go live before the departments are told about it.
 */
export function unhandledServiceWarnings(departments: Departments, services: readonly FiledService[], file: string): Problem[] {
  const handled = new Set(departments.departments.flatMap((department) => department.services));
  // A service a department lists that nothing files is likely the one meant, misspelled.
  const listed = departments.departments.flatMap((department, index) =>
    department.services.map((code, position) => ({ code, where: `departments[${index}].services[${position}]` })),
  );
  const filed = new Set(services.map((service) => service.code));
  const strays = listed.filter((entry) => !filed.has(entry.code));
  return services
    .filter((service) => !handled.has(service.code))
    .map((service): Problem => {
      const meant = didYouMean(service.code, strays.map((entry) => entry.code));
      const stray = meant === undefined ? undefined : strays.find((entry) => entry.code === meant);
      return {
        file,
        path: "departments",
        message: `requests for "${service.code}" will be kept without a department: no department lists it in its services`,
        hint: stray
          ? `${stray.where} is "${stray.code}": did you mean "${service.code}"?`
          : `"${service.code}" is ${service.from}; add it to the services of the department that handles it`,
        severity: "warning",
      };
    });
}
