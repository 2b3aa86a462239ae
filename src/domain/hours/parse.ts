import { parseDocument } from "yaml";
import { documentData } from "../yaml-data.js";
import { DefinitionError, type Problem } from "../validation.js";
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
  const document = parseDocument(yamlText);
  if (document.errors.length > 0) {
    throw new DefinitionError(document.errors.map((error): Problem => ({ file, path: "", message: oneLine(error.message) })));
  }
  const data: unknown = documentData(document, yamlText, file);
  if (data === null || data === undefined) {
    throw new DefinitionError([{ file, path: "", message: "the file is empty", hint: "start from the example in flows/hours.yaml" }]);
  }
  const result = HoursSchema.safeParse(data);
  if (!result.success) throw new DefinitionError(problemsFromIssues(file, result.error.issues, data, hoursFieldNamesAt));
  return result.data;
}

/** The yaml library's messages carry a code excerpt over several lines; a problem is one line. */
function oneLine(message: string): string {
  return message.split("\n")[0]!.trim().replace(/:$/, "");
}
