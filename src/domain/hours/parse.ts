import { yamlDocumentData } from "../yaml-data.js";
import { DefinitionError } from "../validation.js";
import { problemsFromIssues } from "../problems.js";
import { HoursSchema, hoursFieldNamesAt, type Hours } from "./schema.js";

/**
 * Reads an hours document from YAML text and validates it.
 *
 * @param yamlText - the contents of the file (this function does no I/O)
 * @param file - the name the supervisor knows the file by, used in every problem (`flows/hours.yaml`)
 * @throws DefinitionError listing every problem found, each with its path and, where it helps, a fix
 *
 * @example
 * const hours = parseHours(await readFile("flows/hours.yaml", "utf8"), "flows/hours.yaml");
 */
export function parseHours(yamlText: string, file: string): Hours {
  const data = yamlDocumentData(yamlText, file, "flows/hours.yaml");
  const result = HoursSchema.safeParse(data);
  if (!result.success) throw new DefinitionError(problemsFromIssues(file, result.error.issues, data, hoursFieldNamesAt));
  return result.data;
}

/** The yaml library's messages carry a code excerpt over several lines; a problem is one line. */