import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import { hashApiToken } from "../../accounts/secrets.js";
import type { Open311Key, Open311KeyStore } from "../../domain/open311/keys.js";
import { DEFAULT_KEY_PREFIX } from "./keys.js";
import { defineScript } from "./scripts.js";

// The key and its index change together, in one script, so no reader sees a key without its
// holder or a revoked key that still opens the door.
const ADD = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
return 1
`;

const REVOKE = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return 0 end
local hash = cjson.decode(stored).hash
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HGET', KEYS[2], hash) == ARGV[1] then redis.call('HDEL', KEYS[2], hash) end
return 1
`;

const StoredKey = z.object({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  department: z.string().nullable(),
  createdAt: z.string(),
});

/** Every Open311 key starts so, which tells it apart (in a log, a commit) from the console's API tokens. */
export const OPEN311_KEY_PREFIX = "civic311_";

/** What {@link newOpen311Key} gives: checked before any lookup, so junk never reaches Redis. */
export const OPEN311_KEY_PATTERN = /^civic311_[A-Za-z0-9_-]{43}$/;

/** A new key (32 random bytes) and the hash that is kept of it. The key itself is shown once. */
export function newOpen311Key(): { key: string; hash: string } {
  const key = `${OPEN311_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { key, hash: hashApiToken(key) };
}

/**
 * Open311 api_keys in Redis, shared by every web instance and `npm run open311`:
 *
 * - `civic:open311:keys`: key name to `{ hash, department, createdAt }` (JSON);
 * - `civic:open311:key-hashes`: each key's SHA-256 to its name, to find a key's holder in one read.
 */
export class RedisOpen311KeyStore implements Open311KeyStore {
  private readonly addScript;
  private readonly revokeScript;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = DEFAULT_KEY_PREFIX,
  ) {
    this.addScript = defineScript(redis, "civicAddOpen311Key", 2, ADD);
    this.revokeScript = defineScript(redis, "civicRevokeOpen311Key", 2, REVOKE);
  }

  async add(key: Open311Key): Promise<boolean> {
    const stored = JSON.stringify({ hash: key.hash, department: key.department, createdAt: key.createdAt });
    return (await this.addScript(this.keysKey(), this.hashesKey(), key.name, key.hash, stored)) === 1;
  }

  async list(): Promise<Omit<Open311Key, "hash">[]> {
    const entries = Object.entries(await this.redis.hgetall(this.keysKey()));
    return entries
      .map(([name, stored]) => this.read(name, stored))
      .filter((key): key is Open311Key => key !== null)
      .map(({ name, department, createdAt }) => ({ name, department, createdAt }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async revoke(name: string): Promise<boolean> {
    return (await this.revokeScript(this.keysKey(), this.hashesKey(), name)) === 1;
  }

  async findByHash(hash: string): Promise<Open311Key | null> {
    const name = await this.redis.hget(this.hashesKey(), hash);
    if (name === null) return null;
    const key = this.read(name, await this.redis.hget(this.keysKey(), name));
    // The index and the key change together; both must agree for the key to count.
    return key?.hash === hash ? key : null;
  }

  /** The key the API caller sent, or null when it is not a key at all or not one of ours. */
  async holderOf(key: string): Promise<Open311Key | null> {
    if (!OPEN311_KEY_PATTERN.test(key)) return null;
    return this.findByHash(hashApiToken(key));
  }

  /** A stored key, or null when it no longer parses (edited by hand): then it opens nothing. */
  private read(name: string, stored: string | null): Open311Key | null {
    if (stored === null) return null;
    try {
      const parsed = StoredKey.safeParse(JSON.parse(stored));
      return parsed.success ? { name, ...parsed.data } : null;
    } catch {
      return null;
    }
  }

  private keysKey(): string {
    return `${this.prefix}open311:keys`;
  }

  private hashesKey(): string {
    return `${this.prefix}open311:key-hashes`;
  }
}
