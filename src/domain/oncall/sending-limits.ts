import { SegmentedMessage } from "sms-segments-calculator";

/**
 * Twilio's sending limits, as the worker keeps them: one send of a kind every
 * {@link sendIntervalMs}, across every worker (an SMS of several segments takes an interval for
 * each). Pure: the BullMQ adapter turns the interval into its rate limiter, and `npm run storm`
 * prints {@link pagingBoundMs} beside what it measured.
 */

/** How many calls and SMS the account may start per second (`TWILIO_CALLS_PER_SECOND`, `TWILIO_SMS_PER_SECOND`). */
export interface SendingRates {
  callsPerSecond: number;
  smsPerSecond: number;
}

/** Twilio's defaults: one call per second per account, one SMS segment per second from a long code. */
export const DEFAULT_SENDING_RATES: SendingRates = { callsPerSecond: 1, smsPerSecond: 1 };

/**
 * The time between two sends of a kind at `perSecond`, rounded up to a whole millisecond so the
 * rate is never exceeded: sends are spaced evenly rather than let out in bursts, so no second
 * holds more than the rate allows however the seconds are counted.
 *
 * @example
 * sendIntervalMs(1);   // 1000
 * sendIntervalMs(0.5); // 2000
 * sendIntervalMs(30);  // 34 (a short code's 30 a second, at most 1 ms per send slower)
 */
export function sendIntervalMs(perSecond: number): number {
  if (!(Number.isFinite(perSecond) && perSecond > 0)) throw new RangeError(`a sending rate must be a positive number per second, got ${perSecond}`);
  return Math.max(1, Math.ceil(1000 / perSecond));
}

/**
 * How many segments Twilio sends `body` as: a long code's limit counts segments, not messages. A
 * page is two at most (`MAX_PAGE_LENGTH`), most pages two: at 1 SMS segment a second, a page takes
 * two seconds of the limit. Counted by Twilio's own segment calculator (GSM-7, or UCS-2 when one
 * character needs it).
 *
 * @example
 * smsSegments("a".repeat(160)); // 1
 * smsSegments("a".repeat(161)); // 2 (joined segments carry 153 characters each)
 */
export function smsSegments(body: string): number {
  return Math.max(1, new SegmentedMessage(body).segmentsCount);
}

/** The most segments a text of the line's takes: pages and roster changes are written to fit two (`MAX_PAGE_LENGTH`). */
export const MAX_TEXT_SEGMENTS = 2;

/** How many of each kind of send are owed at once: SMS counted in segments. */
export interface SendCounts {
  sms: number;
  calls: number;
}

/**
 * How long, at most, it takes for `counts` sends queued at once to go out at `rates`: SMS and calls
 * go out side by side, each kind one every {@link sendIntervalMs}, so the bound is the longer of
 * the two queues, about N / rate seconds. It is the bound of the limits alone: Twilio's answer
 * time and the worker's own work come on top.
 *
 * @example
 * // 60 incidents whose primary takes SMS (two segments a page) and voice, at Twilio's defaults: two minutes.
 * pagingBoundMs({ sms: 120, calls: 60 }, { smsPerSecond: 1, callsPerSecond: 1 }); // 120_000
 */
export function pagingBoundMs(counts: SendCounts, rates: SendingRates): number {
  return Math.max(counts.sms * sendIntervalMs(rates.smsPerSecond), counts.calls * sendIntervalMs(rates.callsPerSecond));
}
