import { readdir, readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import {
  checkDefinitions,
  definitionError,
  documentFile,
  type CheckedDefinitions,
  type DefinitionSources,
  type FlowSet,
} from "../../domain/definitions.js";
import type { DocumentKind } from "../../domain/ports.js";

export { MAIN_FLOW, type FlowSet } from "../../domain/definitions.js";

/** Files in the flows folder that are not call flows. */
const NOT_FLOWS = new Set(["hours.yaml", "oncall.yaml", "departments.yaml"]);

/**
 * Reads the YAML sources in the flows folder as they are written: `hours.yaml`, `oncall.yaml`,
 * `departments.yaml` (null when the folder has none: it is optional) and each call flow
 * (`*.yaml`), as version 0 (files are not published versions).
 */
export async function readFlowFiles(dir: string): Promise<DefinitionSources> {
  const read = async (file: string) => {
    try {
      return { source: await readFile(path.join(dir, file), "utf8"), version: 0 };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  };
  const flows = new Map<string, { source: string; version: number }>();
  const files = (await readdir(dir)).filter((file) => /\.ya?ml$/.test(file) && !NOT_FLOWS.has(file)).sort();
  for (const file of files) flows.set(file.replace(/\.ya?ml$/, ""), (await read(file))!);
  return { flows, hours: await read("hours.yaml"), oncall: await read("oncall.yaml"), departments: await read("departments.yaml") };
}

/** How a document in `dir` is named in problems: the path a supervisor would open. */
export function fileLabel(dir: string): (kind: DocumentKind, name: string) => string {
  return (kind, name) => path.join(path.relative(process.cwd(), dir) || ".", documentFile(kind, name));
}

/** Reads and checks every definition in the flows folder, as every other way in checks them. */
export async function checkFlowFiles(dir: string): Promise<CheckedDefinitions> {
  return checkDefinitions(await readFlowFiles(dir), fileLabel(dir));
}

/**
 * Reads and checks every definition in the flows folder. Throws a `DefinitionError` listing every
 * problem in every file, so one run shows a supervisor all there is to fix.
 */
export async function loadFlowSet(dir: string): Promise<FlowSet> {
  const checked = await checkFlowFiles(dir);
  if (!checked.set) throw definitionError(checked);
  return checked.set;
}

/** Writes documents back as files (`flows -- export`), creating the folder when needed. */
export async function writeFlowFiles(dir: string, documents: { kind: DocumentKind; name: string; source: string }[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const document of documents) {
    const file = path.join(dir, documentFile(document.kind, document.name));
    await writeFile(file, document.source.endsWith("\n") ? document.source : `${document.source}\n`);
    written.push(file);
  }
  return written;
}
