import type { Redis } from "ioredis";
import type { Incident, IncidentEvent, IncidentStatus, PlannedStep } from "../../domain/oncall/incident.js";
import type { AcknowledgeResult, IncidentStore, OpenResult, ResolveResult, Resolver } from "../../domain/ports.js";
import type { UrgentReport } from "../../domain/report.js";
import { DEFAULT_KEY_PREFIX } from "./keys.js";
import { defineScript } from "./scripts.js";

/** A report of a place nobody has acknowledged or marked fixed joins its incident for this long at most. */
const OPEN_INDEX_TTL_SECONDS = 24 * 60 * 60;
/** Incidents are the City's record; keep them a year. */
const INCIDENT_TTL_SECONDS = 366 * 24 * 60 * 60;
/** What a crew member was paged for or took, for replies that leave the reference out. */
const CREW_INDEX_SECONDS = 7 * 24 * 60 * 60;
/** A resident's reports, for answering their texts. */
const RESIDENT_INDEX_SECONDS = 30 * 24 * 60 * 60;
const RESIDENT_REPORTS_KEPT = 5;
/** Incidents read at a time when looking for those not fixed yet. */
const RECENT_PAGE = 100;

// Opens an incident for the report, or joins the one for the same category and place: while it is
// open and its chain still pages, or for `joinWindowMs` after it was acknowledged. A retried job for a report that already
// opened or joined changes nothing. Every report's reference leads to its incident, and the
// resident's number to their reports.
const OPEN_OR_JOIN = `
local prefix, reference, report, createdAt, category, place, nowMs = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
local incidentTtl, indexTtl, joinWindowMs, resident, residentTtl = ARGV[8], ARGV[9], tonumber(ARGV[10]), ARGV[11], ARGV[12]
local alias = prefix .. 'report-incident:' .. reference
local known = redis.call('GET', alias)
if known then return {known == reference and 'existing' or 'joined', known} end
if redis.call('EXISTS', prefix .. 'incident:' .. reference) == 1 then return {'existing', reference} end
if resident ~= '' then
  local residentKey = prefix .. 'resident:' .. resident
  redis.call('ZADD', residentKey, nowMs, reference)
  redis.call('ZREMRANGEBYRANK', residentKey, 0, -(tonumber(ARGV[13]) + 1))
  redis.call('EXPIRE', residentKey, residentTtl)
end
local open = false
if KEYS[1] ~= '' then open = redis.call('GET', KEYS[1]) end
if open then
  local target = prefix .. 'incident:' .. open
  local status = redis.call('HGET', target, 'status')
  -- An open incident joins while its page chain runs; once every round went unanswered, a new
  -- report pages again, whoever is on call by then.
  local joinable = status == 'open' and not redis.call('HGET', target, 'chainEndedAt')
  if status == 'acknowledged' then
    joinable = tonumber(redis.call('HGET', target, 'acknowledgedAtMs') or '0') + joinWindowMs >= nowMs
  end
  if joinable then
    if redis.call('SADD', target .. ':refs', reference) == 1 then
      redis.call('RPUSH', target .. ':reports', report)
      redis.call('HINCRBY', target, 'unsummarized', 1)
    end
    redis.call('SET', alias, open, 'EX', incidentTtl)
    return {'joined', open}
  end
end
local key = prefix .. 'incident:' .. reference
redis.call('HSET', key, 'reference', reference, 'category', category, 'place', place, 'status', 'open',
  'createdAt', createdAt, 'unsummarized', 0, 'openKey', KEYS[1])
redis.call('RPUSH', key .. ':reports', report)
redis.call('SADD', key .. ':refs', reference)
for _, k in ipairs({key, key .. ':reports', key .. ':refs'}) do redis.call('EXPIRE', k, incidentTtl) end
redis.call('SET', alias, reference, 'EX', incidentTtl)
redis.call('ZADD', prefix .. 'incidents', nowMs, reference)
-- The list of incidents forgets those that expired with their keys: it would grow by one an incident for ever.
redis.call('ZREMRANGEBYSCORE', prefix .. 'incidents', '-inf', nowMs - tonumber(incidentTtl) * 1000)
if KEYS[1] ~= '' then redis.call('SET', KEYS[1], reference, 'EX', indexTtl) end
return {'new', reference}
`;

