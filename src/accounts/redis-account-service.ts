import type { Redis } from "ioredis";
import { RedisAccountStore } from "../adapters/redis/account-store.js";
import { RedisAuditLog } from "../adapters/redis/audit-log.js";
import { DEFAULT_KEY_PREFIX } from "../adapters/redis/keys.js";
import { RedisSessionStore, type SessionTimeouts } from "../adapters/redis/session-store.js";
import { RedisSignInLimiter, type SignInLimits } from "../adapters/redis/sign-in-limiter.js";
import { AccountService } from "./accounts.js";
import type { ScryptParameters } from "./secrets.js";

export interface RedisAccountServiceOptions {
  /** @defaultValue `civic:` */
  prefix?: string;
  sessions?: SessionTimeouts;
  signInLimits?: Partial<SignInLimits>;
  passwordHashing?: ScryptParameters;
  now?: () => Date;
}

/**
 * The account service on one Redis connection, with its stores and audit log: what the web
 * process and `npm run users` both use. The audit log is returned too, for the other changes
 * (publishes, the emergency message) to be written into the same log.
 *
 * @example
 * const { accounts, audit } = createRedisAccountService(redis);
 */
export function createRedisAccountService(
  redis: Redis,
  options: RedisAccountServiceOptions = {},
): { accounts: AccountService; audit: RedisAuditLog } {
  const prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
  const now = options.now ?? (() => new Date());
  const audit = new RedisAuditLog(redis, { prefix });
  const accounts = new AccountService({
    accounts: new RedisAccountStore(redis, prefix),
    sessions: new RedisSessionStore(redis, { ...options.sessions, prefix, now }),
    audit,
    limiter: new RedisSignInLimiter(redis, { prefix, limits: options.signInLimits }),
    now,
    passwordHashing: options.passwordHashing,
  });
  return { accounts, audit };
}
