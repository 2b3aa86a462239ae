import type { Redis } from "ioredis";
import { loadFlowSet, readFlowFiles } from "../adapters/files/flow-source.js";
import { createWorkerConnection } from "../adapters/redis/connections.js";
import { RedisDocumentStore } from "../adapters/redis/document-store.js";
import { checkDefinitions, type FlowSet } from "../domain/definitions.js";
import { DefinitionError, formatProblem } from "../domain/validation.js";
import type { Logger } from "../logger.js";
import { LiveDefinitions, readPublishedSources } from "./live-definitions.js";
import { Publisher } from "./publisher.js";

/** Who the files in `flows/` are published as, on a first start and by `npm run dev`. */
export const FILES_AUTHOR = "files";

export interface OpenDefinitionsOptions {
  /** The role's ordinary connection: reads and publishes. */
  redis: Redis;
  /** Where a connection of its own for following publishes connects to. */
  redisUrl: string;
  flowsDir: string;
  log: Logger;
  /** Key prefix of the document store (tests). */
  prefix?: string;
}

/**
 * The definitions a role serves: the published ones, following every publish. With nothing
 * published yet (a first start on an empty Redis), the files in `flows/` are published as
 * version 1 by `files`. While Redis cannot be read, the files serve, so a line that starts during
 * an outage still answers; the published set replaces them as soon as Redis answers.
 */
export async function openDefinitions(options: OpenDefinitionsOptions): Promise<LiveDefinitions> {
  const { redis, redisUrl, flowsDir, log } = options;
  const store = new RedisDocumentStore(redis, options.prefix);
  let initial: FlowSet | undefined;
  try {
    const published = await readPublishedSources(store);
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
  const subscriber = createWorkerConnection(redisUrl);
  subscriber.on("error", (error) => log.warn({ err: error.message }, "Redis connection (publishes)"));
  const live = new LiveDefinitions({ store, subscriber: { redis: subscriber, channel: store.channel }, initial, log });
  return live.start();
}