// Acknowledges an open incident once; says who holds it otherwise.
const ACKNOWLEDGE = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing'} end
if status == 'open' then
  redis.call('HSET', KEYS[1], 'status', 'acknowledged', 'acknowledgedBy', ARGV[1], 'acknowledgedByPhone', ARGV[2],
    'acknowledgedAt', ARGV[3], 'acknowledgedAtMs', ARGV[4])
  return {'acknowledged'}
end
return {status, redis.call('HGET', KEYS[1], 'acknowledgedBy') or '', redis.call('HGET', KEYS[1], 'acknowledgedAt') or ''}
`;

// Marks it fixed, when the person may: the holder, a supervisor, or (while nobody holds it)
// someone who was paged for it.
const RESOLVE = `
local name, phone, at, reference, supervisor, mayCloseUntaken, atMs = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5] == '1', ARGV[6] == '1', ARGV[7]
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing'} end
if status == 'resolved' then return {'resolved-already'} end
if status == 'acknowledged' and not supervisor then
  local holderPhone = redis.call('HGET', KEYS[1], 'acknowledgedByPhone')
  local holder = redis.call('HGET', KEYS[1], 'acknowledgedBy') or ''
  -- Incidents acknowledged before the holder's number was kept know the holder by name only.
  local isHolder = (holderPhone and holderPhone == phone) or (not holderPhone and holder == name)
  if not isHolder then return {'held-by', holder, redis.call('HGET', KEYS[1], 'acknowledgedAt') or ''} end
end
if status == 'open' and not mayCloseUntaken then return {'not-taken'} end
redis.call('HSET', KEYS[1], 'status', 'resolved', 'resolvedBy', name, 'resolvedAt', at)
if status == 'open' then
  redis.call('HSET', KEYS[1], 'acknowledgedBy', name, 'acknowledgedByPhone', phone, 'acknowledgedAt', at, 'acknowledgedAtMs', atMs)
