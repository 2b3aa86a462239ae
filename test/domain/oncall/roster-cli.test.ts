import { runScript } from "../../helpers/cli.js";
import { afterAll, describe, expect, it } from "vitest";
import { RedisServer } from "../../helpers/redis-server.js";
import { FIXTURES, TEST_ROSTER } from "../../fixtures/oncall/load.js";

/** The lines of output, each split on the column gaps and trimmed. */
function cells(stdout: string): string[][] {
  return stdout.split("\n").map((line) => line.trim().split(/\s{2,}/));
}

/** The cells of the first line whose first cell is `label`. */
function line(stdout: string, label: string): string[] | undefined {
  return cells(stdout).find((row) => row[0] === label);
}

// A Redis of its own, where nothing is published: reading a file, the command notes a published
// version that differs from it, and a line on this machine's Redis (npm run dev) would be one.
const redis = await RedisServer.start({ appendOnly: false });
afterAll(() => redis.remove());
const oncallCli = (args: string[], env: Record<string, string> = {}) => runScript("oncall.ts", args, { REDIS_URL: redis.url, REDIS_SENTINELS: "", ...env });

// Each case starts its own process, so they run side by side, with room for a busy machine.
describe.concurrent("scripts/oncall.ts", { timeout: 60_000 }, () => {
  describe("who --at 2026-12-24T23:00 --category water", () => {
    const result = oncallCli(["who", "--at", "2026-12-24T23:00", "--category", "water"]);

    it("succeeds quietly", async () => {
      const { code, stderr } = await result;
      expect(code).toBe(0);
      expect(stderr).toBe("");
    });

    it("says when, in the roster's zone, and which file", async () => {
      expect((await result).stdout.split("\n")[0]).toBe("On call at Thu 2026-12-24 23:00 MST (America/Edmonton), from flows/oncall.yaml");
    });

    it("names Pat as primary through the Christmas override, with the full number", async () => {
      const { stdout } = await result;
      expect(line(stdout, "primary")).toEqual(["primary", "Pat Okafor", "+14035550111", "sms, voice"]);
      expect(line(stdout, "why")).toEqual(["why", "Pat covers Christmas; backup from rotation week 2"]);
      expect(line(stdout, "until")).toEqual(["until", "Sun 2026-12-27 00:00 MST"]);
    });

    it("names the backup and the supervisor, and how pages escalate", async () => {
      const { stdout } = await result;
      expect(line(stdout, "backup")).toEqual(["backup", "Lee Chen", "+14035550113", "sms, voice"]);
      expect(line(stdout, "supervisor")).toEqual(["supervisor", "Renee Blackwater", "+14035550110", "sms, voice"]);
      expect(line(stdout, "pages")).toEqual(["pages", "primary 10m, backup 10m, supervisor 15m; 3 rounds"]);
    });

    it("shows only water", async () => {
      const { stdout } = await result;
      expect(stdout).toContain("water: Water and sewer");
      expect(stdout).not.toContain("power:");
    });
  });

  it("who with no --category shows every category", async () => {
    const { code, stdout } = await oncallCli(["who", "--at", "2026-11-10T12:00"]);
    expect(code).toBe(0);
    expect(stdout.split("\n").filter((text) => /^[a-z-]+: /.test(text))).toEqual([
      "power: Electric",
      "water: Water and sewer",
      "roads: Roads and traffic signals",
    ]);
  });

  it("who --at takes an offset too, and shows the time in the roster's zone", async () => {
    const { stdout } = await oncallCli(["who", "--at", "2026-11-09T15:00:00Z", "--category", "water"]);
    expect(stdout.split("\n")[0]).toBe("On call at Mon 2026-11-09 08:00 MST (America/Edmonton), from flows/oncall.yaml");
    expect(line(stdout, "why")).toEqual(["why", "rotation week 2"]);
  });

  it("who says so when nobody is on call", async () => {
    const { code, stdout } = await oncallCli(["who", "--file", TEST_ROSTER, "--at", "2026-12-15T12:00", "--category", "lonely"]);
    expect(code).toBe(0);
    expect(line(stdout, "primary")).toEqual(["primary", "nobody"]);
    expect(line(stdout, "backup")).toEqual(["backup", "nobody"]);
    expect(stdout).toContain("NOBODY ON CALL: an urgent report pages the supervisor at once");
  });

  describe("gaps", () => {
    it("lists every stretch with nobody on call, with local times", async () => {
      const { code, stdout, stderr } = await oncallCli(["gaps", "--file", TEST_ROSTER, "--from", "2026-12-01", "--days", "45"]);
      expect(code).toBe(0);
      expect(stderr).toBe("");
      expect(stdout.split("\n")[0]).toBe(`Nobody on call, 45 days from 2026-12-01 (America/Edmonton), from ${TEST_ROSTER}`);
      expect(cells(stdout).filter((row) => row[0] === "lonely")).toEqual([
        ["lonely", "Tue 2026-12-01 00:00 MST", "Mon 2026-12-07 08:00 MST", "6 days 8 hours"],
        ["lonely", "Mon 2026-12-14 08:00 MST", "Mon 2026-12-28 08:00 MST", "14 days"],
        ["lonely", "Mon 2027-01-04 08:00 MST", "Fri 2027-01-15 00:00 MST", "10 days 16 hours"],
      ]);
    });

    it('says "No gaps." and exits 0 when there are none', async () => {
      const { code, stdout } = await oncallCli(["gaps", "--from", "2026-12-01", "--days", "60"]);
      expect(code).toBe(0);
      expect(stdout.trim().split("\n").at(-1)).toBe("No gaps.");
    });
  });

  it("reads $FLOWS_DIR/oncall.yaml", async () => {
    const { code, stdout, stderr } = await oncallCli(["who", "--at", "2026-11-10T12:00"], { FLOWS_DIR: `${FIXTURES}/no-such-dir` });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim()).toBe(`oncall: cannot read ${FIXTURES}/no-such-dir/oncall.yaml: no such file`);
  });

  it("--help prints the usage", async () => {
    const { code, stdout } = await oncallCli(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run oncall -- <command>/);
    expect(stdout).toContain("who [--at DATE-TIME] [--category NAME] [--file PATH]");
    expect(stdout).toContain("gaps [--from yyyy-MM-dd] [--days N] [--file PATH]");
  });

  it("who --help prints that command's usage", async () => {
    const { code, stdout } = await oncallCli(["who", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run oncall -- who \[--at DATE-TIME\]/);
  });

  describe("with bad arguments, says what is wrong on stderr and exits 1", () => {
    it.each([
      [["who", "--at", "tomorrow"], 'oncall: --at "tomorrow" is not a date and time; write it like 2026-12-24T23:00'],
      [["who", "--category", "watr"], 'oncall: unknown category "watr" (did you mean "water"?)'],
      [["who", "--categroy", "water"], "oncall: unknown option --categroy (did you mean --category?)"],
      [["gaps", "--from", "2026-13-01"], 'oncall: --from "2026-13-01" is not a date; write it as yyyy-MM-dd, e.g. 2026-12-20'],
      [["gaps", "--days", "0"], 'oncall: --days "0" must be a whole number from 1 to 366'],
      [["gasp"], 'oncall: unknown command "gasp" (did you mean "gaps"?)'],
    ])("%j", async (args, message) => {
      const { code, stdout, stderr } = await oncallCli(args);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr.split("\n")[0]).toBe(message);
    });
  });

  it("with a bad file, prints one line per problem and exits 1", async () => {
    const file = `${FIXTURES}/bad/many-problems.yaml`;
    const { code, stdout, stderr } = await oncallCli(["gaps", "--file", file]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(7);
    expect(lines[3]).toBe(`${file}: categories.Water.rotation.handoff.day: unknown weekday "mondy" (did you mean "monday"?)`);
  });
});
