import type { Redis } from "ioredis";
import type { Incident, IncidentEvent, IncidentStatus, PlannedStep } from "../../domain/oncall/incident.js";
import type { AcknowledgeResult, IncidentStore, OpenResult } from "../../domain/ports.js";
import type { UrgentReport } from "../../domain/report.js";
import { DEFAULT_KEY_PREFIX } from "./keys.js";
import { defineScript } from "./scripts.js";

/** A report of a place nobody has marked fixed joins its incident for this long at most. */
const OPEN_INDEX_TTL_SECONDS = 24 * 60 * 60;
/** Incidents are the City's record; keep them a year. */
const INCIDENT_TTL_SECONDS = 366 * 24 * 60 * 60;
/** A crew member's latest page, for a bare `ACK`. */
const LATEST_PAGE_TTL_SECONDS = 7 * 24 * 60 * 60;

// Opens an incident for the report, or joins the open one for the same category and place.
// A retried job for a report that already opened its incident changes nothing.
const OPEN_OR_JOIN = `
local prefix, reference, report, createdAt, category, place, plan, score = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
if redis.call('EXISTS', prefix .. 'incident:' .. reference) == 1 then return {'existing', reference} end
local open = false
if KEYS[1] ~= '' then open = redis.call('GET', KEYS[1]) end
if open then
  if redis.call('SADD', prefix .. 'incident:' .. open .. ':refs', reference) == 1 then
    redis.call('RPUSH', prefix .. 'incident:' .. open .. ':reports', report)
    redis.call('HINCRBY', prefix .. 'incident:' .. open, 'unsummarized', 1)
  end
  return {'joined', open}
end
local key = prefix .. 'incident:' .. reference
redis.call('HSET', key, 'reference', reference, 'category', category, 'place', place, 'status', 'open',
  'createdAt', createdAt, 'plan', plan, 'unsummarized', 0, 'openKey', KEYS[1])
redis.call('RPUSH', key .. ':reports', report)
redis.call('SADD', key .. ':refs', reference)
for _, k in ipairs({key, key .. ':reports', key .. ':refs'}) do redis.call('EXPIRE', k, ARGV[9]) end
redis.call('ZADD', prefix .. 'incidents', score, reference)
if KEYS[1] ~= '' then redis.call('SET', KEYS[1], reference, 'EX', ARGV[10]) end
return {'new', reference}
`;

// Acknowledges an open incident once; says who holds it otherwise.
const ACKNOWLEDGE = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing'} end
if status == 'open' then
  redis.call('HSET', KEYS[1], 'status', 'acknowledged', 'acknowledgedBy', ARGV[1], 'acknowledgedAt', ARGV[2])
  return {'acknowledged'}
end
return {status, redis.call('HGET', KEYS[1], 'acknowledgedBy') or '', redis.call('HGET', KEYS[1], 'acknowledgedAt') or ''}
`;

const RESOLVE = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status == 'resolved' then return 'resolved' end
redis.call('HSET', KEYS[1], 'status', 'resolved', 'resolvedBy', ARGV[1], 'resolvedAt', ARGV[2])
if status == 'open' then redis.call('HSET', KEYS[1], 'acknowledgedBy', ARGV[1], 'acknowledgedAt', ARGV[2]) end
-- Free the place for new reports, unless a newer incident holds it already.
local openKey = redis.call('HGET', KEYS[1], 'openKey')
if openKey and openKey ~= '' and redis.call('GET', openKey) == ARGV[3] then redis.call('DEL', openKey) end
return status
`;


/**
 * Incidents in Redis: a hash per incident (`civic:incident:<ref>`) with lists of its reports and
 * events, an index of open incidents by category and place so repeat reports join, and a sorted
 * set of every incident by time. Every change that others may race is one Lua script.
 */
