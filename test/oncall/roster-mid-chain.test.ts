import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RedisIncidentStore } from "../../src/adapters/redis/incident-store.js";
import { createLogger } from "../../src/logger.js";
import { Dispatcher } from "../../src/oncall/dispatcher.js";
import type { JobScheduler } from "../../src/oncall/jobs.js";
import { waterRoster } from "../fixtures/oncall/load.js";
import { at, REDIS_URL } from "../helpers/line.js";
import { RecordingPager } from "../helpers/recording-pager.js";

// A roster published while an incident is being paged may shorten its chain. The steps already
// scheduled must still end in the alarm: an open incident never stops paging in silence.

const NOW = at("2026-12-05T02:00");

/** Keeps the jobs the dispatcher schedules, so the test runs each step itself. */
class KeptJobs implements JobScheduler {
  readonly jobs: { name: string; data: object }[] = [];
  async add(name: string, data: object): Promise<void> {
    this.jobs.push({ name, data });
  }
}

describe("a roster published mid-chain with fewer rounds", () => {
  const prefix = `test-${randomBytes(4).toString("hex")}:`;
  const redis = new Redis(REDIS_URL);
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("raises the alarm at the next step past its new end, once, instead of stopping", async () => {
    const pager = new RecordingPager();
    const incidents = new RedisIncidentStore(redis, prefix);
    const dispatcher = new Dispatcher({
      roster: waterRoster({ weeks: "[{ primary: pat, backup: sam }]", rounds: 3 }),
      incidents,
      pager,
      jobs: new KeptJobs(),
      clock: () => NOW,
      log: createLogger({ level: "silent" }),
      publicUrl: "https://line.example.org",
    });
    const opened = await dispatcher.report({ reference: "700001", category: "water", location: "1210 Scenic Drive South", callbackNumber: null, callSid: `CA${"0".repeat(32)}`, receivedAt: NOW.toISO()! });
    const reference = opened.replace(/^incident /, "");
    dispatcher.useRoster(waterRoster({ weeks: "[{ primary: pat, backup: sam }]", rounds: 1 }));

    // Step 5 was scheduled under three rounds (three steps each); one round ends after step 2.
    expect(await dispatcher.page({ reference, step: 5 })).toBe("alarm");
    expect(await dispatcher.page({ reference, step: 6 })).toBe("alarm");
    const incident = await incidents.get(reference);
    expect(incident!.events.filter((event) => event.kind === "alarm")).toHaveLength(1);
    expect(pager.texts.filter((text) => text.to === "+14035550110")).toHaveLength(1);
  });
});
