import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisDocumentStore } from "../../src/adapters/redis/document-store.js";
import type { LiveDefinitions } from "../../src/definitions/live-definitions.js";
import { openDefinitions } from "../../src/definitions/open.js";
import { Publisher, type Published } from "../../src/definitions/publisher.js";
import { readFlowFiles } from "../../src/adapters/files/flow-source.js";
import type { FlowSet } from "../../src/domain/definitions.js";
import { createLogger } from "../../src/logger.js";
import { REDIS_URL } from "../helpers/line.js";

const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
const main = await readFile("flows/main.yaml", "utf8");
const withGreeting = (words: string) => main.replace(/Thank you for calling[^\n"]*/, words);
const departments = await readFile("flows/departments.yaml", "utf8");

describe("publishing flows, hours, rosters and departments", () => {
  const prefix = `test-${randomBytes(4).toString("hex")}:`;
  const redis = new Redis(REDIS_URL);
  const store = new RedisDocumentStore(redis, prefix);
  const published: Published[] = [];
  const publisher = new Publisher({ store, clock: () => new Date().toISOString(), onPublished: async (entry) => void published.push(entry) });
  const open = () => openDefinitions({ redis, location: REDIS_URL, flowsDir: "flows", log, prefix });
  const running: LiveDefinitions[] = [];
  let first: LiveDefinitions;

  /** Resolves with the next set `live` serves. */
  const nextSet = (live: LiveDefinitions) => new Promise<FlowSet>((resolve) => live.onChange(resolve));

  beforeAll(async () => {
    first = await open();
    running.push(first);
  });
  afterEach(() => {
    published.length = 0;
  });
  afterAll(async () => {
    for (const live of running) await live.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  describe("on a first start with nothing published", () => {
    it("publishes the files in flows/ as version 1, by files", async () => {
      expect(await store.list("flow")).toEqual([expect.objectContaining({ name: "main", version: 1, author: "files" })]);
      expect(await store.live("hours", "hours")).toMatchObject({ version: 1, author: "files" });
      expect(await store.live("oncall", "oncall")).toMatchObject({ version: 1, author: "files" });
      expect(await store.live("departments", "departments")).toMatchObject({ version: 1, author: "files", source: departments });
    });

    it("serves them, each flow naming its version", () => {
      expect(first.current().main.version).toBe(1);
      expect(first.current().versions).toEqual({ flows: new Map([["main", 1]]), hours: 1, oncall: 1, departments: 1 });
      expect(first.current().departments.departments).toHaveLength(7);
    });

    it("a second instance starting after publishes nothing again", async () => {
      const second = await open();
      running.push(second);
      expect((await store.history("flow", "main")).length).toBe(1);
      expect(second.current().main.version).toBe(first.current().main.version);
    });
  });

  describe("a valid change", () => {
    it("reaches every instance without a restart", async () => {
      const second = await open();
      running.push(second);
      const seen = Promise.all([nextSet(first), nextSet(second)]);
      const result = await publisher.publish("flow", "main", { source: withGreeting("Welcome to the City of Lethbridge."), author: "alice", message: "new greeting" });
      expect(result).toMatchObject({ outcome: "published" });
      const [one, two] = await seen;
      for (const set of [one, two]) expect(set.main.version).toBe((result as { version: number }).version);
      expect(JSON.stringify(two.main)).toContain("Welcome to the City of Lethbridge.");
    });

    it("is told once, with the source it replaced, for the audit log", async () => {
      const before = await store.live("flow", "main");
      await publisher.publish("flow", "main", { source: withGreeting("Hello from the City."), author: "bob", message: "shorter" });
      expect(published).toEqual([
        expect.objectContaining({ kind: "flow", name: "main", author: "bob", message: "shorter", before: before!.source, version: before!.version + 1 }),
      ]);
    });

    it("publishes nothing when the source is the live one already", async () => {
      const live = await store.live("flow", "main");
      expect(await publisher.publish("flow", "main", { source: live!.source, author: "bob", message: "again" })).toEqual({ outcome: "unchanged", version: live!.version });
      expect(published).toEqual([]);
    });
  });

  describe("a change to the departments", () => {
    it("reaches every instance without a restart", async () => {
      const seen = nextSet(first);
      const renamed = departments.replace("\n  - name: Electric Utility", "\n  - name: Lethbridge Electric");
      expect(await publisher.publish("departments", "departments", { source: renamed, author: "alice", message: "the utility's new name" })).toMatchObject({ outcome: "published", warnings: [] });
      const set = await seen;
      expect(set.departments.departments[0]?.name).toBe("Lethbridge Electric");
      expect(set.versions.departments).toBe((await store.live("departments", "departments"))!.version);
      expect(published).toEqual([expect.objectContaining({ kind: "departments", name: "departments", author: "alice", before: departments, after: renamed })]);
    });

    it("that leaves a service without a department is published, with a warning saying so", async () => {
      const result = await publisher.publish("departments", "departments", { source: departments.replace("services: [callback, general]", "services: [general]"), author: "alice", message: "no callbacks" });
      expect(result).toMatchObject({
        outcome: "published",
        warnings: [expect.objectContaining({ document: "departments.yaml", path: "departments", message: expect.stringMatching(/^requests for "callback" will be kept without a department/) })],
      });
    });

    it("with a problem is refused at its line, and the live departments keep serving", async () => {
      const live = (await store.live("departments", "departments"))!.version;
      const broken = departments.replace("services: [water]", "services: [power]");
      const result = await publisher.publish("departments", "departments", { source: broken, author: "alice", message: "oops" });
      expect(result).toMatchObject({
        outcome: "invalid",
        // The line after "name: Water and Wastewater": its services.
        errors: [{ line: broken.split("\n").findIndex((text) => text.includes("name: Water and Wastewater")) + 2, document: "departments.yaml", path: "departments[1].services[0]" }],
      });
      expect(result.outcome === "invalid" && result.errors.length).toBe(1);
      expect((await store.live("departments", "departments"))!.version).toBe(live);
    });
  });

  describe("an invalid change", () => {
    it("is refused with each problem at its line, and the live version keeps serving", async () => {
      const live = first.current().main.version;
      const broken = main.replace("next: urgent-menu", "next: urgnet-menu");
      const result = await publisher.publish("flow", "main", { source: broken, author: "alice", message: "typo" });
      expect(result.outcome).toBe("invalid");
      const errors = result.outcome === "invalid" ? result.errors : [];
      const line = broken.split("\n").findIndex((text) => text.includes("urgnet-menu")) + 1;
      expect(errors).toContainEqual(expect.objectContaining({ line, message: 'unknown state "urgnet-menu"', hint: 'did you mean "urgent-menu"?', document: "main.yaml" }));
      expect((await store.live("flow", "main"))!.version).toBe(live);
      expect(published).toEqual([]);
    });

    it("is refused when it breaks another document: a roster without a crew the flow pages", async () => {
      const oncall = (await store.live("oncall", "oncall"))!.source;
      const result = await publisher.publish("oncall", "oncall", { source: oncall.replace(/\n  roads:[\s\S]*$/, "\n"), author: "alice", message: "no roads" });
      expect(result).toMatchObject({ outcome: "invalid", errors: expect.arrayContaining([expect.objectContaining({ document: "main.yaml", line: null })]) });
    });
  });

  describe("conflicts and rollback", () => {
    it("refuses a publish made on a stale version", async () => {
      const live = (await store.live("flow", "main"))!.version;
      const result = await publisher.publish("flow", "main", { source: withGreeting("Stale."), author: "carol", message: "late", baseVersion: live - 1 });
      expect(result).toEqual({ outcome: "conflict", live });
    });

    it("rolls back by publishing an old version's source as a new version", async () => {
      const live = (await store.live("flow", "main"))!.version;
      const result = await publisher.rollback("flow", "main", 1, { author: "alice" });
      expect(result).toMatchObject({ outcome: "published", version: live + 1 });
      expect((await store.live("flow", "main"))!).toMatchObject({ source: main, message: "Rolled back to version 1" });
      expect(published[0]).toMatchObject({ rolledBackTo: 1 });
    });

    it("says so when the version to roll back to does not exist", async () => {
      expect(await publisher.rollback("flow", "main", 999, { author: "alice" })).toEqual({ outcome: "no-such-version" });
    });
  });

  describe("two changes each valid alone but not together, published at the same moment", () => {
    it("checks the later one again against the first, and refuses it", async () => {
      // A roster with a snow crew, which no flow pages yet: valid, with a warning.
      const oncall = (await store.live("oncall", "oncall"))!.source;
      const roads = oncall.slice(oncall.indexOf("\n  roads:"));
      const withSnow = `${oncall.trimEnd()}\n${roads.replace("\n  roads:", "\n  snow:")}`;
      expect(await publisher.publish("oncall", "oncall", { source: withSnow, author: "bob", message: "a snow crew" })).toMatchObject({ outcome: "published" });
      // Alice's flow sends road reports to the snow crew (valid while the roster has one); Bob drops
      // the snow crew (valid while no flow pages it). His lands between her check and her publish.
      const live = (await store.live("flow", "main"))!.source;
      const snowFlow = live.replace("set: { category: roads }", "set: { category: snow }");
      expect(snowFlow).not.toBe(live);
      let raced = false;
      const racing = Object.create(store, {
        publish: {
          value: async (...args: Parameters<typeof store.publish>) => {
            if (!raced) {
              raced = true;
              expect(await publisher.publish("oncall", "oncall", { source: oncall, author: "bob", message: "no snow crew after all" })).toMatchObject({ outcome: "published" });
            }
            return store.publish(...args);
          },
        },
      }) as typeof store;
      const alice = new Publisher({ store: racing, clock: () => new Date().toISOString() });
      const result = await alice.publish("flow", "main", { source: snowFlow, author: "alice", message: "snow" });
      expect(raced).toBe(true);
      expect(result).toMatchObject({ outcome: "invalid", errors: expect.arrayContaining([expect.objectContaining({ message: 'no on-call crew for category "snow"' })]) });
      expect((await store.live("flow", "main"))!.source).toBe(live);
    });
  });

  describe("calls in progress", () => {
    it("can still have the flow version they started on after newer ones are published", async () => {
      const started = first.current().main;
      const seen = nextSet(first);
      await publisher.publish("flow", "main", { source: withGreeting("A newer greeting."), author: "alice", message: "newer" });
      await seen;
      const kept = await first.flowAt("main", started.version!);
      expect(kept?.version).toBe(started.version);
      expect(JSON.stringify(kept)).toBe(JSON.stringify(started));
    });

    it("read an old version from the store when this instance never served it", async () => {
      const third = await open();
      running.push(third);
      const old = await third.flowAt("main", 1);
      expect(old?.version).toBe(1);
      expect(JSON.stringify(old)).toContain("Thank you for calling");
    });
  });

  describe("an announcement missed while disconnected", () => {
    it("is caught by the publish counter, read every second", async () => {
      const deaf = await openDefinitions({ redis, location: "redis://127.0.0.1:1", flowsDir: "flows", log, prefix });
      running.push(deaf);
      const seen = nextSet(deaf);
      const result = await publisher.publish("flow", "main", { source: withGreeting("Heard by polling."), author: "alice", message: "poll" });
      expect((await seen).main.version).toBe((result as { version: number }).version);
    });
  });
});

describe("a line first published before there were departments", () => {
  const redis = new Redis(REDIS_URL);
  const base = `test-${randomBytes(4).toString("hex")}-older-`;
  const running: LiveDefinitions[] = [];
  let folders: string;
  let lines = 0;
  /** Keys of its own, with the flows, hours and roster of flows/ published, and never any departments. */
  const olderLine = async () => {
    const prefix = `${base}${lines++}:`;
    const store = new RedisDocumentStore(redis, prefix);
    const files = await readFlowFiles("flows");
    const publisher = new Publisher({ store, clock: () => new Date().toISOString() });
    expect(await publisher.publishSet({ ...files, departments: null }, { author: "files", message: "before departments" })).toMatchObject({ outcome: "published" });
    return { store, prefix };
  };
  /** Starts an instance on the line's keys, serving the folder given. */
  const start = async (line: { prefix: string }, flowsDir = "flows") => {
    const live = await openDefinitions({ redis, location: REDIS_URL, flowsDir, log, prefix: line.prefix });
    running.push(live);
    return live;
  };

  beforeAll(async () => {
    folders = await mkdtemp(path.join(tmpdir(), "departments-start-"));
  });
  afterAll(async () => {
    for (const live of running) await live.stop();
    const keys = await redis.keys(`${base}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await rm(folders, { recursive: true, force: true });
  });

  it("publishes flows/departments.yaml as version 1 on its next start, and serves it", async () => {
    const line = await olderLine();
    const { store } = line;
    const live = await start(line);
    expect(await store.live("departments", "departments")).toMatchObject({ version: 1, author: "files", source: departments });
    expect(live.current().departments.departments).toHaveLength(7);
    expect(live.current().versions.departments).toBe(1);
    expect((await store.history("flow", "main")).length).toBe(1);
  });

  it("publishes it once when two instances start together", async () => {
    const line = await olderLine();
    await Promise.all([start(line), start(line)]);
    const { store } = line;
    expect(await store.history("departments", "departments")).toHaveLength(1);
  });

  it("keeps starting, without departments, when its departments.yaml does not pass", async () => {
    const line = await olderLine();
    const { store } = line;
    const dir = path.join(folders, "broken");
    await cp("flows", dir, { recursive: true });
    await writeFile(path.join(dir, "departments.yaml"), departments.replace("services: [water]", "services: [power]"));
    const live = await start(line, dir);
    expect(await store.live("departments", "departments")).toBeNull();
    expect(live.current().departments).toEqual({ departments: [] });
    expect(live.current().main.version).toBe(1);
  });

  it("keeps starting, without departments, when its folder has none", async () => {
    const line = await olderLine();
    const { store } = line;
    const dir = path.join(folders, "none");
    await cp("flows", dir, { recursive: true });
    await rm(path.join(dir, "departments.yaml"));
    const live = await start(line, dir);
    expect(await store.live("departments", "departments")).toBeNull();
    expect(live.current().versions.departments).toBe(0);
  });
});
