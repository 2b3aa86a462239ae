/**
 * `npm run dev` publishing what is saved in flows/, for the departments beside the flows: a saved
 * departments.yaml goes live as a publish from the console would, and a restart leaves a change a
 * person published live. Against the real Redis, under a key prefix of its own.
 */
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { RedisDocumentStore } from "../../src/adapters/redis/document-store.js";
import { Publisher } from "../../src/definitions/publisher.js";
import { publishFlowFiles } from "../../scripts/lib/watch-flows.js";
import { REDIS_URL } from "../helpers/line.js";

const departments = await readFile("flows/departments.yaml", "utf8");

describe("npm run dev publishing flows/", () => {
  const prefix = `test-${randomBytes(4).toString("hex")}:`;
  const redis = new Redis(REDIS_URL);
  const store = new RedisDocumentStore(redis, prefix);
  const publisher = new Publisher({ store, clock: () => new Date().toISOString() });
  let dir: string;
  /** What publishing printed, line by line: the developer reads it in the terminal. */
  let said: string[] = [];

  beforeAll(async () => {
    dir = path.join(await mkdtemp(path.join(tmpdir(), "watch-flows-")), "flows");
    await cp("flows", dir, { recursive: true });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    said = [];
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  /** Publishes the folder as npm run dev does (at its start: `keepPeoples`), keeping what it prints. */
  const publishFolder = async (atStart = false) => {
    vi.spyOn(console, "log").mockImplementation((line: string) => void said.push(line));
    vi.spyOn(console, "error").mockImplementation((line: string) => void said.push(line));
    await publishFlowFiles(publisher, dir, atStart ? store : undefined);
  };

  it("publishes departments.yaml with the rest, by files", async () => {
    await publishFolder(true);
    expect(await store.live("departments", "departments")).toMatchObject({ version: 1, author: "files", source: departments });
    expect(said).toContain(`  published ${dir}/departments.yaml as version 1: new requests from now on go by it`);
  });

  it("publishes a saved change to departments.yaml at once", async () => {
    await writeFile(path.join(dir, "departments.yaml"), departments.replace("\n  - name: Electric Utility", "\n  - name: Lethbridge Electric"));
    await publishFolder();
    expect(await store.live("departments", "departments")).toMatchObject({ version: 2, author: "files", source: expect.stringContaining("Lethbridge Electric") });
  });

  it("keeps the last good version live when a saved departments.yaml has a problem, and says why", async () => {
    await writeFile(path.join(dir, "departments.yaml"), departments.replace("services: [water]", "services: [Water]"));
    await publishFolder();
    expect((await store.live("departments", "departments"))!.version).toBe(2);
    expect(said).toContainEqual(expect.stringContaining('departments.yaml: departments[1].services[0]: "Water" is not a service code'));
  });

  it("at its start, leaves live the departments a person published since, and says so", async () => {
    await writeFile(path.join(dir, "departments.yaml"), departments);
    const theirs = departments.replace("services: [bylaw-parking]", "services: [bylaw-parking, animal-control]");
    expect(await publisher.publish("departments", "departments", { source: theirs, author: "alice", message: "animal control is bylaw's" })).toMatchObject({ outcome: "published", version: 3 });
    await publishFolder(true);
    expect(await store.live("departments", "departments")).toMatchObject({ version: 3, author: "alice" });
    expect(said).toContainEqual(expect.stringMatching(/departments\.yaml differs from version 3, published by alice: that stays live/));
  });
});
