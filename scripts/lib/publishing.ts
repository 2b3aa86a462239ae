/**
 * The publisher the command-line tools use (`flows -- import`, `npm run dev` watching `flows/`),
 * with what follows a publish made from the console too: the audit log entry, and the SMS to
 * crew members whose time on call a roster change moved. Those are queued on the line's own
 * `twilio-sms` send queue, in the Redis given, as the web role queues them: the line's worker
 * sends them in their turn under Twilio's sending limits, through its own pager (Twilio, or the
 * console pager's outbox).
 */
import type { Redis } from "ioredis";
import { createSendQueue, SendQueueOutbox } from "../../src/adapters/bullmq/send-queues.js";
import { RedisAuditLog } from "../../src/adapters/redis/audit-log.js";
import { RedisDocumentStore } from "../../src/adapters/redis/document-store.js";
import { publishEffects } from "../../src/definitions/publish-effects.js";
import { Publisher } from "../../src/definitions/publisher.js";
import { createLogger } from "../../src/logger.js";

export function commandLinePublisher(redis: Redis): Publisher {
  const log = createLogger({ level: process.env["LOG_LEVEL"] === "debug" ? "debug" : "warn", pretty: true });
  // On the command's own connection, closed with it: the queue holds nothing else open. Its errors
  // are that connection's, which a publish that fails says: unheard, BullMQ would print each
  // reconnect's error with its stack (npm run dev's watcher, while Redis is down).
  const queue = createSendQueue(redis, "sms");
  queue.on("error", () => {});
  const texts = new SendQueueOutbox(queue);
  return new Publisher({
    store: new RedisDocumentStore(redis),
    clock: () => new Date().toISOString(),
    onPublished: publishEffects({ audit: new RedisAuditLog(redis), texts, log }),
  });
}
