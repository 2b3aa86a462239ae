import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisAuditLog } from "../../src/adapters/redis/audit-log.js";
import { RedisDocumentStore } from "../../src/adapters/redis/document-store.js";
import { RedisOverrideStore } from "../../src/adapters/redis/override-store.js";
import { runScript } from "../helpers/cli.js";

// The CLI writes the line's own key (civic:override); a database of its own keeps it away from a dev server.
const base = new URL(process.env.REDIS_URL || "redis://127.0.0.1:6379");
base.pathname = "/13";
const REDIS_URL = base.toString();

function emergency(...args: string[]) {
  return runScript("hours.ts", ["emergency", ...args], { REDIS_URL });
}

describe("npm run hours -- emergency", { timeout: 60_000 }, () => {
  let redis: Redis;
  let overrides: RedisOverrideStore;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    overrides = new RedisOverrideStore(redis);
  });
  afterAll(async () => {
    await redis.flushdb();
    await redis.quit();
  });

  it("writes each change to the audit log, under --by, as the console's are", async () => {
    await emergency("set", "--message", "Water main repairs on 3 Ave S.", "--by", "Dana");
    await emergency("clear");
    const entries = await new RedisAuditLog(redis).entries({ document: "emergency" });
    expect(entries.slice(0, 2)).toEqual([
      expect.objectContaining({ user: "cli", action: "emergency", detail: 'message: "Water main repairs on 3 Ave S." → normal' }),
      expect.objectContaining({ user: "Dana", action: "emergency", detail: expect.stringMatching(/→ message: "Water main repairs on 3 Ave S\."$/) }),
    ]);
  });

  describe("reading the hours", () => {
    it("reads the version the line serves with --live, and says when the file differs from it", async () => {
      const file = await readFile("flows/hours.yaml", "utf8");
      await new RedisDocumentStore(redis).publish("hours", "hours", {
        source: file.replace(/summary: .*/, 'summary: "Weekdays from 8 to 4:30"'),
        author: "dana",
        message: "shorter",
        at: DateTime.now().toISO()!,
      });
      const live = await runScript("hours.ts", ["show", "--days", "1", "--live"], { REDIS_URL });
      expect(live.stdout).toMatch(/^Hours from hours \(published version \d+\)/);
      expect(live.stdout).toContain("Weekdays from 8 to 4:30");
      const fromFile = await runScript("hours.ts", ["show", "--days", "1"], { REDIS_URL });
      expect(fromFile.stderr).toMatch(/^note: the line serves published version \d+ of hours, which differs from flows\/hours\.yaml; add --live to read it/);
    });

    afterAll(async () => {
      // The other tests read flows/hours.yaml with nothing published.
      const published = await redis.keys("civic:doc*");
      if (published.length > 0) await redis.del(...published);
    });
  });

  it("sets a message and a closure that every instance reads from Redis", async () => {
    const result = await emergency("set", "--message", "Due to the storm, expect delays.", "--closed", "--until", "2099-01-01T08:00", "--by", "Dana");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/closed: every caller goes to the trouble line/);
    expect(await overrides.get()).toMatchObject({
      mode: "closed",
      message: "Due to the storm, expect delays.",
      until: "2099-01-01T08:00:00.000-07:00",
      setBy: "Dana",
    });
  });

  it("warns when a closure is set with no end, and says how to end it", async () => {
    const result = await emergency("set", "--closed");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Warning: --closed has no end: every caller, by day too, goes to the trouble line until `npm run hours -- emergency clear`");
  });

  it("does not warn when the closure has an end", async () => {
    const result = await emergency("set", "--message", "Due to the storm, expect delays.", "--closed", "--until", "2099-01-01T08:00", "--by", "Dana");
    expect(result.stdout).not.toContain("Warning:");
  });

  it("shows what is set", async () => {
    const result = await emergency("show");
    expect(result.stdout).toMatch(/message: "Due to the storm, expect delays\."/);
  });

  it("clears it", async () => {
    expect((await emergency("clear")).code).toBe(0);
    expect(await overrides.get()).toBeNull();
  });

  it("says there was nothing to clear when none is set, and tells the audit log nothing", async () => {
    const entriesBefore = await new RedisAuditLog(redis).entries({ document: "emergency" });
    const result = await emergency("clear");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Nothing to clear: no emergency override was set\.\n/);
    expect(result.stdout).not.toContain("cleared");
    expect(await new RedisAuditLog(redis).entries({ document: "emergency" })).toEqual(entriesBefore);
  });

  it("refuses a set that would do nothing, and changes nothing", async () => {
    const result = await emergency("set", "--by", "Dana");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/set needs --message, --closed or --open/);
    expect(await overrides.get()).toBeNull();
  });

  it("refuses --closed with --open", async () => {
    const result = await emergency("set", "--closed", "--open");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot both be set/);
  });

  it("refuses an end time already past", async () => {
    const result = await emergency("set", "--message", "x", "--until", "2001-01-01T00:00");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already past/);
  });

  it("refuses an end time that is not a time, saying how to write one", async () => {
    const result = await emergency("set", "--open", "--until", "tonight");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^hours: --until "tonight" is not a date and time; write it like \d{4}-\d\d-\d\dT08:00 \(local time in America\/Edmonton\)/);
  });

  it("shows the end and when it was set in the City's time, whatever offset they were written with", async () => {
    await redis.set("civic:override", JSON.stringify({ mode: "closed", until: "2099-01-01T15:00:00Z", setAt: "2098-12-31T23:30:00Z" }));
    const { stdout } = await emergency("show");
    expect(stdout).toContain("  until:   Thu 1 Jan 2099, 8:00 a.m. MST");
    expect(stdout).toContain("  set:     Wed 31 Dec 2098, 4:30 p.m. MST");
    await overrides.clear();
  });

  describe("--open, which switches the trouble line off", () => {
    let dir: string;
    /** An hours file in a folder of its own, for `--file`. */
    const hoursFile = async (name: string, text: string) => {
      const file = path.join(dir, name);
      await writeFile(file, text);
      return file;
    };
    const ALWAYS_OPEN = [
      "zone: America/Edmonton",
      "summary: every day, all day",
      "weekly:",
      "  - days: [monday, tuesday, wednesday, thursday, friday, saturday, sunday]",
      '    open: "00:00"',
      '    close: "24:00"',
      "",
    ].join("\n");

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), "hours-emergency-"));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("with --until, ends then", async () => {
      const result = await emergency("set", "--open", "--until", "2099-01-01T08:00", "--message", "Flood line open.");
      expect(result.code).toBe(0);
      expect(await overrides.get()).toMatchObject({ mode: "open", until: "2099-01-01T08:00:00.000-07:00" });
      await overrides.clear();
    });

    it("without --until, ends at that day's closing time (here midnight: the line is open all day)", async () => {
      const result = await emergency("set", "--open", "--file", await hoursFile("always-open.yaml", ALWAYS_OPEN));
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("The day menu stays on until today's closing time, 12 midnight; give --until for another end.");
      const stored = await overrides.get();
      const setAt = DateTime.fromISO(stored!.setAt!, { zone: "America/Edmonton" });
      expect(stored?.until).toBe(setAt.plus({ days: 1 }).startOf("day").toISO());
      await overrides.clear();
    });

    it("without --until on a day with no hours left, is refused and stores nothing", async () => {
      // Closed all day yesterday, today and tomorrow in Lethbridge, so the run falls on a closed day whenever it starts.
      const today = DateTime.now().setZone("America/Edmonton").startOf("day");
      const closures = [-1, 0, 1].map((days) => `  - { date: ${today.plus({ days }).toISODate()}, reason: a flood }`);
      const file = await hoursFile("closed-today.yaml", `${ALWAYS_OPEN}closures:\n${closures.join("\n")}\n`);
      const result = await emergency("set", "--open", "--message", "Flood line open.", "--file", file);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^hours: --open needs --until today: the line has no more scheduled hours on \w+ \d+ \w+, so say when the day menu should stop/);
      expect(await overrides.get()).toBeNull();
    });

    it("set without an end by other means, is shown as not obeyed", async () => {
      await redis.set("civic:override", JSON.stringify({ mode: "open" }));
      const { stdout } = await emergency("show");
      expect(stdout).toContain("line:    open, but with no end, so not obeyed: the schedule decides");
      await overrides.clear();
    });
  });

  it("suggests the action meant", async () => {
    const result = await emergency("sett");
    expect(result.stderr).toMatch(/unknown action "sett" \(did you mean "set"\?\)/);
  });
});
