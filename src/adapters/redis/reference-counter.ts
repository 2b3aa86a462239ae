import type { Redis } from "ioredis";
import { DEFAULT_KEY_PREFIX } from "./keys.js";

/** References start here so every one is six digits long for the first 900,000 requests. */
export const FIRST_REFERENCE = 100_000;

/** The Redis key of the line's one reference counter, under `prefix`. */
export function referenceCounterKey(prefix = DEFAULT_KEY_PREFIX): string {
  return `${prefix}reference-counter`;
}

/**
 * The next reference of the line: urgent reports, voicemails and online requests all count on
 * the one counter (`<prefix>reference-counter`, the key the report queue's script increments),
 * so no two requests ever share a reference, whatever filed them.
 *
 * @example await nextReference(redis) // "100042"
 */
export async function nextReference(redis: Redis, prefix = DEFAULT_KEY_PREFIX): Promise<string> {
  return String(FIRST_REFERENCE + (await redis.incr(referenceCounterKey(prefix))));
}
