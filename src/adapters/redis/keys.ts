/** The default prefix of every key Civic Line writes to Redis itself (BullMQ keeps its own `bull:`). */
export const DEFAULT_KEY_PREFIX = "civic:";

/** Live call state and the TwiML last sent for it. Kept a while after the call for late callbacks. */
export const CALL_TTL_SECONDS = 6 * 60 * 60;

/** The supervisor's emergency override: one JSON value every web instance serves. */
export function overrideKey(prefix: string): string {
  return `${prefix}override`;
}
