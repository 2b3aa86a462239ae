import type { Redis } from "ioredis";
import {
  checkDefinitions,
  DEPARTMENTS_DOCUMENT,
  HOURS_DOCUMENT,
  ONCALL_DOCUMENT,
  type DefinitionSources,
  type FlowSet,
} from "../domain/definitions.js";
import { parseFlow } from "../domain/flow/parse.js";
import type { Flow } from "../domain/flow/schema.js";
import type { DocumentStore } from "../domain/ports.js";
import { formatProblem } from "../domain/validation.js";
import type { Logger } from "../logger.js";
import type { RedisOutageLog } from "../adapters/redis/outage-log.js";

/** What the webhooks and the worker serve from: the live set, and the flows calls in progress started on. */
export interface Definitions {
  /** The live set: what a new call, a new page, a new check uses. */
  current(): FlowSet;
  /**
   * The flow a call in progress started on, when it is not the live one: a call finishes on the
   * version it started with. Undefined when that version cannot be had (the call then goes on
   * with the live flow).
   */
  flowAt(name: string, version: number): Promise<Flow | undefined>;
}

/** A set that never changes: for a line serving files, and for tests. */
export function staticDefinitions(set: FlowSet): Definitions {
  return { current: () => set, flowAt: async (name) => set.flows.get(name) };
}

export interface LiveDefinitionsOptions {
  store: DocumentStore;
  /**
   * A connection of its own for SUBSCRIBE (a subscribed connection can do nothing else), and the
   * channel. It is closed on stop.
   */
  subscriber?: { redis: Redis; channel: string };
  /** The set served until the published one has been read (from `flows/`). */
  initial: FlowSet;
  log: Logger;
  /**
   * How often the publish counter is read, in case an announcement was missed (a reconnect).
   * @defaultValue 1000
   */
  checkEveryMs?: number;
  /** Older flow versions kept parsed for calls in progress. @defaultValue 20 */
  keepVersions?: number;
  /**
   * Told of a read that failed because Redis cannot be reached (a web role's reads fail fast, one
   * a second while it is down), so an outage is said in a few lines; other failures are logged here.
   */
  outage?: Pick<RedisOutageLog, "connectionError">;
}

/**
 * The published definitions as every instance serves them. A publish is announced on a Redis
 * channel and read at once; a counter of publishes, read every second, catches one missed while
 * disconnected. A set that fails its checks is never served (publishing checks first, so this
 * is a store edited by hand): the last good one keeps serving, and the problem is logged.
 */
export class LiveDefinitions implements Definitions {
  private set: FlowSet;
  private seenGeneration = -1;
  private reloading: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly older = new Map<string, Flow>();
  private readonly listeners: ((set: FlowSet) => void)[] = [];

  constructor(private readonly options: LiveDefinitionsOptions) {
    this.set = options.initial;
  }

  current(): FlowSet {
    return this.set;
  }

  /** Calls `listener` with each new live set (the crew desk and dispatcher take the new rosters). */
  onChange(listener: (set: FlowSet) => void): void {
    this.listeners.push(listener);
  }

  /** Reads the published set, then follows every publish until stopped. */
  async start(): Promise<this> {
    const { subscriber, log } = this.options;
    if (subscriber) {
      subscriber.redis.on("message", (channel: string) => {
        if (channel === subscriber.channel) void this.reload();
      });
      // Not awaited: while Redis is away the subscription waits for it, and the counter below serves.
      subscriber.redis.subscribe(subscriber.channel).catch((error: Error) =>
        log.warn({ err: error.message }, "could not follow publishes; checking every second instead"),
      );
    }
    await this.reload();
    this.timer = setInterval(() => void this.reload(), this.options.checkEveryMs ?? 1000);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.reloading;
    this.options.subscriber?.redis.disconnect();
  }

  async flowAt(name: string, version: number): Promise<Flow | undefined> {
    const live = this.set.flows.get(name);
    if (live?.version === version) return live;
    const key = `${name}:${version}`;
    const kept = this.older.get(key);
    if (kept) return kept;
    const published = await this.options.store.version("flow", name, version);
    if (!published) return undefined;
    try {
      const flow: Flow = { ...parseFlow(name, published.source, `${name}.yaml`).flow, version };
      this.keep(key, flow);
      return flow;
    } catch (error) {
      this.options.log.warn({ flow: name, version, err: (error as Error).message }, "a published flow version no longer reads: calls on it go on with the live one");
      return undefined;
    }
  }

  /** Reads the live set when anything was published since it was last read; one read at a time. */
  async reload(): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.again = false;
        await this.readPublished().catch((error: Error) => {
          if (this.options.outage?.connectionError(error, "reading the published flows")) return;
          this.options.log.warn({ err: error.message }, "could not read the published flows; serving the last ones read");
        });
      } while (this.again);
    })().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  private async readPublished(): Promise<void> {
    const { store, log } = this.options;
    const generation = await store.generation();
    if (generation === this.seenGeneration) return;
    const sources = await readPublishedSources(store);
    if (!sources) return;
    const checked = checkDefinitions(sources);
    this.seenGeneration = generation;
    if (!checked.set) {
      log.error({ problems: checked.errors.map(formatProblem) }, "the published flows do not pass their checks: the last good ones keep serving");
      return;
    }
    const previous = this.set;
    for (const [name, flow] of previous.flows) if (flow.version !== undefined) this.keep(`${name}:${flow.version}`, flow);
    this.set = checked.set;
    const versions = Object.fromEntries([...checked.set.versions.flows].map(([name, version]) => [`flow:${name}`, version]));
    const { hours, oncall, departments } = checked.set.versions;
    log.info({ ...versions, hours, oncall, departments }, "serving the published flows");
    for (const listener of this.listeners) {
      try {
        listener(checked.set);
      } catch (error) {
        log.error({ err: (error as Error).message }, "could not take the newly published flows everywhere: the roster may still be the old one for the crew's replies or pages");
      }
    }
  }

  private keep(key: string, flow: Flow): void {
    this.older.delete(key);
    this.older.set(key, flow);
    const limit = this.options.keepVersions ?? 20;
    for (const oldest of this.older.keys()) {
      if (this.older.size <= limit) break;
      this.older.delete(oldest);
    }
  }
}

/** The live version of every published document; null when nothing has been published yet. */
export async function readPublishedSources(store: DocumentStore): Promise<DefinitionSources | null> {
  const [flows, hours, oncall, departments] = await Promise.all([
    store.list("flow"),
    store.live("hours", HOURS_DOCUMENT),
    store.live("oncall", ONCALL_DOCUMENT),
    store.live("departments", DEPARTMENTS_DOCUMENT),
  ]);
  if (flows.length === 0 && !hours && !oncall && !departments) return null;
  const live = await Promise.all(flows.map((flow) => store.live("flow", flow.name)));
  return {
    flows: new Map(live.filter((flow) => flow !== null).map((flow) => [flow.name, { source: flow.source, version: flow.version }])),
    hours: hours && { source: hours.source, version: hours.version },
    oncall: oncall && { source: oncall.source, version: oncall.version },
    departments: departments && { source: departments.source, version: departments.version },
  };
}
