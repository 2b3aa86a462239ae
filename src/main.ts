/** Web and worker in one process: the right size for a city of 100,000 calls a year. */
import { bootstrap } from "./bootstrap.js";
import { runUntilSignalled, startWeb, startWorker } from "./services.js";

const { config, log } = bootstrap();
await runUntilSignalled(log, [() => startWorker(config, log), () => startWeb(config, log)]);
