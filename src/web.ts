/** The web role alone: Twilio webhooks and health checks. Run as many as the load needs. */
import { bootstrap } from "./bootstrap.js";
import { runUntilSignalled, startWeb } from "./services.js";

const { config, log } = bootstrap();
await runUntilSignalled(log, [() => startWeb(config, log)]);
