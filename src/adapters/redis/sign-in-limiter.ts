import type { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { delayAfterFailures, type GrowingDelay } from "../../domain/accounts.js";
import type { SignInLimiter } from "../../domain/ports.js";
import { DEFAULT_KEY_PREFIX } from "./keys.js";

/** One kind of count: its growing delay, and how long a run of failures is remembered. */
export interface FailureLimit extends GrowingDelay {
  /** Failures are counted for this long from the first of a run, then forgotten, in whole seconds. */
  windowSeconds: number;
}

/** How failed sign-ins are limited. */
export interface SignInLimits {
  /**
   * Failures signing in as one account from one address, forgotten at a success: a person who
   * mistypes a few times waits not at all, someone guessing waits longer each time.
   * @defaultValue 5 free, then 2 s doubling up to 15 minutes; counted over a day
   */
  perAccountAndAddress: FailureLimit;
  /**
   * Failures from one address, whatever the account: someone trying many names. Higher, as a
   * City office may sign several people in from one address.
   * @defaultValue 30 free, then 2 s doubling up to an hour; counted over a day
   */
  perAddress: FailureLimit;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  perAccountAndAddress: { freeFailures: 5, firstDelaySeconds: 2, maxDelaySeconds: 15 * 60, windowSeconds: 24 * 60 * 60 },
  perAddress: { freeFailures: 30, firstDelaySeconds: 2, maxDelaySeconds: 60 * 60, windowSeconds: 24 * 60 * 60 },
};

/**
 * A count of failures and a wait, for one kind of key. rate-limiter-flexible does the counting
 * (`penalty`, atomic in Redis) and the waiting (`block`, `get`); the two are kept apart because a
 * block replaces the count it is stored under, and the count is what makes the next wait longer.
 */
class FailureCount {
  private readonly failures: RateLimiterRedis;
  private readonly blocks: RateLimiterRedis;

  constructor(
    redis: Redis,
    keyPrefix: string,
    private readonly limit: FailureLimit,
  ) {
    this.failures = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${keyPrefix}:failures`, points: Math.max(limit.freeFailures, 1), duration: limit.windowSeconds });
    // One point and a block stored as points + 1: `get` shows a key as blocked while the block lasts.
    this.blocks = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${keyPrefix}:wait`, points: 1, duration: 1 });
  }

  async waitFor(key: string): Promise<number> {
    const block = await this.blocks.get(key);
    return block !== null && block.consumedPoints > 1 ? Math.max(block.msBeforeNext, 0) : 0;
  }

  async failed(key: string): Promise<number> {
    const { consumedPoints } = await this.failures.penalty(key);
    const seconds = delayAfterFailures(consumedPoints, this.limit);
    if (seconds === 0) return 0;
    await this.blocks.block(key, seconds);
    return seconds * 1000;
  }

  async forget(key: string): Promise<void> {
    await Promise.all([this.failures.delete(key), this.blocks.delete(key)]);
  }
}

/**
 * Failed sign-ins counted in Redis, so that every web instance refuses alike:
 * `civic:sign-in:account-address:{failures,wait}:<username> <address>` and
 * `civic:sign-in:address:{failures,wait}:<address>`.
 *
 * There is deliberately no count per account from any address: anyone could then keep a
 * supervisor out, in the middle of a storm, by typing their name with wrong passwords.
 */
export class RedisSignInLimiter implements SignInLimiter {
  private readonly perAccountAndAddress: FailureCount;
  private readonly perAddress: FailureCount;
  /** One password check under way per account and address; held at most a few seconds should a process die mid-check. */
  private readonly underWay: RateLimiterRedis;

  constructor(redis: Redis, options: { prefix?: string; limits?: Partial<SignInLimits> } = {}) {
    const prefix = `${options.prefix ?? DEFAULT_KEY_PREFIX}sign-in:`;
    const limits = { ...DEFAULT_SIGN_IN_LIMITS, ...options.limits };
    this.perAccountAndAddress = new FailureCount(redis, `${prefix}account-address`, limits.perAccountAndAddress);
    this.perAddress = new FailureCount(redis, `${prefix}address`, limits.perAddress);
    this.underWay = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}checking`, points: 1, duration: 5 });
  }

  async checking(username: string, address: string): Promise<boolean> {
    try {
      await this.underWay.consume(accountAndAddress(username, address));
      return true;
    } catch (rejection) {
      if (rejection instanceof Error) throw rejection;
      return false;
    }
  }

  async finished(username: string, address: string): Promise<void> {
    await this.underWay.delete(accountAndAddress(username, address));
  }

  async waitFor(username: string, address: string): Promise<number> {
    const waits = await Promise.all([this.perAccountAndAddress.waitFor(accountAndAddress(username, address)), this.perAddress.waitFor(address)]);
    return Math.max(...waits);
  }

  async failed(username: string, address: string): Promise<number> {
    const waits = await Promise.all([this.perAccountAndAddress.failed(accountAndAddress(username, address)), this.perAddress.failed(address)]);
    return Math.max(...waits);
  }

  async succeeded(username: string, address: string): Promise<void> {
    await this.perAccountAndAddress.forget(accountAndAddress(username, address));
  }
}

/** A name typed at the sign-in form can hold anything, a space included; encoded, it cannot run into the address. */
function accountAndAddress(username: string, address: string): string {
  return `${encodeURIComponent(username.slice(0, 64))} ${address}`;
}
