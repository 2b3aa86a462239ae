/**
 * `npm run dev` publishes what is saved in `flows/`, as the console would: each valid change goes
 * live at once on the running line; an invalid one prints its problems and the line keeps serving
 * the last good version. Nothing is restarted.
 */
import { watch } from "node:fs";
import { Redis } from "ioredis";
import { readFlowFiles } from "../../src/adapters/files/flow-source.js";
import { FILES_AUTHOR } from "../../src/definitions/open.js";
import type { Publisher } from "../../src/definitions/publisher.js";
import { commandLinePublisher } from "./publishing.js";
import { formatProblem } from "../../src/domain/validation.js";

/** Publishes the folder's files that differ from the live versions; says what happened in a line or two. */
export async function publishFlowFiles(publisher: Publisher, dir: string): Promise<void> {
  const result = await publisher.publishSet(await readFlowFiles(dir), { author: FILES_AUTHOR, message: `Saved in ${dir}/ (npm run dev)` });
  if (result.outcome === "invalid") {
    console.error(`\n  ${dir}/ has problems; the line keeps serving the last good version:`);
    for (const problem of result.errors) console.error(`    ${formatProblem(problem)}`);
    console.error("");
    return;
  }
  for (const document of result.published) {
    console.log(`  published ${document.kind === "flow" ? `flows/${document.name}.yaml` : `flows/${document.kind}.yaml`} as version ${document.version}: calls from now on hear it`);
  }
}

/** Watches `dir` until the process ends, publishing each save (a burst of saves is one publish). */
export function watchFlowFiles(dir: string, redisUrl: string): Publisher {
  const redis = new Redis(redisUrl);
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
  return publisher;
}
