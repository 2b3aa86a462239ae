import { z } from "zod";
import { DepartmentsSchema } from "./departments-schema.js";
import { FlowDocument } from "./flow/schema.js";
import { HoursSchema } from "./hours/schema.js";
import { RosterSchema } from "./oncall/roster/schema.js";

function jsonSchemaOf(schema: z.ZodType, title: string): string {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return `${JSON.stringify({ ...json, title }, null, 2)}\n`;
}

/**
 * The JSON Schema of every kind of file in the flows folder, by the name it is written under
 * there. Each definition file names its schema in a `# yaml-language-server: $schema=...` line,
 * so a supervisor's editor checks the file as they type. Generated from the zod schemas, so the
 * editor and the loader never disagree.
 */
export function definitionJsonSchemas(): Record<string, string> {
  return {
    "schema.json": jsonSchemaOf(FlowDocument, "Civic Line call flow"),
    "hours.schema.json": jsonSchemaOf(HoursSchema, "Civic Line hours"),
    "oncall.schema.json": jsonSchemaOf(RosterSchema, "Civic Line on-call rosters"),
    "departments.schema.json": jsonSchemaOf(DepartmentsSchema, "Civic Line departments"),
  };
}
