import type { Redis } from "ioredis";
import type { RedisLocation } from "../config/env.js";
import { loadFlowSet, readFlowFiles } from "../adapters/files/flow-source.js";
import { createWorkerConnection } from "../adapters/redis/connections.js";
import { RedisOutageLog } from "../adapters/redis/outage-log.js";
import { RedisDocumentStore } from "../adapters/redis/document-store.js";
import { checkDefinitions, DEPARTMENTS_DOCUMENT, type DefinitionSources, type FlowSet } from "../domain/definitions.js";
import { DefinitionError, formatProblem } from "../domain/validation.js";
import type { Logger } from "../logger.js";
import { LiveDefinitions, readPublishedSources } from "./live-definitions.js";
import { Publisher } from "./publisher.js";

/** Who the files in `flows/` are published as, on a first start and by `npm run dev`. */
export const FILES_AUTHOR = "files";

export interface OpenDefinitionsOptions {
  /** The role's ordinary connection: reads and publishes. */
  redis: Redis;
  /** Where a connection of its own for following publishes connects to (a URL, or through Sentinel). */
  location: RedisLocation | string;
  flowsDir: string;
  log: Logger;
  /** Key prefix of the document store (tests). */
  prefix?: string;
  /** The role's log of Redis outages: the subscriber's errors and failed reads go there. @defaultValue one of its own */
  outage?: RedisOutageLog;
}

/**
 * The definitions a role serves: the published ones, following every publish. With nothing
 * published yet (a first start on an empty Redis), the files in `flows/` are published as
 * version 1 by `files`; so is `departments.yaml` on the first start of a line published before
 * departments existed. While Redis cannot be read, the files serve, so a line that starts during
 * an outage still answers; the published set replaces them as soon as Redis answers.
 */
export async function openDefinitions(options: OpenDefinitionsOptions): Promise<LiveDefinitions> {
  const { redis, location, flowsDir, log } = options;
  const store = new RedisDocumentStore(redis, options.prefix);
  let initial: FlowSet | undefined;
  try {
    let published = await readPublishedSources(store);
    if (published && !published.departments && (await publishDepartmentsFile(store, flowsDir, log))) published = await readPublishedSources(store);
    if (published) {
      const checked = checkDefinitions(published);
      initial = checked.set;
      if (!initial) log.error({ problems: checked.errors.map(formatProblem) }, "the published flows do not pass their checks: serving flows/ until a good version is published");
    } else {
      initial = await loadFlowSet(flowsDir);
      const publisher = new Publisher({ store, clock: () => new Date().toISOString() });
      const result = await publisher.publishSet(await readFlowFiles(flowsDir), { author: FILES_AUTHOR, message: `First published from ${flowsDir}/` });
      if (result.outcome === "published" && result.published.length > 0) {
        log.info({ documents: result.published.map((document) => `${document.kind}:${document.name}`) }, "nothing was published yet: the files in flows/ are version 1");
      }
    }
  } catch (error) {
    if (error instanceof DefinitionError) throw error;
    log.warn({ err: (error as Error).message }, "could not read the published flows: serving flows/ until Redis answers");
  }
  initial ??= await loadFlowSet(flowsDir);
  for (const warning of initial.warnings) log.warn(formatProblem(warning));
  const outage = options.outage ?? new RedisOutageLog({ log, where: location });
  const subscriber = outage.watch(createWorkerConnection(location), "Redis connection (publishes)");
  const live = new LiveDefinitions({ store, subscriber: { redis: subscriber, channel: store.channel }, initial, log, outage });
  return live.start();
}

/**
 * Publishes `departments.yaml` as version 1 when a line published before departments existed
 * starts with one in its folder, checked against the live documents as any publish is. A file
 * that does not pass leaves the line without departments, as it was, and says why; another
 * instance starting at the same moment publishes it once between them. True when it was published.
 */
async function publishDepartmentsFile(store: RedisDocumentStore, flowsDir: string, log: Logger): Promise<boolean> {
  let file: DefinitionSources["departments"];
  try {
    file = (await readFlowFiles(flowsDir)).departments;
  } catch (error) {
    log.warn({ err: (error as Error).message }, `could not read ${flowsDir}/departments.yaml: requests are kept without a department`);
    return false;
  }
  if (!file) return false;
  const publisher = new Publisher({ store, clock: () => new Date().toISOString() });
  const result = await publisher.publish("departments", DEPARTMENTS_DOCUMENT, {
    source: file.source,
    author: FILES_AUTHOR,
    message: `First published from ${flowsDir}/`,
    baseVersion: 0,
  });
  if (result.outcome === "invalid") {
    const problems = result.errors.map((problem) => `${problem.document}: ${problem.path ? `${problem.path}: ` : ""}${problem.message}${problem.hint ? ` (${problem.hint})` : ""}`);
    log.error({ problems }, `${flowsDir}/departments.yaml does not pass its checks: requests are kept without a department until it is fixed and published`);
    return false;
  }
  if (result.outcome === "published") log.info({ documents: [`departments:${DEPARTMENTS_DOCUMENT}`] }, "departments were never published: the file in flows/ is version 1");
  return result.outcome === "published" || result.outcome === "conflict";
}
