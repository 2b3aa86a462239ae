import { runScript } from "../../helpers/cli.js";
import { afterAll, describe, expect, it } from "vitest";
import { RedisServer } from "../../helpers/redis-server.js";
import { FIXTURES } from "../../fixtures/hours/load.js";

/** The table row for a date, its cells split on the column gaps. */
function row(stdout: string, date: string): string[] | undefined {
  return stdout
    .split("\n")
    .find((line) => line.startsWith(date))
    ?.split(/\s{2,}/);
}

/** The line that reads back a day, such as "Thu 24 Dec", without its indent. */
function day(stdout: string, name: string): string | undefined {
  return stdout
    .split("\n")
    .map((line) => line.trim())
    .find((line) => line.startsWith(`${name}:`));
}

// A Redis of its own, where nothing is published: reading a file, the command notes a published
// version that differs from it, and a line on this machine's Redis (npm run dev) would be one.
const redis = await RedisServer.start({ appendOnly: false });
afterAll(() => redis.remove());
const hoursCli = (args: string[], env: Record<string, string> = {}) => runScript("hours.ts", args, { REDIS_URL: redis.url, REDIS_SENTINELS: "", ...env });

// Each case starts its own process, so they run side by side, with room for a busy machine.
describe.concurrent("scripts/hours.ts", { timeout: 60_000 }, () => {
  describe("show --from 2026-12-20 --days 14", () => {
    const result = hoursCli(["show", "--from", "2026-12-20", "--days", "14"]);

    it("succeeds quietly", async () => {
      const { code, stderr } = await result;
      expect(code).toBe(0);
      expect(stderr).toBe("");
    });

    it("reads one line per day, under the year it is in", async () => {
      const lines = (await result).stdout.split("\n");
      expect(lines.filter((line) => /^ {2}\w{3} \d{1,2} \w{3}: /.test(line))).toHaveLength(14);
      expect(lines.indexOf("2027")).toBeGreaterThan(lines.indexOf("2026"));
      expect(lines.indexOf("2026")).toBeGreaterThan(-1);
    });

    it("reads the shortened day back in words: when it closes, and why", async () => {
      expect(day((await result).stdout, "Thu 24 Dec")).toBe("Thu 24 Dec: open 8:00 a.m. to 12 noon (closes early: Christmas Eve)");
    });

    it("names Christmas Day and the observed Boxing Day", async () => {
      const { stdout } = await result;
      expect(day(stdout, "Fri 25 Dec")).toBe("Fri 25 Dec: closed (Christmas Day)");
      expect(day(stdout, "Mon 28 Dec")).toBe("Mon 28 Dec: closed (Boxing Day, observed)");
    });

    it("reads a regular day's hours", async () => {
      expect(day((await result).stdout, "Mon 21 Dec")).toBe("Mon 21 Dec: open 8:00 a.m. to 4:30 p.m.");
    });

    it("notes a weekend date whose holiday is observed on a weekday", async () => {
      expect(day((await result).stdout, "Sat 26 Dec")).toBe("Sat 26 Dec: closed (weekend; Boxing Day is observed Mon 28 Dec)");
    });
  });

  it("holidays --year 2027 lists the year's holidays with observed notes", async () => {
    const { code, stdout } = await hoursCli(["holidays", "--year", "2027"]);
    expect(code).toBe(0);
    expect(row(stdout, "2027-12-27")).toEqual(["2027-12-27", "Monday", "Christmas Day", "observed; falls on Saturday 2027-12-25"]);
    expect(row(stdout, "2027-12-28")).toEqual(["2027-12-28", "Tuesday", "Boxing Day", "observed; falls on Sunday 2027-12-26"]);
    expect(row(stdout, "2027-03-26")).toEqual(["2027-03-26", "Friday", "Good Friday"]);
  });

  it("reads $FLOWS_DIR/hours.yaml", async () => {
    const { code, stdout } = await hoursCli(["show", "--from", "2027-01-15", "--days", "1"], { FLOWS_DIR: `${FIXTURES}/good` });
    expect(code).toBe(0);
    expect(stdout).toContain(`${FIXTURES}/good/hours.yaml`);
    expect(day(stdout, "Fri 15 Jan")).toBe("Fri 15 Jan: closed (staff training)");
  });

  it("reads a late opening and changed hours back in words", async () => {
    const { stdout } = await hoursCli(["show", "--from", "2027-01-16", "--days", "26"], { FLOWS_DIR: `${FIXTURES}/good` });
    expect(day(stdout, "Sat 16 Jan")).toBe("Sat 16 Jan: open 10:00 a.m. to 2:00 p.m. (changed hours: snow clearing calls)");
    expect(day(stdout, "Wed 10 Feb")).toBe("Wed 10 Feb: open 10:00 a.m. to 4:30 p.m. (opens late: a staff meeting)");
  });

  it("--help prints the usage", async () => {
    const { code, stdout } = await hoursCli(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run hours -- <command>/);
    expect(stdout).toContain("show [--from yyyy-MM-dd] [--days N] [--file PATH]");
    expect(stdout).toContain("holidays [--year YYYY] [--file PATH]");
  });

  describe("with bad arguments, says what is wrong on stderr and exits 1", () => {
    it.each([
      [["show", "--from", "2026-13-01"], 'hours: --from "2026-13-01" is not a date; write it as yyyy-MM-dd, e.g. 2026-12-20'],
      [["show", "--from", "20/12/2026"], 'hours: --from "20/12/2026" is not a date; write it as yyyy-MM-dd, e.g. 2026-12-20'],
      [["show", "--days", "0"], 'hours: --days "0" must be a whole number from 1 to 366'],
      [["show", "--days", "367"], 'hours: --days "367" must be a whole number from 1 to 366'],
      [["show", "--frm", "2026-12-20"], "hours: unknown option --frm (did you mean --from?)"],
      [["show", "--from"], "hours: option --from needs a value"],
      [["show", "--from", "--days", "3"], "hours: option --from needs a value"],
      // A negative number reads as an option: the form that takes it is said.
      [["show", "--days", "-3"], 'hours: option --days needs a value (if "-3" is its value, write --days=-3)'],
      [["show", "--days=-3"], 'hours: --days "-3" must be a whole number from 1 to 366'],
      [["shwo"], 'hours: unknown command "shwo" (did you mean "show"?)'],
      [["holidays", "--year", "next"], 'hours: --year "next" must be a whole number from 1900 to 2200'],
    ])("%j", async (args, message) => {
      const { code, stdout, stderr } = await hoursCli(args);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr.split("\n")[0]).toBe(message);
    });
  });

  it("with a bad file, prints one line per problem and exits 1", async () => {
    const file = `${FIXTURES}/bad/many-problems.yaml`;
    const { code, stdout, stderr } = await hoursCli(["show", "--file", file]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(6);
    expect(lines[2]).toBe(`${file}: weekly[0].days[1]: unknown weekday "tuseday" (did you mean "tuesday"?)`);
  });

  it("with a file that does not exist, says so and exits 1", async () => {
    const { code, stderr } = await hoursCli(["holidays", "--file", "no/such/hours.yaml"]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe("hours: cannot read no/such/hours.yaml: no such file");
  });
});
