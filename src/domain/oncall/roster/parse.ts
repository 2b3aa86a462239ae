import { yamlDocumentData } from "../../yaml-data.js";
import { problemsFromIssues } from "../../problems.js";
import { DefinitionError, type Problem } from "../../validation.js";
import { RosterSchema, rosterFieldNamesAt, type Roster } from "./schema.js";

/** What to write when a required field is left out, for the fields where an example helps. */
const MISSING_FIELD_HINTS: Record<string, string> = {
  zone: "add zone: America/Edmonton",
  categories: "add categories: power, water, roads, each with its crew",
  label: 'add label: the name people know the category by, e.g. "Water and sewer"',
  supervisor: 'add the category\'s supervisor line: { id: dana, name: Dana Kowalski, phone: "+14035550100" }',
  members: "add members: the people in the rotation, each { id, name, phone }",
  rotation: 'add rotation: { handoff: { day: monday, time: "08:00" }, start: 2026-11-02, weeks: [...] }',
  escalation: 'add escalation: { steps: [{ notify: primary, wait: "10m" }, ...], rounds: 3 }',
  id: 'add id: lowercase words joined by dashes, e.g. "pat-okafor"',
  phone: 'add phone: with + and the country code, e.g. "+14035550123"',
  handoff: 'add handoff: { day: monday, time: "08:00" }',
  start: "add start: the date of the first handoff, yyyy-MM-dd",
  weeks: "add weeks: a list of { primary, backup }",
  steps: 'add steps: a list of { notify: primary | backup | supervisor, wait: "10m" }',
  rounds: "add rounds: how many times to go through the steps, 1 to 10",
  wait: 'add wait: how long to wait for an answer, e.g. "10m"',
};

/**
 * Reads an on-call roster from YAML text and validates it.
 *
 * @param yamlText - the contents of the file (this function does no I/O)
 * @param file - the name the supervisor knows the file by, used in every problem (`flows/oncall.yaml`)
 * @throws DefinitionError listing every problem found, each with its path and, where it helps, a fix
 *
 * @example
 * const roster = parseRoster(await readFile("flows/oncall.yaml", "utf8"), "flows/oncall.yaml");
 */
export function parseRoster(yamlText: string, file: string): Roster {
  const data = yamlDocumentData(yamlText, file, "flows/oncall.yaml");
  const result = RosterSchema.safeParse(data);
  if (!result.success) throw new DefinitionError(problemsFromIssues(file, result.error.issues, data, rosterFieldNamesAt).map(withMissingFieldHint));
  return result.data;
}

function withMissingFieldHint(problem: Problem): Problem {
  if (problem.hint !== undefined) return problem;
  const field = / is missing$/.exec(problem.message) ? problem.message.slice(0, -" is missing".length) : undefined;
  const hint = field !== undefined && Object.hasOwn(MISSING_FIELD_HINTS, field) ? MISSING_FIELD_HINTS[field] : undefined;
  return hint ? { ...problem, hint } : problem;
}

/** The yaml library's messages carry a code excerpt over several lines; a problem is one line. */