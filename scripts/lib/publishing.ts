/**
 * The publisher the command-line tools use (`flows -- import`, `npm run dev` watching `flows/`),
 * with what follows a publish made from the console too: the audit log entry, and the SMS to
 * crew members whose time on call a roster change moved. Those go through the line's own pager
 * when its configuration can be read, else to the console pager's outbox, said on stderr.
 */
import type { Redis } from "ioredis";
import { ConsolePager } from "../../src/adapters/console-pager.js";
import { RedisAuditLog } from "../../src/adapters/redis/audit-log.js";
import { RedisDocumentStore } from "../../src/adapters/redis/document-store.js";
import { loadConfig } from "../../src/config/env.js";
import { publishEffects } from "../../src/definitions/publish-effects.js";
import { Publisher } from "../../src/definitions/publisher.js";
import type { Pager } from "../../src/domain/oncall/pager.js";
import { createLogger } from "../../src/logger.js";
import { createPager } from "../../src/services.js";

export function commandLinePublisher(redis: Redis): Publisher {
  const log = createLogger({ level: process.env["LOG_LEVEL"] === "debug" ? "debug" : "warn", pretty: true });
  let pager: Pager;
  try {
    pager = createPager(loadConfig(process.env), redis, log);
  } catch {
    console.error("  (the line's configuration cannot be read here: texts telling the crew of a roster change go to the console outbox, npm run oncall -- outbox)");
    pager = new ConsolePager({ redis, logger: log });
  }
  return new Publisher({
    store: new RedisDocumentStore(redis),
    clock: () => new Date().toISOString(),
    onPublished: publishEffects({ audit: new RedisAuditLog(redis), pager, log }),
  });
}
