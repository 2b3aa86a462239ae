/**
 * `npm run dev` publishes what is saved in `flows/`, as the console would: each valid change goes
 * live at once on the running line; an invalid one prints its problems and the line keeps serving
 * the last good version. Nothing is restarted.
 */
import { watch } from "node:fs";
import { connectRedis } from "../../src/adapters/redis/connections.js";
import type { RedisLocation } from "../../src/config/env.js";
import { readFlowFiles } from "../../src/adapters/files/flow-source.js";
import { FILES_AUTHOR } from "../../src/definitions/open.js";
import type { Publisher } from "../../src/definitions/publisher.js";
import { commandLinePublisher } from "./publishing.js";
import { formatProblem } from "../../src/domain/validation.js";
import { RedisDocumentStore } from "../../src/adapters/redis/document-store.js";
import { DEPARTMENTS_DOCUMENT, documentFile, HOURS_DOCUMENT, ONCALL_DOCUMENT } from "../../src/domain/definitions.js";
import type { DocumentKind, DocumentStore } from "../../src/domain/ports.js";

/**
 * Publishes the folder's files that differ from the live versions; says what happened in a line or
 * two. At start (`keepPeoples`), a document a person published since (from the console, the API,
 * an import) is left live and said so: restarting `npm run dev` must not undo their change.
 */
export async function publishFlowFiles(publisher: Publisher, dir: string, keepPeoples?: DocumentStore): Promise<void> {
  const sources = await readFlowFiles(dir);
  if (keepPeoples) {
    const documents: [DocumentKind, string, { source: string } | null][] = [
      ...[...sources.flows].map(([name, file]): [DocumentKind, string, { source: string }] => ["flow", name, file]),
      ["hours", HOURS_DOCUMENT, sources.hours],
      ["oncall", ONCALL_DOCUMENT, sources.oncall],
      ["departments", DEPARTMENTS_DOCUMENT, sources.departments],
    ];
    for (const [kind, name, file] of documents) {
      const live = await keepPeoples.live(kind, name);
      if (!live || !file || live.author === FILES_AUTHOR || live.source === file.source) continue;
      Object.assign(file, { source: live.source });
      console.log(`  ${dir}/${documentFile(kind, name)} differs from version ${live.version}, published by ${live.author}: that stays live (npm run flows -- export writes it into ${dir}/)`);
    }
  }
  const result = await publisher.publishSet(sources, { author: FILES_AUTHOR, message: `Saved in ${dir}/ (npm run dev)` });
  if (result.outcome === "invalid") {
    console.error(`\n  ${dir}/ has problems; the line keeps serving the last good version:`);
    for (const problem of result.errors) console.error(`    ${formatProblem(problem)}`);
    console.error("");
    return;
  }
  for (const document of result.published) {
    const effect = document.kind === "departments" ? "new requests from now on go by it" : "calls from now on hear it";
    console.log(`  published ${dir}/${documentFile(document.kind, document.name)} as version ${document.version}: ${effect}`);
  }
}

/** Watches `dir` until the process ends, publishing each save (a burst of saves is one publish). */
export function watchFlowFiles(dir: string, where: RedisLocation): { publisher: Publisher; store: DocumentStore } {
  const redis = connectRedis(where);
  redis.on("error", () => {});
  const publisher = commandLinePublisher(redis);
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const watcher = watch(dir, (_event, file) => {
    if (file && !/\.ya?ml$/.test(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(() => publishFlowFiles(publisher, dir)).catch((error: Error) => console.error(`  could not publish ${dir}/: ${error.message}`));
    }, 150);
  });
  watcher.unref();
  return { publisher, store: new RedisDocumentStore(redis) };
}