end
-- Free the place for new reports, unless a newer incident holds it already.
local openKey = redis.call('HGET', KEYS[1], 'openKey')
if openKey and openKey ~= '' and redis.call('GET', openKey) == reference then redis.call('DEL', openKey) end
return {'resolved', status}
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

  async openOrJoin(report: UrgentReport, placeKey: string, now: string, joinWindowMs: number): Promise<OpenResult> {
    const [outcome, reference] = (await this.openOrJoinScript(
      placeKey ? `${this.prefix}incident-open:${report.category}:${placeKey}` : "",
      this.prefix,
      report.reference,
      JSON.stringify(report),
      now,
      report.category,
      report.location,
      String(Date.parse(now)),
      String(INCIDENT_TTL_SECONDS),
      String(OPEN_INDEX_TTL_SECONDS),
      String(joinWindowMs),
      report.callbackNumber ?? "",
      String(RESIDENT_INDEX_SECONDS),
      String(RESIDENT_REPORTS_KEPT),
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
      plan: stepsOf(hash),
      events: events.map((event) => JSON.parse(event) as IncidentEvent),
      ...(hash.acknowledgedBy ? { acknowledgedBy: hash.acknowledgedBy, acknowledgedAt: hash.acknowledgedAt! } : {}),
      ...(hash.acknowledgedByPhone ? { acknowledgedByPhone: hash.acknowledgedByPhone } : {}),
      ...(hash.resolvedBy ? { resolvedBy: hash.resolvedBy, resolvedAt: hash.resolvedAt! } : {}),
    };
  }

  async lookup(reference: string): Promise<string | null> {
    const [[, alias], [, exists]] = (await this.redis
      .multi()
      .get(`${this.prefix}report-incident:${reference}`)
      .exists(this.key(reference))
      .exec()) as [[unknown, string | null], [unknown, number]];
    return alias ?? (exists === 1 ? reference : null);
  }

  async status(reference: string): Promise<IncidentStatus | null> {
    return (await this.redis.hget(this.key(reference), "status")) as IncidentStatus | null;
  }

  async recordStep(reference: string, step: PlannedStep): Promise<PlannedStep> {
    const field = `step:${step.index}`;
    const [, [, kept]] = (await this.redis
      .multi()
      .hsetnx(this.key(reference), field, JSON.stringify(step))
      .hget(this.key(reference), field)
      .exec()) as [unknown, [unknown, string]];
    return JSON.parse(kept) as PlannedStep;
  }

  async endChain(reference: string, at: string): Promise<void> {
    await this.redis.hset(this.key(reference), "chainEndedAt", at);
  }

  async addEvent(reference: string, event: IncidentEvent): Promise<void> {
    const key = `${this.key(reference)}:events`;
    await this.redis.multi().rpush(key, JSON.stringify(event)).expire(key, INCIDENT_TTL_SECONDS).exec();
  }

  async acknowledge(reference: string, by: { name: string; phone: string }, at: string): Promise<AcknowledgeResult> {
    const [status, holder = "", since = ""] = (await this.acknowledgeScript(this.key(reference), by.name, by.phone, at, String(Date.parse(at)))) as string[];
    if (status === "acknowledged" && holder === "") return { outcome: "acknowledged" };
    if (status === "missing") return { outcome: "missing" };
    return { outcome: status === "resolved" ? "resolved-already" : "acknowledged-already", by: holder, at: since };
  }

  async resolve(reference: string, by: Resolver, at: string): Promise<ResolveResult> {
    const [outcome, first = "", second = ""] = (await this.resolveScript(
      this.key(reference),
      by.name,
      by.phone,
      at,
      reference,
      by.supervisor ? "1" : "0",
      by.mayCloseUntaken ? "1" : "0",
      String(Date.parse(at)),
    )) as string[];
    switch (outcome) {
      case "resolved":
        return { outcome, was: first as "open" | "acknowledged" };
      case "held-by":
        return { outcome, by: first, at: second };
      case "missing":
      case "resolved-already":
      case "not-taken":
        return { outcome };
      default:
        throw new Error(`unexpected answer from the resolve script: ${outcome}`);
    }
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

  async notePage(phone: string, reference: string, at: string): Promise<void> {
    const key = `${this.prefix}crew-incidents:${phone}`;
    const atMs = Date.parse(at);
    await this.redis
      .multi()
      .zadd(key, atMs, reference)
      .zremrangebyscore(key, "-inf", atMs - CREW_INDEX_SECONDS * 1_000)
      .expire(key, CREW_INDEX_SECONDS)
      .exec();
  }

  async crewIncidents(phone: string): Promise<string[]> {
    return this.redis.zrevrange(`${this.prefix}crew-incidents:${phone}`, 0, 19);
  }

  async residentReports(phone: string): Promise<string[]> {
    return this.redis.zrevrange(`${this.prefix}resident:${phone}`, 0, -1);
  }

  /**
   * The newest `count` incidents, newest first; with `unresolved`, the newest `count` not fixed yet
   * (open or taken), however many fixed ones are newer.
   */
  async recent(count: number, options: { unresolved?: boolean } = {}): Promise<Incident[]> {
    const wanted = (incident: Incident | null): incident is Incident => incident !== null && (!options.unresolved || incident.status !== "resolved");
    const found: Incident[] = [];
    const seen = new Set<string>();
    // A page at a time: the list holds a year of incidents, most of them fixed long ago, so only
    // their status is read before the few wanted are read whole. Incidents opened meanwhile push
    // the list down: a page may start with the end of the one before, never past an incident.
    const page = options.unresolved ? RECENT_PAGE : count;
    for (let start = 0; found.length < count; start += page) {
      const references = await this.redis.zrevrange(`${this.prefix}incidents`, start, start + page - 1);
      const unseen = references.filter((reference) => !seen.has(reference) && seen.add(reference));
      const candidates = options.unresolved ? await this.notResolved(unseen) : unseen;
      found.push(...(await Promise.all(candidates.map((reference) => this.get(reference)))).filter(wanted));
      if (references.length < page) break;
    }
    return found.slice(0, count);
  }

  /** Those of `references` not fixed, by their status alone, in one round trip. */
  private async notResolved(references: string[]): Promise<string[]> {
    if (references.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const reference of references) pipeline.hget(this.key(reference), "status");
    const statuses = (await pipeline.exec()) ?? [];
    return references.filter((_, index) => statuses[index]?.[1] !== "resolved");
  }

  private key(reference: string): string {
    return `${this.prefix}incident:${reference}`;
  }
}

/** The steps of the chain an incident has paged, from its hash (`step:<n>` fields), in step order. */
function stepsOf(hash: Record<string, string>): PlannedStep[] {
  return Object.entries(hash)
    .filter(([field]) => field.startsWith("step:"))
    .map(([, json]) => JSON.parse(json) as PlannedStep)
    .sort((a, b) => a.index - b.index);
}
