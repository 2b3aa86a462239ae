import type { Redis } from "ioredis";
import type { AuditEntry, AuditLog, AuditQuery } from "../../domain/ports.js";
import { DEFAULT_KEY_PREFIX } from "./keys.js";
import { defineScript } from "./scripts.js";

/** Options of the Redis audit log. */
export interface RedisAuditLogOptions {
  /** @defaultValue `civic:` */
  prefix?: string;
  /**
   * How many entries are kept; the oldest go first.
   * @defaultValue 10,000
   */
  capacity?: number;
  /**
   * A diff longer than this is cut, with a note saying so: one whole-file rewrite must not take
   * the room of hundreds of entries.
   * @defaultValue 100,000 characters
   */
  maxDiffLength?: number;
}

export const DEFAULT_AUDIT_CAPACITY = 10_000;
export const DEFAULT_MAX_DIFF_LENGTH = 100_000;
/** What `entries` returns without a limit, and the most it returns with one. */
export const DEFAULT_AUDIT_PAGE = 100;
export const MAX_AUDIT_PAGE = 1_000;

// Appends an entry under the next id, indexes it by user and by document, and drops the oldest
// past the cap from every index, all at once. The per-user and per-document keys of a dropped
// entry are only known from the entry itself, so they are built here rather than passed in
// (like the rest of Civic Line, this assumes one Redis, not a Cluster).
const RECORD = `
local id = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], id, ARGV[1])
redis.call('ZADD', KEYS[3], id, id)
local prefix = ARGV[3]
redis.call('ZADD', prefix .. 'user:' .. ARGV[4], id, id)
if ARGV[5] ~= '' then redis.call('ZADD', prefix .. 'document:' .. ARGV[5], id, id) end
local capacity = tonumber(ARGV[2])
while redis.call('ZCARD', KEYS[3]) > capacity do
  local oldest = redis.call('ZPOPMIN', KEYS[3])[1]
  local raw = redis.call('HGET', KEYS[2], oldest)
  if raw then
    local entry = cjson.decode(raw)
    redis.call('ZREM', prefix .. 'user:' .. entry.user, oldest)
    if type(entry.document) == 'string' then redis.call('ZREM', prefix .. 'document:' .. entry.document, oldest) end
    redis.call('HDEL', KEYS[2], oldest)
  end
end
return id
`;

/**
 * The audit log in Redis, until it moves to PostgreSQL:
 *
 * - `civic:audit:next-id`: the last id given;
 * - `civic:audit:entries`: a hash of id to the entry (JSON);
 * - `civic:audit:all`: the ids, scored by id, for newest-first pages;
 * - `civic:audit:user:<user>` and `civic:audit:document:<document>`: the same, per user and per document.
 */
export class RedisAuditLog implements AuditLog {
  private readonly recordScript;
  private readonly prefix: string;
  private readonly capacity: number;
  private readonly maxDiffLength: number;

  constructor(
    private readonly redis: Redis,
    options: RedisAuditLogOptions = {},
  ) {
    this.prefix = `${options.prefix ?? DEFAULT_KEY_PREFIX}audit:`;
    this.capacity = options.capacity ?? DEFAULT_AUDIT_CAPACITY;
    this.maxDiffLength = options.maxDiffLength ?? DEFAULT_MAX_DIFF_LENGTH;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new RangeError(`RedisAuditLog: capacity must be a positive whole number, got ${this.capacity}`);
    this.recordScript = defineScript(redis, "civicRecordAudit", 3, RECORD);
  }

  async record(entry: Omit<AuditEntry, "id">): Promise<AuditEntry> {
    const kept = this.withDiffCut(entry);
    const id = await this.recordScript(
      `${this.prefix}next-id`,
      this.entriesKey(),
      this.allKey(),
      JSON.stringify(kept),
      this.capacity,
      this.prefix,
      kept.user,
      kept.document ?? "",
    );
    return { id: String(id), ...kept };
  }

  /**
   * Newest first, `query.limit` at most (default 100, at most 1,000), older than `query.before`
   * when given. With both a user and a document, the user's entries are read and the others
   * skipped.
   */
  async entries(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_AUDIT_PAGE), 1), MAX_AUDIT_PAGE);
    const index =
      query.user !== undefined ? this.userKey(query.user) : query.document !== undefined ? this.documentKey(query.document) : this.allKey();
    const keep = (entry: AuditEntry) => query.user === undefined || query.document === undefined || entry.document === query.document;
    const found: AuditEntry[] = [];
    let below = query.before !== undefined && /^\d+$/.test(query.before) ? `(${query.before}` : "+inf";
    while (found.length < limit) {
      const ids = await this.redis.zrevrangebyscore(index, below, "-inf", "LIMIT", 0, limit);
      if (ids.length === 0) break;
      const raw = await this.redis.hmget(this.entriesKey(), ...ids);
      ids.forEach((id, position) => {
        const json = raw[position];
        if (json == null || found.length >= limit) return;
        const entry = { id, ...(JSON.parse(json) as Omit<AuditEntry, "id">) };
        if (keep(entry)) found.push(entry);
      });
      if (ids.length < limit) break;
      below = `(${ids[ids.length - 1]}`;
    }
    return found;
  }

  private withDiffCut(entry: Omit<AuditEntry, "id">): Omit<AuditEntry, "id"> {
    if (entry.diff === undefined || entry.diff.length <= this.maxDiffLength) return entry;
    return { ...entry, diff: `${entry.diff.slice(0, this.maxDiffLength)}\n[diff cut at ${this.maxDiffLength} characters]\n` };
  }

  private entriesKey(): string {
    return `${this.prefix}entries`;
  }

  private allKey(): string {
    return `${this.prefix}all`;
  }

  private userKey(user: string): string {
    return `${this.prefix}user:${user}`;
  }

  private documentKey(document: string): string {
    return `${this.prefix}document:${document}`;
  }
}
