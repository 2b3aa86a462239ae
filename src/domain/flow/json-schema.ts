import { z } from "zod";
import { FlowDocument } from "./schema.js";

/**
 * The JSON Schema of a flow file, for editors to check a flow while a supervisor types (YAML
 * language servers read the `$schema` comment at the top of each file). Generated from the zod
 * schema, so the two never disagree.
 */
export function flowJsonSchema(): string {
  const schema = z.toJSONSchema(FlowDocument, { io: "input", unrepresentable: "any" });
  return `${JSON.stringify({ ...schema, title: "Civic Line call flow" }, null, 2)}\n`;
}
