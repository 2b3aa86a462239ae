import type { Departments } from "./departments.js";
import { DepartmentsSchema, departmentsFieldNamesAt } from "./departments-schema.js";
import { problemsFromIssues } from "./problems.js";
import { yamlDocumentData } from "./yaml-data.js";
import { DefinitionError, type Problem } from "./validation.js";

/** What to write when a required field is left out. */
const MISSING_FIELD_HINTS: Record<string, string> = {
  departments: "add departments: with a list under it, one { name, services } per department",
  name: 'add name: the department as people say it, e.g. "Electric Utility"',
  services: "add services: the service codes it handles, e.g. [power]",
};

/** A field someone added to hold a key: refused like any unknown field, with why it does not belong here. */
const SECRET_FIELD = /key|token|secret|passw|pwd|auth|credential/i;

/**
 * Reads the departments document from YAML text and validates it.
 *
 * @param yamlText - the contents of the file (this function does no I/O)
 * @param file - the name the supervisor knows the file by, used in every problem (`flows/departments.yaml`)
 * @throws DefinitionError listing every problem found, each with its path and, where it helps, a fix
 *
 * @example
 * const departments = parseDepartments(await readFile("flows/departments.yaml", "utf8"), "flows/departments.yaml");
 */
export function parseDepartments(yamlText: string, file: string): Departments {
  const data = yamlDocumentData(yamlText, file, "flows/departments.yaml");
  const result = DepartmentsSchema.safeParse(data);
  if (!result.success) throw new DefinitionError(problemsFromIssues(file, result.error.issues, data, departmentsFieldNamesAt).map(withHint));
  return result.data;
}

function withHint(problem: Problem): Problem {
  const unknown = /^unknown field "(.*)"$/.exec(problem.message)?.[1];
  if (unknown !== undefined && SECRET_FIELD.test(unknown)) {
    return { ...problem, hint: "remove it: a department's key is configured outside this file, never written in it" };
  }
  if (problem.hint !== undefined) return problem;
  const field = / is missing$/.exec(problem.message) ? problem.message.slice(0, -" is missing".length) : undefined;
  const hint = field !== undefined && Object.hasOwn(MISSING_FIELD_HINTS, field) ? MISSING_FIELD_HINTS[field] : undefined;
  return hint ? { ...problem, hint } : problem;
}

/** The yaml library's messages carry a code excerpt over several lines; a problem is one line. */