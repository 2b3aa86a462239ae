/**
 * `npm run flows:check [-- --dir flows]`: validates every definition in the flows folder (call
 * flows, hours, on-call rosters, departments when the folder has them) and that the JSON Schemas
 * beside them are current. Exits 1 with every problem listed, each naming the file, the path and a fix.
 *
 * Warnings (printed as `warning:`, exit code 0) say what will hurt without stopping anything: among
 * them, every time in the next 30 days when a category has nobody on call, and every service whose
 * requests no department handles.
 */
import "./lib/load-env.js";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { DateTime } from "luxon";
import { loadFlowSet, type FlowSet } from "../src/adapters/files/flow-source.js";
import { definitionJsonSchemas } from "../src/domain/json-schemas.js";
import { gapWarnings } from "../src/domain/oncall/roster/gaps.js";
import { DefinitionError, formatProblem } from "../src/domain/validation.js";

const { values } = parseArgs({ options: { dir: { type: "string" }, help: { type: "boolean", short: "h" } } });
if (values.help) {
  console.log("usage: npm run flows:check [-- --dir <flows folder>]   (default: $FLOWS_DIR or flows)");
  process.exit(0);
}
const dir = values.dir ?? process.env.FLOWS_DIR ?? "flows";

/** What the departments file gave, in a few words. */
function departmentsSummary(set: FlowSet): string {
  const { departments } = set.departments;
  const delivered = departments.filter((department) => department.endpoint !== undefined).length;
  return `ok (${departments.length} ${departments.length === 1 ? "department" : "departments"}, ${delivered} with a delivery endpoint)`;
}

let failed = false;
try {
  const set = await loadFlowSet(dir);
  // The gaps that matter are the ones still ahead: from now, by this machine's clock.
  const gaps = gapWarnings(set.roster, path.join(dir, "oncall.yaml"), DateTime.now());
  for (const warning of [...set.warnings, ...gaps]) console.log(formatProblem(warning));
  for (const [name, flow] of set.flows) {
    console.log(`${path.join(dir, `${name}.yaml`)}: ok (${Object.keys(flow.states).length} states)`);
  }
  console.log(`${path.join(dir, "hours.yaml")}: ok (${set.hours.zone}, ${set.hours.holidays.length} holiday rules)`);
  console.log(`${path.join(dir, "oncall.yaml")}: ok (${Object.keys(set.roster.categories).join(", ")})`);
  const departmentsFile = path.join(dir, "departments.yaml");
  console.log(`${departmentsFile}: ${existsSync(departmentsFile) ? departmentsSummary(set) : "none (optional: without it, requests are kept without a department)"}`);
} catch (error) {
  if (!(error instanceof DefinitionError)) throw error;
  for (const problem of error.problems) console.error(formatProblem(problem));
  failed = true;
}

for (const [name, text] of Object.entries(definitionJsonSchemas())) {
  const schemaFile = path.join(dir, name);
  const current = await readFile(schemaFile, "utf8").catch(() => "");
  if (current !== text) {
    console.error(`${schemaFile}: out of date with the schema (run npm run flows:schema to write it)`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
