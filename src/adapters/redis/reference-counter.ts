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

// Raises the counter, never lowers it: another process may have counted past it meanwhile.
const RAISE_TO = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local wanted = tonumber(ARGV[1])
if current < wanted then redis.call('SET', KEYS[1], wanted) return wanted end
return current
`;

/**
 * Makes sure the next reference is above `highest`, the highest reference the records keep.
 * Redis may lose the counter (a restart without persistence, a new Redis); the records do not,
 * and a reference given twice would mix two residents' requests. Returns the counter's value.
 */
export async function keepReferencesAbove(redis: Redis, highest: number, prefix = DEFAULT_KEY_PREFIX): Promise<number> {
  return Number(await redis.eval(RAISE_TO, 1, referenceCounterKey(prefix), String(Math.max(0, highest - FIRST_REFERENCE))));
}
