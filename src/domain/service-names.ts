/**
 * The names supervisors know the line's services by. A service code (`utility-billing`,
 * `roads-transit`) is how main.yaml and departments.yaml write a queue; turned into words
 * ("Roads transit") it still reads like a code. The words a supervisor knows are the ones the
 * documents give: the name the line gives its own services (the urgent categories, callbacks) and
 * the department that answers an agent queue ("Transportation / Public Works").
 */
import type { FlowSet } from "./definitions.js";
import { departmentFor } from "./departments.js";
import { serviceName, urgentCodesOf } from "./open311/services.js";
import { CALLBACK_SERVICE } from "./records.js";

/** A service code's name, as people say it. */
export type ServiceNames = (code: string) => string;

/**
 * Without the definitions to hand: the line's own name for its built-in services, and the code
 * in words for the others (`utility-billing` → "Utility billing").
 */
export const readableServiceName: ServiceNames = (code) => serviceName(code);

/**
 * The names of a set of definitions' services. The urgent categories and callbacks keep the
 * line's own names ("Power outage or electrical hazard", "Call back"). Any other service (an
 * agent queue, a service only a department lists) is named by the department that handles it,
 * when it is that department's only such service: its agents are the department's, and that
 * name is the one written in departments.yaml. A service with no department, or sharing its
 * department with another queue, is its code in words.
 *
 * @example serviceNamesOf(definitions)("roads-transit") // "Transportation / Public Works"
 */
export function serviceNamesOf(set: Pick<FlowSet, "flows" | "roster" | "departments">): ServiceNames {
  const named = new Set([...urgentCodesOf(set), CALLBACK_SERVICE]);
  const names = new Map<string, string>();
  for (const department of set.departments.departments) {
    const queues = department.services.filter((code) => !named.has(code));
    if (queues.length === 1 && departmentFor(set.departments, queues[0]!) === department) names.set(queues[0]!, department.name);
  }
  return (code) => names.get(code) ?? serviceName(code);
}
