import type { Redis } from "ioredis";
import type { CallState } from "../../domain/flow/call-state.js";
import type { CallEnd } from "../../domain/flow/call-record.js";
import type { CallStore, StoredCall } from "../../domain/ports.js";
import { CALL_TTL_SECONDS, DEFAULT_KEY_PREFIX, overrideKey } from "./keys.js";
import { defineScript } from "./scripts.js";

// Compare-and-set: a retried webhook racing the original must not advance the call twice.
const SAVE_IF_UNCHANGED = `
local current = redis.call('HGET', KEYS[1], 'step')
if (current == false and ARGV[1] == '0') or current == ARGV[1] then
  redis.call('HSET', KEYS[1], 'step', ARGV[2], 'call', ARGV[3], 'twiml', ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0
`;

// A new call's first step, worked out before anything was read: saved only while the call is
// unknown and the override is still the version (its JSON, "" for none) it was worked out with.
const START_IF_NEW = `
if redis.call('HEXISTS', KEYS[1], 'step') == 1 then return 0 end
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'step', ARGV[2], 'call', ARGV[3], 'twiml', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
`;

// Only a call the line knows: an end alone would be a hash with no state.
const MARK_ENDED = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'end', ARGV[1]) end
return 1
`;

/** Live calls in Redis: one hash per CallSid (`civic:call:<sid>`), with a TTL. */
export class RedisCallStore implements CallStore {
  private readonly saveIfUnchanged;
  private readonly markEndedIfKnown;
  private readonly startIfNew;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = DEFAULT_KEY_PREFIX,
  ) {
    this.saveIfUnchanged = defineScript(redis, "civicSaveCallIfUnchanged", 1, SAVE_IF_UNCHANGED);
    this.markEndedIfKnown = defineScript(redis, "civicMarkCallEnded", 1, MARK_ENDED);
    this.startIfNew = defineScript(redis, "civicStartCallIfNew", 2, START_IF_NEW);
  }

  async load(callSid: string): Promise<StoredCall | null> {
    const [call, twiml, end] = await this.redis.hmget(this.key(callSid), "call", "twiml", "end");
    if (!call || twiml === null || twiml === undefined) return null;
    return { call: JSON.parse(call) as CallState, twiml, ...(end ? { end: JSON.parse(end) as CallEnd } : {}) };
  }

  async markEnded(callSid: string, end: CallEnd): Promise<void> {
    await this.markEndedIfKnown(this.key(callSid), JSON.stringify(end));
  }

  async save(call: CallState, expectedStep: number, twiml: string): Promise<boolean> {
    const saved = await this.saveIfUnchanged(
      this.key(call.callSid),
      String(expectedStep),
      String(call.step),
      JSON.stringify(call),
      twiml,
      String(CALL_TTL_SECONDS),
    );
    return saved === 1;
  }

  async start(call: CallState, twiml: string, overrideVersion: string): Promise<boolean> {
    const started = await this.startIfNew(
      this.key(call.callSid),
      overrideKey(this.prefix),
      overrideVersion,
      String(call.step),
      JSON.stringify(call),
      twiml,
      String(CALL_TTL_SECONDS),
    );
    return started === 1;
  }

  private key(callSid: string): string {
    return `${this.prefix}call:${callSid}`;
  }
}
