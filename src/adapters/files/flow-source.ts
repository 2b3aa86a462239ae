import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { checkDispatchCategories } from "../../domain/flow/categories.js";
import { parseFlow } from "../../domain/flow/parse.js";
import type { Flow } from "../../domain/flow/schema.js";
import { parseHours, type Hours } from "../../domain/hours/index.js";
import { parseRoster, type Roster } from "../../domain/oncall/roster/index.js";
import { DefinitionError, type Problem } from "../../domain/validation.js";

/** The flow every call starts in. */
export const MAIN_FLOW = "main";

/** Files in the flows folder that are not call flows. */
const NOT_FLOWS = new Set(["hours.yaml", "oncall.yaml"]);

/** Everything a supervisor defines in `flows/`, checked and ready to serve. */
export interface FlowSet {
  flows: ReadonlyMap<string, Flow>;
  main: Flow;
  hours: Hours;
  roster: Roster;
  warnings: Problem[];
}

/**
 * Reads and checks every definition in the flows folder: `hours.yaml`, `oncall.yaml` and each
 * call flow (`*.yaml`). Throws a `DefinitionError` listing every problem in every file, so one run shows
 * a supervisor all there is to fix.
 */
export async function loadFlowSet(dir: string): Promise<FlowSet> {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const flows = new Map<string, Flow>();
  const shown = (file: string) => path.join(path.relative(process.cwd(), dir) || ".", file);

  let hours: Hours | undefined;
  try {
    hours = parseHours(await readFile(path.join(dir, "hours.yaml"), "utf8"), shown("hours.yaml"));
  } catch (error) {
    problems.push(...problemsOf(error, shown("hours.yaml")));
  }

  let roster: Roster | undefined;
  try {
    roster = parseRoster(await readFile(path.join(dir, "oncall.yaml"), "utf8"), shown("oncall.yaml"));
  } catch (error) {
    problems.push(...problemsOf(error, shown("oncall.yaml")));
  }

  const files = (await readdir(dir)).filter((file) => /\.ya?ml$/.test(file) && !NOT_FLOWS.has(file)).sort();
  for (const file of files) {
    const name = file.replace(/\.ya?ml$/, "");
    try {
      const parsed = parseFlow(name, await readFile(path.join(dir, file), "utf8"), shown(file));
      flows.set(name, parsed.flow);
      warnings.push(...parsed.warnings);
    } catch (error) {
      problems.push(...problemsOf(error, shown(file)));
    }
  }

  if (roster) {
    for (const [name, flow] of flows) problems.push(...checkDispatchCategories(shown(`${name}.yaml`), flow, Object.keys(roster.categories)));
  }

  const main = flows.get(MAIN_FLOW);
  if (!main && !files.some((file) => file.startsWith(`${MAIN_FLOW}.`))) {
    problems.push({ file: shown(`${MAIN_FLOW}.yaml`), path: "", message: "missing", hint: "every call starts in the main flow" });
  }
  if (problems.length > 0 || !main || !hours || !roster) throw new DefinitionError(problems);
  return { flows, main, hours, roster, warnings };
}

function problemsOf(error: unknown, file: string): Problem[] {
  if (error instanceof DefinitionError) return error.problems;
  if (error instanceof Error && "code" in error && error.code === "ENOENT") {
    return [{ file, path: "", message: "file not found" }];
  }
  throw error;
}