export class RedisIncidentStore implements IncidentStore {
  private readonly openOrJoinScript;
  private readonly acknowledgeScript;
  private readonly resolveScript;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = DEFAULT_KEY_PREFIX,
  ) {
    this.openOrJoinScript = defineScript(redis, "civicOpenOrJoinIncident", 1, OPEN_OR_JOIN);
    this.acknowledgeScript = defineScript(redis, "civicAcknowledgeIncident", 1, ACKNOWLEDGE);
    this.resolveScript = defineScript(redis, "civicResolveIncident", 1, RESOLVE);
  }

  async openOrJoin(report: UrgentReport, placeKey: string, plan: PlannedStep[], now: string): Promise<OpenResult> {
    const [outcome, reference] = (await this.openOrJoinScript(
      placeKey ? `${this.prefix}incident-open:${report.category}:${placeKey}` : "",
      this.prefix,
      report.reference,
      JSON.stringify(report),
      now,
      report.category,
      report.location,
      JSON.stringify(plan),
      String(Date.parse(now)),
      String(INCIDENT_TTL_SECONDS),
      String(OPEN_INDEX_TTL_SECONDS),
    )) as [OpenResult["outcome"], string];
    return { outcome, reference };
  }

  async get(reference: string): Promise<Incident | null> {
    const key = this.key(reference);
    const [[, hash], [, reports], [, events]] = (await this.redis
      .multi()
      .hgetall(key)
      .lrange(`${key}:reports`, 0, -1)
      .lrange(`${key}:events`, 0, -1)
      .exec()) as [[unknown, Record<string, string>], [unknown, string[]], [unknown, string[]]];
    if (!hash.reference) return null;
    return {
      reference: hash.reference,
      category: hash.category ?? "",
      place: hash.place ?? "",
      status: (hash.status ?? "open") as IncidentStatus,
      createdAt: hash.createdAt ?? "",
      reports: reports.map((report) => JSON.parse(report) as UrgentReport),
      plan: JSON.parse(hash.plan ?? "[]") as PlannedStep[],
      events: events.map((event) => JSON.parse(event) as IncidentEvent),
      ...(hash.acknowledgedBy ? { acknowledgedBy: hash.acknowledgedBy, acknowledgedAt: hash.acknowledgedAt! } : {}),
      ...(hash.resolvedBy ? { resolvedBy: hash.resolvedBy, resolvedAt: hash.resolvedAt! } : {}),
    };
  }

  async status(reference: string): Promise<IncidentStatus | null> {
    return (await this.redis.hget(this.key(reference), "status")) as IncidentStatus | null;
  }

  async addEvent(reference: string, event: IncidentEvent): Promise<void> {
    const key = `${this.key(reference)}:events`;
    await this.redis.multi().rpush(key, JSON.stringify(event)).expire(key, INCIDENT_TTL_SECONDS).exec();
  }

  async acknowledge(reference: string, by: string, at: string): Promise<AcknowledgeResult> {
    const [status, holder = "", since = ""] = (await this.acknowledgeScript(this.key(reference), by, at)) as string[];
    if (status === "acknowledged" && holder === "") return { outcome: "acknowledged" };
    if (status === "missing") return { outcome: "missing" };
    return { outcome: status === "resolved" ? "resolved-already" : "acknowledged-already", by: holder, at: since };
  }

  /** Marks it fixed; returns what it was before ("open", "acknowledged", "resolved" or "missing"). */
  async resolve(reference: string, by: string, at: string): Promise<IncidentStatus | "missing"> {
    return (await this.resolveScript(this.key(reference), by, at, reference)) as IncidentStatus | "missing";
  }

  async unsummarized(reference: string): Promise<number> {
    return Number((await this.redis.hget(this.key(reference), "unsummarized")) ?? 0);
  }

  async markSummarized(reference: string, count: number): Promise<void> {
    await this.redis.hincrby(this.key(reference), "unsummarized", -count);
  }

  /** Marks a step's channel as sent; false when it already was (a retried job must not page twice). */
  async markSent(reference: string, step: number, channel: string): Promise<boolean> {
    const key = `${this.key(reference)}:sent`;
    const [[, added]] = (await this.redis.multi().sadd(key, `${step}:${channel}`).expire(key, INCIDENT_TTL_SECONDS).exec()) as [[unknown, number]];
    return added === 1;
  }

  async unmarkSent(reference: string, step: number, channel: string): Promise<void> {
    await this.redis.srem(`${this.key(reference)}:sent`, `${step}:${channel}`);
  }

  async wasSent(reference: string, step: number, channel: string): Promise<boolean> {
    return (await this.redis.sismember(`${this.key(reference)}:sent`, `${step}:${channel}`)) === 1;
  }

  async setLatestPage(phone: string, reference: string): Promise<void> {
    await this.redis.set(`${this.prefix}crew-latest:${phone}`, reference, "EX", LATEST_PAGE_TTL_SECONDS);
  }

  async latestPage(phone: string): Promise<string | null> {
    return this.redis.get(`${this.prefix}crew-latest:${phone}`);
  }

  /** The newest incidents first. */
  async recent(count: number): Promise<Incident[]> {
    const references = await this.redis.zrevrange(`${this.prefix}incidents`, 0, count - 1);
    const incidents = await Promise.all(references.map((reference) => this.get(reference)));
    return incidents.filter((incident): incident is Incident => incident !== null);
  }

  private key(reference: string): string {
    return `${this.prefix}incident:${reference}`;
  }
}
