import type { Redis } from "ioredis";
import { z } from "zod";
import { ROLES, type Role } from "../../domain/accounts.js";
import type { Account, AccountStore, ApiTokenRecord, PasswordHash } from "../../domain/ports.js";
import { DEFAULT_KEY_PREFIX } from "./keys.js";
import { defineScript } from "./scripts.js";

// Each change is one script, so that no reader ever sees half of it: an account without its
// role, a token that signs in someone already removed.
const ADD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'role', ARGV[2], 'createdAt', ARGV[3], 'password', ARGV[4])
redis.call('SADD', KEYS[2], ARGV[1])
return 1
`;

const REMOVE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local hashes = redis.call('HKEYS', KEYS[2])
for _, hash in ipairs(hashes) do redis.call('HDEL', KEYS[4], hash) end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
return 1
`;

const SET_FIELD = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

const ADD_TOKEN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
return 1
`;

const PasswordHashSchema = z.object({
  algorithm: z.literal("scrypt"),
  cost: z.number().int().min(2),
  blockSize: z.number().int().min(1),
  parallelization: z.number().int().min(1),
  salt: z.string().min(1),
  hash: z.string().min(1),
}) satisfies z.ZodType<PasswordHash>;

const StoredAccountSchema = z.object({
  role: z.enum(ROLES),
  createdAt: z.string(),
  password: z.string().transform((text, context) => {
    try {
      return PasswordHashSchema.parse(JSON.parse(text));
    } catch {
      context.addIssue({ code: "custom", message: "not a password hash" });
      return z.NEVER;
    }
  }),
});

/**
 * Accounts in Redis, shared by every web instance and `npm run users`:
 *
 * - `civic:accounts`: the set of usernames;
 * - `civic:account:<username>`: a hash of its role, creation time and password hash (JSON);
 * - `civic:account:<username>:tokens`: its API tokens, SHA-256 to creation time;
 * - `civic:api-tokens`: every token's SHA-256 to its holder, to find who a bearer is in one read.
 */
export class RedisAccountStore implements AccountStore {
  private readonly addScript;
  private readonly removeScript;
  private readonly setFieldScript;
  private readonly addTokenScript;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = DEFAULT_KEY_PREFIX,
  ) {
    this.addScript = defineScript(redis, "civicAddAccount", 2, ADD);
    this.removeScript = defineScript(redis, "civicRemoveAccount", 4, REMOVE);
    this.setFieldScript = defineScript(redis, "civicSetAccountField", 1, SET_FIELD);
    this.addTokenScript = defineScript(redis, "civicAddApiToken", 3, ADD_TOKEN);
  }

  /**
   * The account, or null; an account whose fields no longer parse (edited by hand) is null too:
   * it signs nobody in rather than anybody.
   */
  async get(username: string): Promise<Account | null> {
    const [fields, tokens] = await Promise.all([this.redis.hgetall(this.accountKey(username)), this.redis.hgetall(this.tokensKey(username))]);
    const parsed = StoredAccountSchema.safeParse(fields);
    if (!parsed.success) return null;
    return {
      username,
      role: parsed.data.role,
      password: parsed.data.password,
      tokens: Object.entries(tokens)
        .map(([hash, createdAt]) => ({ hash, createdAt }))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
      createdAt: parsed.data.createdAt,
    };
  }

  async findByTokenHash(hash: string): Promise<Account | null> {
    const username = await this.redis.hget(this.tokenIndexKey(), hash);
    if (username === null) return null;
    const account = await this.get(username);
    // The index and the account's own list change together; both must say so for the token to count.
    return account?.tokens.some((token) => token.hash === hash) ? account : null;
  }

  async list(): Promise<Account[]> {
    const usernames = (await this.redis.smembers(this.namesKey())).sort();
    const accounts = await Promise.all(usernames.map((username) => this.get(username)));
    return accounts.filter((account): account is Account => account !== null);
  }

  async add(account: Omit<Account, "tokens">): Promise<boolean> {
    const added = await this.addScript(
      this.accountKey(account.username),
      this.namesKey(),
      account.username,
      account.role,
      account.createdAt,
      JSON.stringify(account.password),
    );
    return added === 1;
  }

  async remove(username: string): Promise<boolean> {
    const removed = await this.removeScript(this.accountKey(username), this.tokensKey(username), this.namesKey(), this.tokenIndexKey(), username);
    return removed === 1;
  }

  async setPassword(username: string, password: PasswordHash): Promise<boolean> {
    return (await this.setFieldScript(this.accountKey(username), "password", JSON.stringify(password))) === 1;
  }

  async setRole(username: string, role: Role): Promise<boolean> {
    return (await this.setFieldScript(this.accountKey(username), "role", role)) === 1;
  }

  async addToken(username: string, token: ApiTokenRecord): Promise<boolean> {
    const added = await this.addTokenScript(this.accountKey(username), this.tokensKey(username), this.tokenIndexKey(), token.hash, token.createdAt, username);
    return added === 1;
  }

  private accountKey(username: string): string {
    return `${this.prefix}account:${username}`;
  }

  private tokensKey(username: string): string {
    return `${this.prefix}account:${username}:tokens`;
  }

  private namesKey(): string {
    return `${this.prefix}accounts`;
  }

  private tokenIndexKey(): string {
    return `${this.prefix}api-tokens`;
  }
}
