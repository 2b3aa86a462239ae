import type { Redis } from "ioredis";
import { EmergencyOverrideSchema, EmergencyOverrideToSet, type EmergencyOverride } from "../../domain/hours/index.js";
import type { OverrideRead, OverrideStore } from "../../domain/ports.js";
import { DEFAULT_KEY_PREFIX, overrideKey } from "./keys.js";

/**
 * The emergency override, one JSON value in Redis so every web instance serves the same line.
 * Its version (see {@link OverrideRead}) is that JSON as stored, or "" when there is none.
 */
export class RedisOverrideStore implements OverrideStore {
  private last: OverrideRead | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = DEFAULT_KEY_PREFIX,
  ) {}

  async get(): Promise<EmergencyOverride | null> {
    const raw = (await this.redis.get(this.key())) ?? "";
    // Read on every call: the same value is parsed once, and stays the same object.
    if (this.last?.version !== raw) this.last = { override: parse(raw), version: raw };
    return this.last.override;
  }

  lastRead(): OverrideRead | undefined {
    return this.last;
  }

  /**
   * Stores the override every instance serves.
   *
   * @throws ZodError (and stores nothing) for an override that is not valid, or that opens the line with no end
   */
  async set(override: EmergencyOverride): Promise<void> {
    const raw = JSON.stringify(EmergencyOverrideToSet.parse(override));
    await this.redis.set(this.key(), raw);
    this.last = { override: parse(raw), version: raw };
  }

  async clear(): Promise<void> {
    await this.redis.del(this.key());
    this.last = { override: null, version: "" };
  }

  private key(): string {
    return overrideKey(this.prefix);
  }
}

/** The stored JSON as an override; null for none, and for a value that does not parse. */
function parse(raw: string): EmergencyOverride | null {
  if (!raw) return null;
  // A value that no longer parses (hand-edited, an older format, not even JSON) is ignored
  // rather than trusted: one bad key must not send every call to the fallback.
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  // Read leniently: an open override with no end, written some other way, is still returned (so
  // its message is spoken and the CLI can show it); activeOverride does not let it open the line.
  const parsed = EmergencyOverrideSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
