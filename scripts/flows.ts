/**
 * The published flows, hours, rosters and departments, as files: so a City can keep them in
 * version control and review changes there.
 *
 *   npm run flows -- export [--dir DIR]     writes the live versions as files (default: flows)
 *   npm run flows -- import [--dir DIR] [--message TEXT] [--author NAME]
 *                                            publishes the files that differ from the live versions
 *   npm run flows -- versions [--document flow:main|hours|oncall|departments]
 *
 * Each publish is written to the audit log, and a roster change texts whoever's time on call it
 * moved, as a publish from the console does.
 * Import checks every file together first, as the console does, and publishes nothing when any
 * is invalid. `npm run flows:check` checks files without publishing.
 */
import "./lib/load-env.js";
import { userInfo } from "node:os";
import { readFlowFiles, writeFlowFiles } from "../src/adapters/files/flow-source.js";
import { RedisDocumentStore } from "../src/adapters/redis/document-store.js";
import { readPublishedSources } from "../src/definitions/live-definitions.js";
import { DEPARTMENTS_DOCUMENT, HOURS_DOCUMENT, ONCALL_DOCUMENT } from "../src/domain/definitions.js";
import type { DocumentKind } from "../src/domain/ports.js";
import { DefinitionError } from "../src/domain/validation.js";
import { commandLinePublisher } from "./lib/publishing.js";
import { CommandError, runCli, table, UsageError, withRedis, type CommandTable } from "./lib/cli.js";

const DIR_OPTION = { dir: { type: "string" } } as const;
const dirOf = (value: string | boolean | undefined) => (typeof value === "string" && value ? value : process.env["FLOWS_DIR"] || "flows");

const commands: CommandTable = {
  export: {
    usage: ["export [--dir DIR]", "  Writes the live version of every flow, the hours, the rosters and the departments as YAML files.", "  --dir DIR    the folder to write (default: flows)"].join("\n"),
    options: DIR_OPTION,
    async run(values) {
      const dir = dirOf(values.dir);
      await withRedis(async (redis) => {
        const sources = await readPublishedSources(new RedisDocumentStore(redis));
        if (!sources) throw new CommandError("nothing has been published yet: start the line once, or run npm run flows -- import");
        const documents = [
          ...[...sources.flows].map(([name, { source }]) => ({ kind: "flow" as const, name, source })),
          ...(sources.hours ? [{ kind: "hours" as const, name: HOURS_DOCUMENT, source: sources.hours.source }] : []),
          ...(sources.oncall ? [{ kind: "oncall" as const, name: ONCALL_DOCUMENT, source: sources.oncall.source }] : []),
          ...(sources.departments ? [{ kind: "departments" as const, name: DEPARTMENTS_DOCUMENT, source: sources.departments.source }] : []),
        ];
        const versions = new Map<string, number>([
          ...[...sources.flows].map(([name, { version }]) => [`flow:${name}`, version] as const),
          ["hours:hours", sources.hours?.version ?? 0],
          ["oncall:oncall", sources.oncall?.version ?? 0],
          ["departments:departments", sources.departments?.version ?? 0],
        ]);
        const written = await writeFlowFiles(dir, documents);
        written.forEach((file, index) => {
          const document = documents[index]!;
          console.log(`${file}: version ${versions.get(`${document.kind}:${document.name}`)}`);
        });
      });
    },
  },
  import: {
    usage: [
      "import [--dir DIR] [--message TEXT] [--author NAME]",
      "  Checks every file together, then publishes each one that differs from its live version.",
      "  --dir DIR        the folder to read (default: flows)",
      '  --message TEXT   why, for the history (default: "Imported from DIR/")',
      "  --author NAME    who, for the history (default: your login name)",
    ].join("\n"),
    options: { ...DIR_OPTION, message: { type: "string" }, author: { type: "string" } },
    async run(values) {
      const dir = dirOf(values.dir);
      const sources = await readFlowFiles(dir).catch((error: NodeJS.ErrnoException) => {
        throw new CommandError(`cannot read ${dir}: ${error.code === "ENOENT" ? "no such folder" : error.message}`);
      });
      const author = typeof values.author === "string" && values.author ? values.author : userInfo().username;
      const message = typeof values.message === "string" && values.message ? values.message : `Imported from ${dir}/`;
      await withRedis(async (redis) => {
        const publisher = commandLinePublisher(redis);
        const result = await publisher.publishSet(sources, { author, message });
        if (result.outcome === "invalid") throw new DefinitionError(result.errors);
        if (result.published.length === 0) console.log("Nothing to publish: the live versions are the files already.");
        for (const document of result.published) console.log(`published ${label(document.kind, document.name)} as version ${document.version}`);
      });
    },
  },
  versions: {
    usage: [
      "versions [--document flow:main|hours|oncall|departments]",
      "  The history of a document: version, author, time and message, newest first.",
      "  --document NAME    flow:<name>, hours, oncall or departments (default: flow:main)",
    ].join("\n"),
    options: { document: { type: "string" } },
    async run(values) {
      const [kind, name] = documentArgument(values.document);
      await withRedis(async (redis) => {
        const history = await new RedisDocumentStore(redis).history(kind, name);
        if (history.length === 0) throw new CommandError(`${label(kind, name)} has never been published`);
        console.log(table([["version", "author", "at", "message"], ...history.map((entry) => [String(entry.version), entry.author, entry.at, entry.message])]));
      });
    },
  },
};

function label(kind: DocumentKind, name: string): string {
  return kind === "flow" ? `flow ${name}` : kind;
}

function documentArgument(value: string | boolean | undefined): [DocumentKind, string] {
  if (value === undefined) return ["flow", "main"];
  if (value === "hours") return ["hours", HOURS_DOCUMENT];
  if (value === "oncall") return ["oncall", ONCALL_DOCUMENT];
  if (value === "departments") return ["departments", DEPARTMENTS_DOCUMENT];
  const flow = typeof value === "string" ? /^flow:([a-z0-9][a-z0-9-]*)$/.exec(value) : null;
  if (!flow) throw new UsageError(`--document must be flow:<name>, hours, oncall or departments, not ${JSON.stringify(value)}`);
  return ["flow", flow[1]!];
}

await runCli("flows", commands, process.argv.slice(2));
