import { parseDocument, type Document } from "yaml";
import { DefinitionError, type Problem } from "./validation.js";

/**
 * The plain data of a parsed YAML document. An alias whose anchor is gone (the state holding
 * `&hold` was deleted, `*hold` still names it) cannot be read: that is the supervisor's problem to
 * fix, said at the alias's line, never an error of the line's.
 */
export function documentData(document: Document, yamlText: string, file: string): unknown {
  try {
    return document.toJS();
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const alias = /alias[^:]*:\s*(\S+)/i.exec(error.message)?.[1];
    const at = alias ? yamlText.indexOf(`*${alias}`) : -1;
    const line = at < 0 ? undefined : yamlText.slice(0, at).split("\n").length;
    throw new DefinitionError([
      {
        file,
        path: line ? `line ${line}` : "",
        message: alias ? `*${alias} names no anchor: nothing above it is marked &${alias}` : "an alias names no anchor",
        hint: alias ? `mark what it should repeat with &${alias}, or write it out in full` : "write out what the alias stood for",
      },
    ]);
  }
}

/**
 * The data of a supervisor's YAML document (hours, rosters, departments): syntax errors, an
 * alias with no anchor and an empty file are each a problem of `file`, with a fix. The schema's
 * checks are the caller's.
 *
 * @param example - where to start from when the file is empty (`flows/hours.yaml`)
 * @throws DefinitionError
 */
export function yamlDocumentData(yamlText: string, file: string, example: string): unknown {
  const document = parseDocument(yamlText);
  if (document.errors.length > 0) {
    throw new DefinitionError(document.errors.map((error): Problem => ({ file, path: "", message: firstLine(error.message) })));
  }
  const data: unknown = documentData(document, yamlText, file);
  if (data === null || data === undefined) {
    throw new DefinitionError([{ file, path: "", message: "the file is empty", hint: `start from the example in ${example}` }]);
  }
  return data;
}

/** The yaml library's message without its excerpt of the file. */
function firstLine(message: string): string {
  return message.split("\n")[0]!.trim().replace(/:$/, "");
}
