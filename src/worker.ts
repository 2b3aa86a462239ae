/** The worker role alone: the BullMQ processors. BullMQ hands each job to one worker. */
import { bootstrap } from "./bootstrap.js";
import { runUntilSignalled, startWorker } from "./services.js";

const { config, log } = bootstrap();
await runUntilSignalled(log, [() => startWorker(config, log)]);
