import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import { PagerError, type Pager } from "../domain/oncall/pager.js";
import type { Logger } from "../logger.js";
import { DEFAULT_KEY_PREFIX } from "./redis/keys.js";

/** A page the console pager kept instead of sending. */
export interface OutboxEntry {
  /** `SM...` for an SMS, `CA...` for a call: 32 hex digits after the prefix, like Twilio's sids. */
  id: string;
  kind: "sms" | "call";
  to: string;
  /** The text of an SMS. */
  body?: string;
  /** The TwiML URL of a call. */
  url?: string;
  /** When it was kept, ISO 8601. */
  at: string;
}

const outboxEntrySchema = z.object({
  id: z.string().regex(/^(SM|CA)[0-9a-f]{32}$/),
  kind: z.enum(["sms", "call"]),
  to: z.string(),
  body: z.string().optional(),
  url: z.string().optional(),
  at: z.string(),
});

export interface ConsolePagerOptions {
  redis: Redis;
  logger: Logger;
  /** @defaultValue `civic:` ({@link DEFAULT_KEY_PREFIX}) */
  keyPrefix?: string;
  /**
   * How many pages the outbox keeps; older ones are dropped.
   * @defaultValue 500
   */
  outboxSize?: number;
  /** The clock that stamps `at`. @defaultValue `() => new Date()` */
  now?: () => Date;
}

/** The number of pages the outbox keeps unless told otherwise. */
export const DEFAULT_OUTBOX_SIZE = 500;

/** The Redis list of kept pages, newest first. */
export function outboxKey(prefix: string = DEFAULT_KEY_PREFIX): string {
  return `${prefix}outbox`;
}

/**
 * The pager for development and for cities without Twilio credentials: it sends nothing, logs
 * each page and keeps it in a capped Redis list (`${prefix}outbox`, newest first) that
 * `npm run oncall -- outbox` reads with {@link readOutbox}.
 *
 * @example
 * const pager = new ConsolePager({ redis, logger });
 * await pager.sendSms("+14035550123", "Water main break at 5th Ave S"); // "SM3f9c..."
 */
export class ConsolePager implements Pager {
  readonly #redis: Redis;
  readonly #logger: Logger;
  readonly #key: string;
  readonly #size: number;
  readonly #now: () => Date;

  constructor(options: ConsolePagerOptions) {
    if (options.outboxSize !== undefined && !(Number.isInteger(options.outboxSize) && options.outboxSize > 0)) {
      throw new RangeError(`ConsolePager: outboxSize must be a positive integer, got ${options.outboxSize}`);
    }
    this.#redis = options.redis;
    this.#logger = options.logger;
    this.#key = outboxKey(options.keyPrefix);
    this.#size = options.outboxSize ?? DEFAULT_OUTBOX_SIZE;
    this.#now = options.now ?? (() => new Date());
  }

  sendSms(to: string, body: string): Promise<string> {
    return this.#keep({ id: newId("SM"), kind: "sms", to, body, at: this.#now().toISOString() });
  }

  placeCall(to: string, twimlUrl: string): Promise<string> {
    return this.#keep({ id: newId("CA"), kind: "call", to, url: twimlUrl, at: this.#now().toISOString() });
  }

  async #keep(entry: OutboxEntry): Promise<string> {
    try {
      const results = await this.#redis
        .multi()
        .lpush(this.#key, JSON.stringify(entry))
        .ltrim(this.#key, 0, this.#size - 1)
        .exec();
      const failed = results?.find(([error]) => error)?.[0];
      if (!results || failed) throw failed ?? new Error("the transaction was discarded");
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new PagerError("temporary", `console pager could not keep the ${entry.kind}: ${reason}`, { to: entry.to });
    }
    // `to` stays a top-level field so the logger masks it. The text itself stays out of the log:
    // a page carries the caller's number and words (npm run oncall -- outbox shows it).
    const { id, kind, to, body, url } = entry;
    this.#logger.info(
      { pager: "console", id, kind, to, ...(body !== undefined ? { length: body.length } : { url }) },
      `${kind === "sms" ? "SMS" : "call"} kept in the outbox, not sent (npm run oncall -- outbox)`,
    );
    return entry.id;
  }
}

/**
 * The newest `count` pages in the outbox, newest first. Entries that are not outbox JSON (written
 * by something else) are skipped.
 */
export async function readOutbox(redis: Redis, prefix: string = DEFAULT_KEY_PREFIX, count = 20): Promise<OutboxEntry[]> {
  if (count <= 0) return [];
  const raw = await redis.lrange(outboxKey(prefix), 0, count - 1);
  const entries: OutboxEntry[] = [];
  for (const item of raw) {
    let json: unknown;
    try {
      json = JSON.parse(item);
    } catch {
      continue;
    }
    const parsed = outboxEntrySchema.safeParse(json);
    if (parsed.success) entries.push(parsed.data);
  }
  return entries;
}

function newId(prefix: "SM" | "CA"): string {
  return `${prefix}${randomBytes(16).toString("hex")}`;
}
