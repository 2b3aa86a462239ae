import type { Redis } from "ioredis";
import { EmergencyOverrideSchema, EmergencyOverrideToSet, type EmergencyOverride } from "../../domain/hours/index.js";
import type { OverrideStore } from "../../domain/ports.js";
import { DEFAULT_KEY_PREFIX } from "./keys.js";

/** The emergency override, one JSON value in Redis so every web instance serves the same line. */
export class RedisOverrideStore implements OverrideStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = DEFAULT_KEY_PREFIX,
  ) {}

  async get(): Promise<EmergencyOverride | null> {
    const raw = await this.redis.get(this.key());
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

  /**
   * Stores the override every instance serves.
   *
   * @throws ZodError (and stores nothing) for an override that is not valid, or that opens the line with no end
   */
  async set(override: EmergencyOverride): Promise<void> {
    await this.redis.set(this.key(), JSON.stringify(EmergencyOverrideToSet.parse(override)));
  }

  async clear(): Promise<void> {
    await this.redis.del(this.key());
  }

  private key(): string {
    return `${this.prefix}override`;
  }
}
