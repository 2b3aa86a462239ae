import type { Document } from "yaml";
import { DefinitionError } from "./validation.js";

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
