import { parseDocument } from "yaml";
import { DefinitionError, isError, problemsFromZod, type Problem } from "../validation.js";
import { checkFlowGraph } from "./check.js";
import { FlowDocument, type Flow } from "./schema.js";

export interface ParsedFlow {
  flow: Flow;
  /** Problems worth telling the supervisor that do not stop the flow from running. */
  warnings: Problem[];
}

/**
 * Reads a call flow from YAML text and checks it: the schema, then the graph. Throws a
 * `DefinitionError` with every problem found, each naming the file, the path and a fix.
 */
export function parseFlow(name: string, yamlText: string, file: string): ParsedFlow {
  const document = parseDocument(yamlText, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new DefinitionError(
      document.errors.map((error) => ({
        file,
        path: error.linePos ? `line ${error.linePos[0].line}` : "",
        message: error.message.split("\n")[0]!,
      })),
    );
  }
  const parsed = FlowDocument.safeParse(document.toJS());
  if (!parsed.success) throw new DefinitionError(problemsFromZod(file, parsed.error));
  const problems = checkFlowGraph(file, parsed.data);
  const errors = problems.filter(isError);
  if (errors.length > 0) throw new DefinitionError(errors);
  return { flow: { ...parsed.data, name }, warnings: problems.filter((problem) => !isError(problem)) };
}
