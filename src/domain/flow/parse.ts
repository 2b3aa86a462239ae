import { parseDocument } from "yaml";
import { documentData } from "../yaml-data.js";
import { z } from "zod";
import { problemsFromIssues } from "../problems.js";
import { DefinitionError, isError, type Problem } from "../validation.js";
import { checkFlowGraph } from "./check.js";
import { nodeTypes } from "./nodes/index.js";
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
        message: error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""),
      })),
    );
  }
  const data: unknown = documentData(document, yamlText, file);
  const parsed = FlowDocument.safeParse(data);
  if (!parsed.success) throw new DefinitionError(problemsFromIssues(file, parsed.error.issues, data, flowFieldNames));
  const problems = checkFlowGraph(file, parsed.data);
  const errors = problems.filter(isError);
  if (errors.length > 0) throw new DefinitionError(errors);
  return { flow: { ...parsed.data, name }, warnings: problems.filter((problem) => !isError(problem)) };
}

/** The fields allowed where a supervisor wrote an unknown one, to suggest the one they meant. */
function flowFieldNames(path: readonly PropertyKey[], value: unknown): readonly string[] {
  if (path.length === 0) return Object.keys(FlowDocument.shape);
  if (path.length === 2 && path[0] === "states" && value !== null && typeof value === "object") {
    const type = (value as { type?: unknown }).type;
    const nodeType = typeof type === "string" && Object.hasOwn(nodeTypes, type) ? nodeTypes[type as keyof typeof nodeTypes] : undefined;
    const schema = nodeType?.schema as z.ZodType | undefined;
    return schema && "shape" in schema ? Object.keys((schema as z.ZodObject).shape) : [];
  }
  return [];
}
