import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { Session, SessionStore } from "../../domain/ports.js";
import { DEFAULT_KEY_PREFIX } from "./keys.js";
import { defineScript } from "./scripts.js";

/** How long sessions last. */
export interface SessionTimeouts {
  /**
   * A session unused this long lapses; each use starts the count again.
   * @defaultValue 30 minutes
   */
  idleMs?: number;
  /**
   * A session lapses this long after sign-in, however much it is used.
   * @defaultValue 12 hours
   */
  absoluteMs?: number;
}

export const DEFAULT_SESSION_IDLE_MS = 30 * 60 * 1000;
export const DEFAULT_SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;

// The idle limit is the key's own expiry, restarted on each use but never past the absolute
// limit: Redis forgets a lapsed session by itself, whichever instance saw it last. The absolute
// end is checked against the caller's clock too, so a session never outlives it by a rounding.
const TOUCH = `
local fields = redis.call('HMGET', KEYS[1], 'username', 'csrfToken', 'createdAt', 'endsAt')
if not fields[1] then return false end
local left = tonumber(fields[4]) - tonumber(ARGV[1])
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return false
end
redis.call('PEXPIRE', KEYS[1], math.min(tonumber(ARGV[2]), left))
return {fields[1], fields[2], fields[3]}
`;

/**
 * Sessions in Redis, so that any web instance serves any supervisor:
 *
 * - `civic:session:<sha256 of the id>`: a hash of the username, the CSRF token, when it was made
 *   and when it must end, expiring after the idle time;
 * - `civic:sessions:<username>`: the set of that person's session keys, to end them all at once.
 *
 * Only a hash of the id is kept: someone who reads Redis cannot take over a session with it.
 */
export class RedisSessionStore implements SessionStore {
  private readonly touchScript;
  private readonly prefix: string;
  private readonly idleMs: number;
  private readonly absoluteMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly redis: Redis,
    options: SessionTimeouts & { prefix?: string; now?: () => Date } = {},
  ) {
    this.idleMs = options.idleMs ?? DEFAULT_SESSION_IDLE_MS;
    this.absoluteMs = options.absoluteMs ?? DEFAULT_SESSION_ABSOLUTE_MS;
    for (const [name, value] of [["idleMs", this.idleMs], ["absoluteMs", this.absoluteMs]] as const) {
      if (!Number.isInteger(value) || value <= 0) throw new RangeError(`RedisSessionStore: ${name} must be a positive whole number of milliseconds, got ${value}`);
    }
    this.prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
    this.now = options.now ?? (() => new Date());
    this.touchScript = defineScript(redis, "civicTouchSession", 1, TOUCH);
  }

  async create(session: Session): Promise<void> {
    const endsAt = Date.parse(session.createdAt) + this.absoluteMs;
    const key = this.sessionKey(session.id);
    const userKey = this.userKey(session.username);
    await this.redis
      .multi()
      .hset(key, { username: session.username, csrfToken: session.csrfToken, createdAt: session.createdAt, endsAt: String(endsAt) })
      .pexpire(key, Math.max(1, Math.min(this.idleMs, endsAt - this.now().getTime())))
      .sadd(userKey, key)
      // The list of a person's sessions outlives none of them, and goes once they have all lapsed.
      .pexpire(userKey, this.absoluteMs)
      .exec();
  }

  async touch(id: string): Promise<Session | null> {
    const fields = (await this.touchScript(this.sessionKey(id), this.now().getTime(), this.idleMs)) as [string, string, string] | null;
    if (!fields) return null;
    const [username, csrfToken, createdAt] = fields;
    return { id, username, csrfToken, createdAt };
  }

  async delete(id: string): Promise<void> {
    const key = this.sessionKey(id);
    const username = await this.redis.hget(key, "username");
    const transaction = this.redis.multi().del(key);
    if (username !== null) transaction.srem(this.userKey(username), key);
    await transaction.exec();
  }

  async deleteFor(username: string): Promise<number> {
    const userKey = this.userKey(username);
    const keys = await this.redis.smembers(userKey);
    if (keys.length === 0) return 0;
    const [[, removed] = []] = (await this.redis.multi().del(...keys).srem(userKey, ...keys).exec()) ?? [];
    return Number(removed ?? 0);
  }

  private sessionKey(id: string): string {
    return `${this.prefix}session:${createHash("sha256").update(id, "utf8").digest("hex")}`;
  }

  private userKey(username: string): string {
    return `${this.prefix}sessions:${username}`;
  }
}
