/**
 * The wait before a job's `attempt`th retry (1 for the first): doubling from `firstMs`, capped at
 * `capMs`, with up to 30% taken off at random so workers do not retry in step. What every queue's
 * own backoff strategy computes, each with its own first wait and ceiling.
 */
export function cappedBackoffMs(attempt: number, firstMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(firstMs * 2 ** Math.max(0, attempt - 1), capMs);
  return Math.floor(ceiling * (0.7 + 0.3 * random()));
}
