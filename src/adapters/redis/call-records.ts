import type { Redis } from "ioredis";
import type { CallRecord, CallRecords } from "../../domain/ports.js";
import { CALL_TTL_SECONDS, DEFAULT_KEY_PREFIX } from "./keys.js";

/** How many call records the stream keeps (roughly a year of Lethbridge's calls). */
const MAX_RECORDS = 150_000;

/**
 * The record of every call, in a Redis stream (`civic:calls`), oldest trimmed past about a
 * year's worth. A retried status callback is recognised by a per-call marker and adds nothing.
 */
export class RedisCallRecords implements CallRecords {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = DEFAULT_KEY_PREFIX,
  ) {}

  async add(record: CallRecord): Promise<boolean> {
    const marker = `${this.prefix}recorded:${record.callSid}`;
    const first = await this.redis.set(marker, "1", "EX", CALL_TTL_SECONDS, "NX");
    if (first !== "OK") return false;
    try {
      await this.redis.xadd(`${this.prefix}calls`, "MAXLEN", "~", MAX_RECORDS, "*", "record", JSON.stringify(record));
    } catch (error) {
      // Not kept: let a retried callback try again.
      await this.redis.del(marker).catch(() => {});
      throw error;
    }
    return true;
  }

  async recent(count: number): Promise<CallRecord[]> {
    const entries = await this.redis.xrevrange(`${this.prefix}calls`, "+", "-", "COUNT", count);
    return entries.map(([, fields]) => JSON.parse(fields[1] ?? "{}") as CallRecord);
  }
}
