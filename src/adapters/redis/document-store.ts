import type { Redis } from "ioredis";
import type { DocumentKind, DocumentStore, DocumentVersion, PublishResult } from "../../domain/ports.js";
import { DEFAULT_KEY_PREFIX } from "./keys.js";
import { defineScript } from "./scripts.js";

/** The channel every publish is announced on, as `kind:name:version`, for instances to reload at once. */
export const DOCUMENTS_CHANNEL = "documents";

// Publishes atomically: refuses a stale base version, numbers the new version, keeps it in the
// document's history, makes it live, lists the document, and announces it. Versions are never
// removed: they are the City's record of what callers heard when.
const PUBLISH = `
local live = tonumber(redis.call('GET', KEYS[2]) or '0')
local base = tonumber(ARGV[2])
if base and base ~= live then return {'conflict', live} end
local checkedAt = tonumber(ARGV[5])
if checkedAt and checkedAt ~= tonumber(redis.call('GET', KEYS[5]) or '0') then return {'stale', live} end
local version = live + 1
local entry = cjson.decode(ARGV[1])
entry['version'] = version
redis.call('HSET', KEYS[1], version, cjson.encode(entry))
redis.call('SET', KEYS[2], version)
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('INCR', KEYS[5])
redis.call('PUBLISH', KEYS[4], ARGV[4] .. ':' .. version)
return {'published', version}
`;

/** Published flows, hours, rosters and departments with their history, in Redis so every instance serves the same. */
export class RedisDocumentStore implements DocumentStore {
  private readonly publishScript;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = DEFAULT_KEY_PREFIX,
  ) {
    this.publishScript = defineScript(redis, "civicPublishDocument", 5, PUBLISH);
  }

  /** The channel name publishes are announced on, under this store's prefix. */
  get channel(): string {
    return `${this.prefix}${DOCUMENTS_CHANNEL}`;
  }

  async generation(): Promise<number> {
    return Number((await this.redis.get(this.generationKey)) ?? 0);
  }

  async live(kind: DocumentKind, name: string): Promise<DocumentVersion | null> {
    const live = await this.redis.get(this.liveKey(kind, name));
    return live === null ? null : this.version(kind, name, Number(live));
  }

  async version(kind: DocumentKind, name: string, version: number): Promise<DocumentVersion | null> {
    const raw = await this.redis.hget(this.versionsKey(kind, name), String(version));
    return raw === null ? null : (JSON.parse(raw) as DocumentVersion);
  }

  async history(kind: DocumentKind, name: string): Promise<Omit<DocumentVersion, "source">[]> {
    const all = await this.redis.hvals(this.versionsKey(kind, name));
    return all
      .map((raw) => withoutSource(JSON.parse(raw) as DocumentVersion))
      .sort((a, b) => b.version - a.version);
  }

  async list(kind: DocumentKind): Promise<Omit<DocumentVersion, "source">[]> {
    const names = (await this.redis.smembers(this.namesKey(kind))).sort();
    const live = await Promise.all(names.map((name) => this.live(kind, name)));
    return live.filter((document): document is DocumentVersion => document !== null).map(withoutSource);
  }

  async publish(
    kind: DocumentKind,
    name: string,
    change: { source: string; author: string; message: string; at: string; baseVersion?: number; generation?: number },
  ): Promise<PublishResult> {
    const entry = { kind, name, source: change.source, author: change.author, at: change.at, message: change.message };
    const [outcome, version] = (await this.publishScript(
      this.versionsKey(kind, name),
      this.liveKey(kind, name),
      this.namesKey(kind),
      this.channel,
      this.generationKey,
      JSON.stringify(entry),
      change.baseVersion === undefined ? "" : String(change.baseVersion),
      name,
      `${kind}:${name}`,
      change.generation === undefined ? "" : String(change.generation),
    )) as [string, number];
    if (outcome === "conflict") return { outcome: "conflict", live: Number(version) };
    if (outcome === "stale") return { outcome: "stale" };
    return { outcome: "published", version: Number(version) };
  }

  /** Counts every publish of every document: one read tells an instance whether anything changed. */
  private get generationKey(): string {
    return `${this.prefix}docs:generation`;
  }

  private versionsKey(kind: DocumentKind, name: string): string {
    return `${this.prefix}doc:${kind}:${name}:versions`;
  }

  private liveKey(kind: DocumentKind, name: string): string {
    return `${this.prefix}doc:${kind}:${name}:live`;
  }

  private namesKey(kind: DocumentKind): string {
    return `${this.prefix}docs:${kind}`;
  }
}

function withoutSource(document: DocumentVersion): Omit<DocumentVersion, "source"> {
  const { source: _source, ...rest } = document;
  return rest;
}
