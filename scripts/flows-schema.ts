/** `npm run flows:schema`: writes flows/schema.json, the JSON Schema editors use to check flow files. */
import "./lib/load-env.js";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { flowJsonSchema } from "../src/domain/flow/json-schema.js";

const file = path.join(process.env.FLOWS_DIR ?? "flows", "schema.json");
await writeFile(file, flowJsonSchema());
console.log(`wrote ${file}`);
