/** `npm run flows:schema`: writes the JSON Schemas editors use to check the files in flows/. */
import "./lib/load-env.js";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { definitionJsonSchemas } from "../src/domain/json-schemas.js";

for (const [name, text] of Object.entries(definitionJsonSchemas())) {
  const file = path.join(process.env.FLOWS_DIR ?? "flows", name);
  await writeFile(file, text);
  console.log(`wrote ${file}`);
}
